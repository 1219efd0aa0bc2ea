import { readFileSync } from "node:fs";
import { ClosedError, LoaderError, isBpfSyscallError } from "../errors/index.js";
import { Errno } from "../kernel/errno.js";
import { linkCreate, rawTracepointOpen, readIterator } from "../kernel/links.js";
import {
  mapCreate, mapDelete, mapFreeze, mapLookup, mapLookupBatch, mapLookupInto, mapNextKeyInto, mapUpdate, userValueSize,
  type BatchResult, type MapCreateOptions,
} from "../kernel/maps.js";
import { syscallError } from "../kernel/native.js";
import { KernelMapping } from "../kernel/mapping.js";
import { btfLoad, mapInfo, objGet, objPin, progInfo, type MapInfo, type ProgInfo } from "../kernel/objects.js";
import { openTracepointEvent, tracepointId } from "../kernel/perf.js";
import { progLoad, progTestRun, type ProgLoadOptions } from "../kernel/prog.js";
import { close as sysClose, ioctl } from "../kernel/syscalls.js";
import { runAll } from "../util/disposable-stack.js";
import {
  BPF_LSM_MAC, BPF_MODIFY_RETURN, BPF_PERF_EVENT, BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_TRACE_ITER, BPF_TRACE_RAW_TP,
  PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_SET_BPF,
} from "../kernel/uapi.js";
import type {
  AttachTarget, BtfFd, LinkFd, MapDefinition, MapFd, MappedRegion, ProgFd, ProgramDefinition, RunOptions, RunResult,
  Transport,
} from "./transport.js";

type Kind = "link" | "prog" | "map" | "btf" | "other";
// Dispose closes links before the programs and maps they hold, and BTF last.
const CLOSE_ORDER: readonly Kind[] = ["link", "other", "prog", "map", "btf"];

/** MapShape is what the transport checks keys and values against. */
interface MapShape {
  readonly name: string;
  readonly keySize: number;
  /** The map's value_size. */
  readonly valueSize: number;
  /** Bytes the kernel copies out per value (per-CPU maps: a slot per possible CPU). */
  readonly userValueSize: number;
}

interface ProgMeta {
  readonly name: string;
  readonly type: number;
  readonly expectedAttachType: number;
}

/**
 * KernelTransport implements Transport with real bpf(2) calls through the native layer (koffi,
 * loaded on first use). It records every fd and mapping it hands out: `close(fd)` releases one
 * (twice is harmless), dispose releases all, and any call after dispose throws ClosedError.
 */
export class KernelTransport implements Transport {
  readonly kind = "kernel" as const;
  readonly #fds = new Map<number, Kind>();
  /** perf event fds owned by a tracepoint link, closed with it. */
  readonly #companions = new Map<number, number>();
  readonly #progs = new Map<number, ProgMeta>();
  readonly #maps = new Map<number, MapShape>();
  readonly #mappings = new Set<KernelMapping>();
  /** Options for every BPF_PROG_LOAD (log sizes, logging successful loads). */
  progLoadOptions: ProgLoadOptions = {};
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  #check(what: string): void {
    if (this.#closed) throw new ClosedError(`${what} on a closed kernel transport`);
  }

  #track<T extends number>(fd: number, kind: Kind): T {
    this.#fds.set(fd, kind);
    return fd as T;
  }

  createMap(def: MapDefinition | MapCreateOptions): MapFd {
    this.#check("createMap");
    const fd = mapCreate(def);
    this.#maps.set(fd, { name: def.name, keySize: def.keySize, valueSize: def.valueSize, userValueSize: userValueSize(def.type, def.valueSize) });
    return this.#track(fd, "map");
  }

  /**
   * #shape returns the key/value sizes of a map: the kernel reads key_size bytes of every key
   * and writes the whole value, so a short buffer would be read or written past its end. For
   * an fd this transport did not create it asks the kernel (BPF_OBJ_GET_INFO_BY_FD) each time.
   */
  #shape(map: number, cmd: string): MapShape {
    const known = this.#maps.get(map);
    if (known !== undefined) return known;
    let info: MapInfo;
    try {
      info = mapInfo(map);
    } catch (e) {
      if (isBpfSyscallError(e)) throw syscallError(cmd, e.errno, `fd ${map}`);
      throw e;
    }
    return { name: info.name, keySize: info.keySize, valueSize: info.valueSize, userValueSize: userValueSize(info.type, info.valueSize) };
  }

  #checkKey(shape: MapShape, key: Uint8Array, cmd: string): void {
    if (key.length !== shape.keySize) {
      throw syscallError(cmd, Errno.EINVAL, `key is ${key.length} bytes, map '${shape.name}' has ${shape.keySize}-byte keys`);
    }
  }

  #checkOut(shape: MapShape, size: number): void {
    if (size > shape.userValueSize) {
      throw syscallError("BPF_MAP_LOOKUP_ELEM", Errno.EINVAL, `asked for ${size} bytes, map '${shape.name}' values are ${shape.userValueSize}`);
    }
  }

  /** lookupElem returns the first `valueSize` bytes of the value (at most the whole value), or undefined. */
  lookupElem(map: MapFd, key: Uint8Array, valueSize: number, flags = 0): Uint8Array | undefined {
    this.#check("lookupElem");
    const shape = this.#shape(map, "BPF_MAP_LOOKUP_ELEM");
    this.#checkKey(shape, key, "BPF_MAP_LOOKUP_ELEM");
    this.#checkOut(shape, valueSize);
    return mapLookup(map, key, valueSize, flags, shape.userValueSize);
  }

  lookupElemInto(map: MapFd, key: Uint8Array, out: Uint8Array, flags = 0): boolean {
    this.#check("lookupElemInto");
    const shape = this.#shape(map, "BPF_MAP_LOOKUP_ELEM");
    this.#checkKey(shape, key, "BPF_MAP_LOOKUP_ELEM");
    this.#checkOut(shape, out.length);
    return mapLookupInto(map, key, out, flags, shape.userValueSize);
  }

  updateElem(map: MapFd, key: Uint8Array, value: Uint8Array, flags = 0): void {
    this.#check("updateElem");
    const shape = this.#shape(map, "BPF_MAP_UPDATE_ELEM");
    this.#checkKey(shape, key, "BPF_MAP_UPDATE_ELEM");
    if (value.length !== shape.userValueSize) {
      throw syscallError("BPF_MAP_UPDATE_ELEM", Errno.EINVAL, `value is ${value.length} bytes, map '${shape.name}' takes ${shape.userValueSize}`);
    }
    mapUpdate(map, key, value, flags);
  }

  deleteElem(map: MapFd, key: Uint8Array): boolean {
    this.#check("deleteElem");
    this.#checkKey(this.#shape(map, "BPF_MAP_DELETE_ELEM"), key, "BPF_MAP_DELETE_ELEM");
    return mapDelete(map, key);
  }

  nextKey(map: MapFd, key: Uint8Array | undefined, keySize: number): Uint8Array | undefined {
    this.#check("nextKey");
    const shape = this.#shape(map, "BPF_MAP_GET_NEXT_KEY");
    if (key !== undefined) this.#checkKey(shape, key, "BPF_MAP_GET_NEXT_KEY");
    const out = new Uint8Array(keySize);
    return mapNextKeyInto(map, key, out, shape.keySize) ? out : undefined;
  }

  /** lookupBatch is one BPF_MAP_LOOKUP_BATCH step; feed `nextBatch` back until it is undefined. */
  lookupBatch(map: MapFd, opts: { keySize: number; valueSize: number; count: number; inBatch?: Uint8Array }): BatchResult {
    this.#check("lookupBatch");
    const shape = this.#shape(map, "BPF_MAP_LOOKUP_BATCH");
    if (opts.keySize !== shape.keySize || opts.valueSize !== shape.userValueSize) {
      throw syscallError("BPF_MAP_LOOKUP_BATCH", Errno.EINVAL,
        `batch of ${opts.keySize}/${opts.valueSize}-byte entries, map '${shape.name}' has ${shape.keySize}/${shape.userValueSize}`);
    }
    return mapLookupBatch(map, opts);
  }

  freezeMap(map: MapFd): void {
    this.#check("freezeMap");
    mapFreeze(map);
  }

  mmapMap(map: MapFd, length: number, options: { address?: bigint; readOnly?: boolean } = {}): MappedRegion {
    this.#check("mmapMap");
    const m = KernelMapping.map(map, length, { ...options, onClose: (x) => this.#mappings.delete(x) });
    this.#mappings.add(m);
    return m;
  }

  loadBtf(data: Uint8Array): BtfFd {
    this.#check("loadBtf");
    return this.#track(btfLoad(data), "btf");
  }

  loadProgram(def: ProgramDefinition): ProgFd {
    this.#check("loadProgram");
    const fd = progLoad(def, this.progLoadOptions);
    this.#progs.set(fd, { name: def.name, type: def.type, expectedAttachType: def.expectedAttachType ?? 0 });
    return this.#track(fd, "prog");
  }

  attachProgram(prog: ProgFd, target: AttachTarget): LinkFd {
    this.#check("attachProgram");
    switch (target.kind) {
      case "tracepoint":
        return this.#attachTracepoint(prog, target.category, target.name);
      case "raw_tracepoint":
        return this.#track(rawTracepointOpen(prog, target.name), "link");
      case "tracing":
        return this.#attachTracing(prog);
      case "iter": {
        const opts = target.info === undefined ? { kind: "iter" as const } : { kind: "iter" as const, iterInfo: target.info };
        return this.#track(linkCreate(prog, 0, BPF_TRACE_ITER, opts), "link");
      }
    }
  }

  #attachTracepoint(prog: ProgFd, category: string, name: string): LinkFd {
    const pfd = openTracepointEvent(tracepointId(category, name));
    try {
      let link: number;
      try {
        link = linkCreate(prog, pfd, BPF_PERF_EVENT, { kind: "perf_event" });
      } catch (e) {
        // Pre-5.15 kernels have no perf_event links: attach through the perf fd itself. If that
        // fails too, the link error is the one that explains (wrong program type…).
        if (!isBpfSyscallError(e) || e.errno !== Errno.EINVAL) throw e;
        try {
          ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog);
          ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0);
        } catch {
          throw e;
        }
        return this.#track(pfd, "link");
      }
      this.#companions.set(link, pfd);
      return this.#track(link, "link");
    } catch (e) {
      sysClose(pfd);
      throw e;
    }
  }

  #attachTracing(prog: ProgFd): LinkFd {
    const meta = this.#progs.get(prog);
    if (meta === undefined) throw new LoaderError("tracing attach needs a program loaded by this transport", { symbol: `prog fd ${prog}` });
    const at = meta.expectedAttachType;
    const btfAttach = [BPF_TRACE_RAW_TP, BPF_TRACE_FENTRY, BPF_TRACE_FEXIT, BPF_MODIFY_RETURN, BPF_LSM_MAC];
    if (!btfAttach.includes(at)) {
      throw new LoaderError(`program type ${meta.type} with attach type ${at} is not a BTF-attach program`, { symbol: meta.name });
    }
    // target_btf_id stays 0: the kernel takes the program's attach_btf_id (a non-zero id needs a target prog fd).
    try {
      return this.#track(linkCreate(prog, 0, at, { kind: "tracing" }), "link");
    } catch (e) {
      // Kernels before 5.x attach BTF programs only through RAW_TRACEPOINT_OPEN with no name.
      if (!isBpfSyscallError(e) || e.errno !== Errno.EINVAL) throw e;
      let link: number;
      try {
        link = rawTracepointOpen(prog, undefined);
      } catch {
        throw e;
      }
      return this.#track(link, "link");
    }
  }

  /** readIterator runs an iterator link once and returns all it wrote. */
  readIterator(link: LinkFd): Uint8Array {
    this.#check("readIterator");
    return readIterator(link);
  }

  runProgram(prog: ProgFd, options?: RunOptions): RunResult {
    this.#check("runProgram");
    return progTestRun(prog, options);
  }

  /** pin pins a map, program or link fd in bpffs (mounting /sys/fs/bpf if needed). */
  pin(fd: MapFd | ProgFd | LinkFd, path: string): void {
    this.#check("pin");
    objPin(fd, path);
  }

  /** getPinned opens a pinned map (fd tracked as a map; close it like any other). */
  getPinnedMap(path: string, fileFlags = 0): MapFd {
    this.#check("getPinnedMap");
    const fd = objGet(path, fileFlags);
    try {
      // OBJ_GET_INFO_BY_FD answers for any bpf object; fdinfo says whether this one is a map
      if (!readFileSync(`/proc/self/fdinfo/${fd}`, "utf8").includes("map_type:")) {
        throw new LoaderError("pinned object is not a map", { input: path });
      }
      const info = mapInfo(fd);
      this.#maps.set(fd, { name: info.name, keySize: info.keySize, valueSize: info.valueSize, userValueSize: userValueSize(info.type, info.valueSize) });
    } catch (e) {
      sysClose(fd);
      throw e;
    }
    return this.#track(fd, "map");
  }

  mapInfo(map: MapFd): MapInfo {
    this.#check("mapInfo");
    return mapInfo(map);
  }

  progInfo(prog: ProgFd): ProgInfo {
    this.#check("progInfo");
    return progInfo(prog);
  }

  /** openFds lists the fds this transport still owns (for leak checks). */
  openFds(): number[] {
    return [...this.#fds.keys(), ...this.#companions.values()];
  }

  close(fd: MapFd | ProgFd | LinkFd | BtfFd): void {
    if (!this.#fds.has(fd)) return;
    this.#fds.delete(fd);
    this.#progs.delete(fd);
    this.#maps.delete(fd);
    const companion = this.#companions.get(fd);
    this.#companions.delete(fd);
    try {
      sysClose(fd);
    } finally {
      if (companion !== undefined) sysClose(companion);
    }
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    const steps: (() => void)[] = [...this.#mappings].map((m) => () => m[Symbol.dispose]());
    for (const kind of CLOSE_ORDER) {
      for (const [fd, k] of [...this.#fds]) if (k === kind) steps.push(() => this.close(fd as MapFd));
    }
    runAll(steps);
  }
}
