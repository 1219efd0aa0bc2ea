import { readFileSync, rmSync } from "node:fs";
import type { Btf } from "../btf/btf.js";
import { ClosedError, LoaderError, isBpfSyscallError, isLoaderError } from "../errors/index.js";
import { BPFFS } from "../kernel/mounts.js";
import { fixedBtfBytes } from "../object/btf-fixup.js";
import { resolveKfuncs } from "../object/externs.js";
import { readObject } from "../object/read.js";
import type { DataVariable, MapSpec, ObjectSpec } from "../object/spec.js";
import { KernelTransport } from "../transport/kernel.js";
import type { BtfFd, MapFd, MappedRegion, ProgFd, RunOptions, RunResult, Transport } from "../transport/transport.js";
import { DisposableStack, runAll } from "../util/disposable-stack.js";
import { BpfMap } from "./bpf-map.js";
import { BpfProgram } from "./bpf-program.js";
import { kernelSymbols, needsVmlinux } from "./externs.js";
import { needsBtf } from "./needs-btf.js";
import { createMaps } from "./load-maps.js";
import { loadProgram } from "./load-programs.js";
import { vmlinuxBtf } from "./vmlinux.js";

/** OpenOptions tune `BpfObject.open`. */
export interface OpenOptions {
  /** Backend; unset = a new KernelTransport the object owns and disposes with itself. */
  readonly transport?: Transport;
  /** Target BTF for CO-RE, kfuncs and attach ids; unset = /sys/kernel/btf/vmlinux (parsed once per process). */
  readonly vmlinux?: Btf;
  /** Name used in errors and internal map names when `bytes` are given; unset = "<buffer>". */
  readonly name?: string;
  /** Directory for LIBBPF_PIN_BY_NAME maps; unset = /sys/fs/bpf; null = do not pin. */
  readonly pinRoot?: string | null;
  /** Throw on an unsatisfiable CO-RE relocation instead of poisoning it (libbpf's behaviour). */
  readonly strictCore?: boolean;
}

/** ObjectState is where an object is in libbpf's lifecycle. */
export type ObjectState = "opened" | "loaded" | "closed";

/** GlobalVariable says where a global lives: its data map (by section), offset and size. */
export interface GlobalVariable extends DataVariable {
  readonly section: string;
}

/**
 * BpfObject is a clang-built BPF object through libbpf's lifecycle: `open` (parsed, still
 * editable: globals, map sizes, autoload) → `load` (BTF, maps, programs) → `attach` → close.
 * A failure in `load` or `attach` closes everything that step opened: nothing half-applied,
 * no fd left behind. Dispose closes links, programs, mappings, maps and BTF in reverse order.
 */
export class BpfObject implements Disposable {
  readonly spec: ObjectSpec;
  readonly transport: Transport;
  readonly #ownsTransport: boolean;
  readonly #opts: OpenOptions;
  #state: ObjectState = "opened";
  readonly #mapEdits = new Map<string, MapSpec>();
  readonly #autoload = new Map<string, boolean>();
  readonly #initial = new Map<string, Uint8Array>();
  #stack: DisposableStack | undefined;
  #links = new DisposableStack();
  #maps = new Map<string, BpfMap>();
  #programs = new Map<string, BpfProgram>();
  #btfFd: BtfFd | undefined;
  /** Why the object's BTF was not loaded, when the loader went on without it. */
  btfSkipped: string | undefined;

  private constructor(spec: ObjectSpec, opts: OpenOptions) {
    this.spec = spec;
    this.#opts = opts;
    this.#ownsTransport = opts.transport === undefined;
    this.transport = opts.transport ?? new KernelTransport();
    for (const p of spec.programs) this.#autoload.set(p.name, p.autoload);
    for (const m of spec.maps) if (m.initial !== undefined) this.#initial.set(m.name, m.initial.slice());
  }

  /** open parses an object file (path) or its bytes. Nothing touches the kernel yet. */
  static open(bytesOrPath: Uint8Array | string, opts: OpenOptions = {}): BpfObject {
    const input = typeof bytesOrPath === "string" ? bytesOrPath : (opts.name ?? "<buffer>");
    let bytes: Uint8Array;
    if (typeof bytesOrPath === "string") {
      try {
        bytes = new Uint8Array(readFileSync(bytesOrPath));
      } catch (e) {
        throw new LoaderError("cannot read object file", { input }, { cause: e });
      }
    } else bytes = bytesOrPath;
    return new BpfObject(readObject(bytes, input), opts);
  }

  get state(): ObjectState {
    return this.#state;
  }

  #need(state: ObjectState, what: string): void {
    if (this.#state === "closed") throw new ClosedError(`${what} on a closed object`, { input: this.spec.input });
    if (this.#state !== state) throw new LoaderError(`${what} needs the object ${state}, it is ${this.#state}`, { input: this.spec.input });
  }

  #mapSpec(name: string): MapSpec {
    const m = this.#mapEdits.get(name) ?? this.spec.maps.find((x) => x.name === name);
    if (m === undefined) throw new LoaderError(`no map named '${name}'`, { input: this.spec.input, symbol: name });
    return m;
  }

  /** editMap changes a map's definition before load (libbpf `bpf_map__set_max_entries()` and friends). */
  editMap(name: string, edit: Partial<Pick<MapSpec, "maxEntries" | "flags" | "mapExtra" | "numaNode" | "pinning">>): void {
    this.#need("opened", "editMap");
    this.#mapEdits.set(name, { ...this.#mapSpec(name), ...edit });
  }

  /** setAutoload chooses whether `load` loads a program (`?` sections start off). */
  setAutoload(program: string, on: boolean): void {
    this.#need("opened", "setAutoload");
    if (!this.#autoload.has(program)) throw new LoaderError(`no program named '${program}'`, { input: this.spec.input, symbol: program });
    this.#autoload.set(program, on);
  }

  autoload(program: string): boolean {
    return this.#autoload.get(program) ?? false;
  }

  /** variable finds a global variable by name in the data maps (`.data`, `.rodata`, `.bss`, `.data.*`, `.kconfig`). */
  variable(name: string): GlobalVariable {
    for (const m of this.spec.maps) {
      const v = m.variables?.find((x) => x.name === name);
      if (v !== undefined) return { ...v, section: m.section };
    }
    throw new LoaderError(`no global variable named '${name}'`, { input: this.spec.input, symbol: name });
  }

  /**
   * globals returns a data section's bytes. Before load: the initial image, editable (what
   * `load` writes, as libbpf skeletons' `rodata`). After load: the live mmapped bytes for
   * writable mmapable sections (`.data`, `.bss`, `.data.*`); a snapshot copy for frozen
   * (`.rodata`, `.kconfig`, mapped read-only) and non-mmapable ones.
   */
  globals(section: string): Uint8Array {
    const m = this.spec.maps.find((x) => x.section === section && x.kind !== "btf");
    if (m === undefined) throw new LoaderError(`no global data section '${section}'`, { input: this.spec.input, section });
    if (this.#state === "closed") throw new ClosedError("globals on a closed object", { input: this.spec.input, section });
    if (this.#state === "opened") return this.#initial.get(m.name)!;
    const live = this.#maps.get(m.name)!;
    if (live.region !== undefined && m.kind !== "rodata" && m.kind !== "kconfig") {
      return new Uint8Array(live.region.buffer, 0, m.valueSize);
    }
    return live.lookup(0) ?? new Uint8Array(m.valueSize);
  }

  /**
   * load makes the object live, in libbpf's order: resolve externs, fix up and load BTF
   * (skipped with a note in `btfSkipped` only when nothing needs it), create and populate maps
   * (arena mapped first), then load every autoload program. Any failure closes what load opened.
   */
  load(): this {
    this.#need("opened", "load");
    const spec = this.spec;
    const stack = new DisposableStack();
    const pinned: string[] = [];
    try {
      const vmlinux = needsVmlinux(spec) ? (this.#opts.vmlinux ?? vmlinuxBtf()) : this.#opts.vmlinux;
      const externs = vmlinux !== undefined && spec.btf !== undefined ? resolveKfuncs(spec, vmlinux) : undefined;
      const ksyms = kernelSymbols(spec);
      let btfFd: BtfFd | undefined;
      if (spec.btf !== undefined) {
        try {
          btfFd = stack.adopt(this.transport.loadBtf(fixedBtfBytes(spec)), (x) => this.transport.close(x));
        } catch (e) {
          // Going on without BTF is libbpf's fallback; only where nothing needs it.
          if ((!isBpfSyscallError(e) && !isLoaderError(e)) || needsBtf(spec) !== undefined) throw e;
          this.btfSkipped = e.message;
        }
      }
      const pinRoot = this.#opts.pinRoot === null ? undefined : (this.#opts.pinRoot ?? BPFFS);
      const live = createMaps({
        spec, maps: spec.maps.map((m) => this.#mapSpec(m.name)), initial: this.#initial, transport: this.transport,
        ...(btfFd !== undefined ? { btfFd } : {}), ...(pinRoot !== undefined ? { pinRoot } : {}), stack, onPinned: (p) => pinned.push(p),
      });
      const alive = () => this.#state !== "closed";
      const maps = new Map<string, BpfMap>();
      for (const [name, l] of live) maps.set(name, new BpfMap(l.spec, l.fd, this.transport, l.region, alive));
      const mapFds = new Map([...live].map(([n, l]) => [n, l.fd as number]));
      const programs = new Map<string, BpfProgram>();
      for (const p of spec.programs) {
        if (!this.autoload(p.name)) continue;
        const fd: ProgFd = loadProgram(p, {
          spec, transport: this.transport, vmlinux, ...(btfFd !== undefined ? { btfFd } : {}), mapFds,
          ...(externs ? { externs } : {}), kernelSymbols: ksyms, strictCore: this.#opts.strictCore ?? false,
        });
        stack.adopt(fd, (x) => this.transport.close(x));
        programs.set(p.name, new BpfProgram(p, fd, this.transport, spec.input, alive));
      }
      this.#maps = maps;
      this.#programs = programs;
      this.#btfFd = btfFd;
      this.#stack = stack.move();
      this.#state = "loaded";
      return this;
    } catch (e) {
      // The load error is the one to report; cleanup failures must not replace it.
      const quietly = (f: () => void) => {
        try {
          f();
        } catch {
          /* already failing */
        }
      };
      quietly(() => stack.dispose());
      for (const p of pinned) quietly(() => rmSync(p, { force: true }));
      quietly(() => this.#closeTransport());
      this.#state = "closed";
      throw e;
    }
  }

  /** attach attaches every loaded program that has an automatic target; on failure, none stay attached. */
  attach(): this {
    this.#need("loaded", "attach");
    const done: BpfProgram[] = [];
    try {
      for (const p of this.#programs.values()) {
        if (!p.attachable || p.link !== undefined) continue;
        p.attach();
        done.push(p);
      }
    } catch (e) {
      for (const p of done.reverse()) p.detach();
      throw e;
    }
    for (const p of done) this.#links.defer(() => p.detach());
    return this;
  }

  /** detach closes every link; programs stay loaded. */
  detach(): void {
    const links = this.#links;
    this.#links = new DisposableStack();
    links.dispose();
    for (const p of this.#programs.values()) p.detach();
  }

  /** maps are the live maps by name (BTF maps by variable name, data maps by section), after load. */
  get maps(): ReadonlyMap<string, BpfMap> {
    this.#need("loaded", "maps");
    return this.#maps;
  }

  /** programs are the loaded programs by function name, after load. */
  get programs(): ReadonlyMap<string, BpfProgram> {
    this.#need("loaded", "programs");
    return this.#programs;
  }

  /** links are the attached programs' links by program name. */
  get links(): ReadonlyMap<string, number> {
    this.#need("loaded", "links");
    const out = new Map<string, number>();
    for (const [n, p] of this.#programs) if (p.link !== undefined) out.set(n, p.link);
    return out;
  }

  /** btfFd is the loaded object BTF, when it was loaded. */
  get btfFd(): BtfFd | undefined {
    return this.#btfFd;
  }

  /** arena is the mapping of the object's arena map (undefined when it has none). */
  get arena(): MappedRegion | undefined {
    this.#need("loaded", "arena");
    for (const m of this.#maps.values()) if (m.spec.type === 33 && m.region !== undefined) return m.region;
    return undefined;
  }

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (m === undefined) throw new LoaderError(`no map named '${name}'`, { input: this.spec.input, symbol: name });
    return m;
  }

  program(name: string): BpfProgram {
    const p = this.programs.get(name);
    if (p === undefined) throw new LoaderError(`no loaded program named '${name}'`, { input: this.spec.input, symbol: name });
    return p;
  }

  /** run test-runs program `name` with a context (BPF_PROG_TEST_RUN); the way `syscall` programs run. */
  run(name: string, ctx?: Uint8Array | RunOptions): RunResult {
    return this.program(name).run(ctx);
  }

  /** readIter attaches iterator program `name` if needed and reads one full walk. */
  readIter(name: string): Uint8Array {
    return this.program(name).readIter();
  }

  /** storageObject adapts the object to what MappedStorage drives (programs as fds). */
  storageObject(): { transport: Transport; arena: MappedRegion; programs: ReadonlyMap<string, ProgFd> } {
    const arena = this.arena;
    if (arena === undefined) throw new LoaderError("object has no arena", { input: this.spec.input });
    return { transport: this.transport, arena, programs: new Map([...this.programs].map(([n, p]) => [n, p.fd])) };
  }

  /** mapFd is a shortcut for `maps.get(name).fd`. */
  mapFd(name: string): MapFd {
    return this.map(name).fd;
  }

  #closeTransport(): void {
    if (this.#ownsTransport) this.transport[Symbol.dispose]();
  }

  close(): void {
    this[Symbol.dispose]();
  }

  [Symbol.dispose](): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    runAll([
      () => this.#links.dispose(),
      () => runAll([...this.#programs.values()].map((p) => () => p.detach())),
      () => this.#stack?.dispose(),
      () => this.#closeTransport(),
    ]);
  }
}
