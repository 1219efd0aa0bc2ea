import { BpfSyscallError } from "@bpf-skel/sdk/errors";
import type {
  AttachTarget, BtfFd, LinkFd, MapDefinition, MapFd, MappedRegion, ProgFd, ProgramDefinition, RunOptions,
  RunResult, SimProgramBody, Transport,
} from "@bpf-skel/sdk";
import { SimArena } from "./arena.js";
import { SimKernel } from "./kernel.js";
import type { LocalStorageMap } from "./local-storage.js";

/** UAPI values the simulator understands (include/uapi/linux/bpf.h). */
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_TASK_STORAGE = 29;
export const BPF_MAP_TYPE_CGRP_STORAGE = 32;
export const BPF_MAP_TYPE_ARENA = 33;
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_SLEEPABLE = 1 << 4;
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

const E = { ENOENT: 2, EBADF: 9, EEXIST: 17, EINVAL: 22, EPERM: 1, E2BIG: 7, EOPNOTSUPP: 95, ENOTSUPP: 524 } as const;
type Errno = keyof typeof E;
const fail = (cmd: string, code: Errno, detail?: string): never => {
  throw new BpfSyscallError(cmd, E[code], code, detail);
};

type SimMap =
  | { kind: "hash"; def: MapDefinition; frozen: boolean; data: Map<string, Uint8Array> }
  | { kind: "array"; def: MapDefinition; frozen: boolean; data: Uint8Array; buffer: SharedArrayBuffer; stride: number }
  | { kind: "storage"; def: MapDefinition; frozen: boolean; owner: "task" | "cgroup"; map: LocalStorageMap }
  | { kind: "arena"; def: MapDefinition; frozen: boolean; arena: SimArena };

type SimProg = { def: ProgramDefinition; body: SimProgramBody };

const hexKey = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString("hex");

/**
 * SimTransport implements Transport over a SimKernel: maps live in process memory, arenas in
 * SharedArrayBuffers (mmapMap hands out the region itself), programs are TypeScript bodies
 * (`ProgramDefinition.sim`) run by runProgram or by the kernel events they attach to. Task and
 * cgroup storage keys are a pid / cgroup id (the kernel takes a pidfd / cgroup fd there).
 */
export class SimTransport implements Transport {
  readonly kind = "sim" as const;
  readonly kernel: SimKernel;
  readonly #maps = new Map<number, SimMap>();
  readonly #progs = new Map<number, SimProg>();
  readonly #links = new Map<number, { prog: ProgFd; target: AttachTarget }>();
  readonly #btfs = new Map<number, Uint8Array>();
  readonly #regions = new Set<SimMappedRegion>();
  /** #ownsKernel: the kernel was made here (no kernel passed in), so dispose closes it too. */
  readonly #ownsKernel: boolean;
  #nextFd = 3;
  #closed = false;

  /** The transport runs on `kernel`, which stays the caller's; unset, it makes one of its own and closes it with itself. */
  constructor(kernel?: SimKernel) {
    this.#ownsKernel = kernel === undefined;
    this.kernel = kernel ?? new SimKernel();
  }

  #fd(): number {
    if (this.#closed) fail("bpf", "EBADF", "transport closed");
    return this.#nextFd++;
  }

  #map(fd: MapFd, cmd: string): SimMap {
    const m = this.#maps.get(fd);
    return m ?? fail(cmd, "EBADF");
  }

  createMap(def: MapDefinition): MapFd {
    const cmd = "BPF_MAP_CREATE";
    const flags = def.flags ?? 0;
    let m: SimMap;
    switch (def.type) {
      case BPF_MAP_TYPE_HASH:
        if (def.keySize <= 0 || def.valueSize <= 0 || def.maxEntries <= 0) fail(cmd, "EINVAL", "hash needs key, value and max_entries");
        m = { kind: "hash", def, frozen: false, data: new Map() };
        break;
      case BPF_MAP_TYPE_ARRAY: {
        if (def.keySize !== 4 || def.valueSize <= 0 || def.maxEntries <= 0) fail(cmd, "EINVAL", "array needs a 4-byte key");
        const stride = (def.valueSize + 7) & ~7;
        const buffer = new SharedArrayBuffer(Math.max(1, stride * def.maxEntries));
        m = { kind: "array", def, frozen: false, data: new Uint8Array(buffer), buffer, stride };
        break;
      }
      case BPF_MAP_TYPE_TASK_STORAGE:
      case BPF_MAP_TYPE_CGRP_STORAGE: {
        if ((flags & BPF_F_NO_PREALLOC) === 0 || def.keySize !== 4 || def.maxEntries !== 0 || def.valueSize <= 0) {
          fail(cmd, "EINVAL", "local storage needs BPF_F_NO_PREALLOC, a 4-byte key and max_entries 0");
        }
        const owner = def.type === BPF_MAP_TYPE_TASK_STORAGE ? "task" : "cgroup";
        m = { kind: "storage", def, frozen: false, owner, map: this.kernel.localStorageMap(def.name, owner, def.valueSize) };
        break;
      }
      case BPF_MAP_TYPE_ARENA: {
        if (def.keySize !== 0 || def.valueSize !== 0 || def.maxEntries <= 0 || (flags & BPF_F_MMAPABLE) === 0) {
          fail(cmd, "EINVAL", "arena needs BPF_F_MMAPABLE, max_entries pages and no key/value");
        }
        if (def.maxEntries > 1 << 20) fail(cmd, "E2BIG", "arena larger than 4 GiB");
        const arena = new SimArena(def.maxEntries);
        this.kernel.bindArena(arena);
        m = { kind: "arena", def, frozen: false, arena };
        break;
      }
      default:
        return fail(cmd, "EINVAL", `map type ${def.type} is not simulated`);
    }
    const fd = this.#fd();
    this.#maps.set(fd, m);
    return fd as MapFd;
  }

  #owner(m: Extract<SimMap, { kind: "storage" }>, key: Uint8Array, cmd: string) {
    const id = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(0, true);
    const o = m.owner === "task" ? this.kernel.task(id) : this.kernel.cgroup(id);
    return o ?? fail(cmd, "ENOENT", `no ${m.owner} ${id}`);
  }

  lookupElem(fd: MapFd, key: Uint8Array, valueSize: number): Uint8Array | undefined {
    const cmd = "BPF_MAP_LOOKUP_ELEM";
    const m = this.#map(fd, cmd);
    let v: Uint8Array | undefined;
    switch (m.kind) {
      case "hash":
        v = m.data.get(hexKey(key));
        break;
      case "array": {
        const i = new DataView(key.buffer, key.byteOffset).getUint32(0, true);
        if (i >= m.def.maxEntries) return undefined;
        v = m.data.subarray(i * m.stride, i * m.stride + m.def.valueSize);
        break;
      }
      case "storage":
        v = m.map.lookup(this.#owner(m, key, cmd))?.value;
        break;
      case "arena":
        return fail(cmd, "EINVAL", "arena has no elements");
    }
    return v === undefined ? undefined : v.slice(0, valueSize);
  }

  updateElem(fd: MapFd, key: Uint8Array, value: Uint8Array, flags = BPF_ANY): void {
    const cmd = "BPF_MAP_UPDATE_ELEM";
    const m = this.#map(fd, cmd);
    if (m.frozen) fail(cmd, "EPERM", "map is frozen");
    if (m.kind !== "arena" && value.byteLength !== m.def.valueSize) fail(cmd, "EINVAL", "value size");
    switch (m.kind) {
      case "hash": {
        const k = hexKey(key);
        const has = m.data.has(k);
        if (flags === BPF_NOEXIST && has) fail(cmd, "EEXIST");
        if (flags === BPF_EXIST && !has) fail(cmd, "ENOENT");
        if (!has && m.data.size >= m.def.maxEntries) fail(cmd, "E2BIG", "map is full");
        m.data.set(k, value.slice());
        return;
      }
      case "array": {
        const i = new DataView(key.buffer, key.byteOffset).getUint32(0, true);
        if (i >= m.def.maxEntries) fail(cmd, "E2BIG", "index out of range");
        if (flags === BPF_NOEXIST) fail(cmd, "EEXIST");
        m.data.set(value, i * m.stride);
        return;
      }
      case "storage": {
        const owner = this.#owner(m, key, cmd);
        const e = m.map.lookup(owner);
        if (flags === BPF_NOEXIST && e) fail(cmd, "EEXIST");
        if (flags === BPF_EXIST && !e) fail(cmd, "ENOENT");
        if (e) e.value.set(value);
        else if (m.map.link(owner, value.slice(), 0) === null) fail(cmd, "ENOENT", "owner is gone");
        return;
      }
      case "arena":
        return fail(cmd, "EOPNOTSUPP", "arena has no elements");
    }
  }

  deleteElem(fd: MapFd, key: Uint8Array): boolean {
    const cmd = "BPF_MAP_DELETE_ELEM";
    const m = this.#map(fd, cmd);
    if (m.frozen) fail(cmd, "EPERM", "map is frozen");
    switch (m.kind) {
      case "hash":
        return m.data.delete(hexKey(key));
      case "array":
        return fail(cmd, "EINVAL", "array elements cannot be deleted");
      case "storage":
        return m.map.unlink(this.#owner(m, key, cmd));
      case "arena":
        return fail(cmd, "EINVAL", "arena has no elements");
    }
  }

  nextKey(fd: MapFd, key: Uint8Array | undefined, keySize: number): Uint8Array | undefined {
    const cmd = "BPF_MAP_GET_NEXT_KEY";
    const m = this.#map(fd, cmd);
    switch (m.kind) {
      case "hash": {
        const keys = [...m.data.keys()];
        const i = key === undefined ? 0 : keys.indexOf(hexKey(key)) + 1;
        return i < keys.length ? Uint8Array.from(Buffer.from(keys[i]!, "hex")).subarray(0, keySize) : undefined;
      }
      case "array": {
        const i = key === undefined ? 0 : new DataView(key.buffer, key.byteOffset).getUint32(0, true) + 1;
        if (i >= m.def.maxEntries) return undefined;
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, i, true);
        return out;
      }
      default:
        return fail(cmd, "ENOTSUPP", "local storage and arenas cannot be iterated by key");
    }
  }

  freezeMap(fd: MapFd): void {
    this.#map(fd, "BPF_MAP_FREEZE").frozen = true;
  }

  mmapMap(fd: MapFd, length: number, options: { address?: bigint; readOnly?: boolean } = {}): MappedRegion {
    const m = this.#map(fd, "mmap");
    let buffer: SharedArrayBuffer;
    if (m.kind === "arena") buffer = m.arena.buffer;
    else if (m.kind === "array" && ((m.def.flags ?? 0) & BPF_F_MMAPABLE) !== 0) buffer = m.buffer;
    else return fail("mmap", "EINVAL", "map is not mmapable");
    if (length <= 0 || length > buffer.byteLength) fail("mmap", "EINVAL", `length ${length}`);
    const address = options.address ?? m.def.mapExtra ?? 1n << 44n;
    const region = new SimMappedRegion(buffer, address, length, (r) => this.#regions.delete(r));
    this.#regions.add(region);
    return region;
  }

  /** storageMap exposes the simulated local-storage map behind an fd (tests, skeleton glue). */
  storageMap(fd: MapFd): LocalStorageMap {
    const m = this.#map(fd, "storage");
    return m.kind === "storage" ? m.map : fail("storage", "EINVAL", "not a local storage map");
  }

  loadBtf(data: Uint8Array): BtfFd {
    const fd = this.#fd();
    this.#btfs.set(fd, data.slice());
    return fd as BtfFd;
  }

  loadProgram(def: ProgramDefinition): ProgFd {
    if (def.sim === undefined) fail("BPF_PROG_LOAD", "EINVAL", `program ${def.name} has no simulator body`);
    const fd = this.#fd();
    this.#progs.set(fd, { def, body: def.sim! });
    return fd as ProgFd;
  }

  attachProgram(prog: ProgFd, target: AttachTarget): LinkFd {
    const p = this.#progs.get(prog) ?? fail("BPF_LINK_CREATE", "EBADF");
    const name = target.kind === "tracepoint" || target.kind === "raw_tracepoint" ? target.name : p.def.name;
    const run = (ctx: unknown) => void p.body(ctx);
    let hook: ((t: unknown) => void) | undefined;
    if (name === "sched_process_exit" || name === "sched_process_free") this.kernel.onTaskExit.add((hook = run));
    else if (name === "sched_process_fork" || name === "task_newtask") this.kernel.onTaskInit.add((hook = run));
    const fd = this.#fd();
    this.#links.set(fd, { prog, target });
    if (hook !== undefined) this.#detach.set(fd, hook);
    return fd as LinkFd;
  }

  readonly #detach = new Map<number, (t: unknown) => void>();

  runProgram(prog: ProgFd, options: RunOptions = {}): RunResult {
    const p = this.#progs.get(prog) ?? fail("BPF_PROG_TEST_RUN", "EBADF");
    const sleepable = ((p.def.flags ?? 0) & BPF_F_SLEEPABLE) !== 0;
    const ctx = options.ctx?.slice();
    const repeat = Math.max(1, options.repeat ?? 1);
    let retval = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < repeat; i++) retval = this.kernel.run(sleepable, () => p.body(ctx));
    const durationNs = Number(process.hrtime.bigint() - t0) / repeat;
    return { retval, durationNs, ...(ctx !== undefined ? { ctx } : {}) };
  }

  close(fd: MapFd | ProgFd | LinkFd | BtfFd): void {
    const hook = this.#detach.get(fd);
    if (hook !== undefined) {
      this.kernel.onTaskExit.delete(hook);
      this.kernel.onTaskInit.delete(hook);
      this.#detach.delete(fd);
    }
    this.#maps.delete(fd);
    this.#progs.delete(fd);
    this.#links.delete(fd);
    this.#btfs.delete(fd);
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    for (const fd of [...this.#links.keys(), ...this.#progs.keys(), ...this.#maps.keys(), ...this.#btfs.keys()]) this.close(fd as MapFd);
    for (const r of [...this.#regions]) r[Symbol.dispose]();
    this.#closed = true;
    if (this.#ownsKernel) this.kernel[Symbol.dispose]();
  }
}

/** SimMappedRegion is an mmap of a simulated map: the map's own SharedArrayBuffer. */
export class SimMappedRegion implements MappedRegion {
  #closed = false;
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly address: bigint,
    readonly length: number,
    readonly onClose: (r: SimMappedRegion) => void,
  ) {}
  get closed(): boolean {
    return this.#closed;
  }
  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(this);
  }
}
