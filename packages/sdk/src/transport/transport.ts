/**
 * Transport is the seam between the SDK and a backend: the real kernel (bpf(2) through a
 * native layer) or the simulator in `@bpf-skel/runtime-sim`. Nothing above this seam knows
 * which one it talks to. Calls are synchronous, as the syscalls they stand for are.
 * Failures throw BpfSyscallError (errno + command), never return codes.
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** MapFd is a map's file descriptor (a kernel fd, or the sim's stand-in number). */
export type MapFd = Brand<number, "MapFd">;
/** ProgFd is a loaded program's file descriptor. */
export type ProgFd = Brand<number, "ProgFd">;
/** LinkFd is an attachment's file descriptor (a bpf_link, or a perf event fd for tracepoints). */
export type LinkFd = Brand<number, "LinkFd">;
/** BtfFd is a loaded BTF object's file descriptor. */
export type BtfFd = Brand<number, "BtfFd">;

/** MapDefinition is what BPF_MAP_CREATE takes. */
export interface MapDefinition {
  /** Map name; the kernel keeps the first 15 bytes. */
  readonly name: string;
  /** BPF_MAP_TYPE_* value. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* map flags; unset means 0. */
  readonly flags?: number;
  /** map_extra: the fixed user address for arenas; unset means 0. */
  readonly mapExtra?: bigint;
  /** BTF describing key and value; required by task/cgroup storage maps. */
  readonly btf?: { readonly fd: BtfFd; readonly keyTypeId: number; readonly valueTypeId: number };
  /** Inner map template fd for map-in-map types. */
  readonly innerMapFd?: MapFd;
}

/** MappedRegion is a shared mapping of a map's memory (array data, arena). */
export interface MappedRegion extends Disposable {
  /** Zero-copy view of the mapping. Accessing it after dispose is an error in the sim and undefined behaviour on the kernel, so views check `closed`. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** User virtual address of the first byte (for arena pointers stored inside the region). */
  readonly address: bigint;
  readonly length: number;
  readonly closed: boolean;
}

/** SimProgramBody is a program body for the simulator, which runs TypeScript in place of BPF bytecode. */
export type SimProgramBody = (ctx: unknown) => number;

/** ProgramDefinition is what BPF_PROG_LOAD takes (after relocation). */
export interface ProgramDefinition {
  readonly name: string;
  /** BPF_PROG_TYPE_* value. */
  readonly type: number;
  readonly expectedAttachType?: number;
  /** Relocated instructions (8 bytes each). Kernel only. */
  readonly insns?: Uint8Array;
  readonly license: string;
  /** BPF_F_* program flags (BPF_F_SLEEPABLE…). */
  readonly flags?: number;
  readonly attachBtfId?: number;
  readonly attachBtfObjFd?: number;
  readonly btfFd?: BtfFd;
  readonly funcInfo?: { readonly recSize: number; readonly data: Uint8Array; readonly count: number };
  readonly lineInfo?: { readonly recSize: number; readonly data: Uint8Array; readonly count: number };
  readonly fdArray?: readonly number[];
  /**
   * bindFdArray also passes fd_array_cnt (6.13+): the kernel then binds every map in fdArray
   * to the program even when no instruction references it, and refuses fds that are neither
   * maps nor BTF. Unset: fdArray is only the kfunc/map index table libbpf passes.
   */
  readonly bindFdArray?: boolean;
  /** Simulator only: the program body. */
  readonly sim?: SimProgramBody;
}

/** AttachTarget says where a program attaches. */
export type AttachTarget =
  | { readonly kind: "tracepoint"; readonly category: string; readonly name: string }
  | { readonly kind: "raw_tracepoint"; readonly name: string }
  /** tp_btf, fentry/fexit, lsm: the target is the program's attach BTF id. */
  | { readonly kind: "tracing" }
  | { readonly kind: "iter"; readonly info?: Uint8Array };

/** RunOptions for BPF_PROG_TEST_RUN. */
export interface RunOptions {
  /** Context passed to the program (a `syscall` program's argument struct); copied back out. */
  readonly ctx?: Uint8Array;
  readonly dataIn?: Uint8Array;
  readonly dataOutSize?: number;
  readonly repeat?: number;
  readonly flags?: number;
  readonly cpu?: number;
}

export interface RunResult {
  readonly retval: number;
  /** Average run time per repetition in ns, as the kernel reports it (0 where unsupported). */
  readonly durationNs: number;
  /** The context after the run (for `syscall` programs the kernel copies it back). */
  readonly ctx?: Uint8Array;
  readonly dataOut?: Uint8Array;
}

/** Transport is one backend. Dispose closes every fd and mapping it handed out. */
export interface Transport extends Disposable {
  /** "kernel" or "sim". */
  readonly kind: "kernel" | "sim";

  createMap(def: MapDefinition): MapFd;
  /** lookupElem returns the value, or undefined for ENOENT. */
  lookupElem(map: MapFd, key: Uint8Array, valueSize: number, flags?: number): Uint8Array | undefined;
  updateElem(map: MapFd, key: Uint8Array, value: Uint8Array, flags?: number): void;
  /** deleteElem returns false for ENOENT. */
  deleteElem(map: MapFd, key: Uint8Array): boolean;
  /** nextKey returns the key after `key` (the first key when undefined), or undefined at the end. */
  nextKey(map: MapFd, key: Uint8Array | undefined, keySize: number): Uint8Array | undefined;
  freezeMap(map: MapFd): void;
  /** mmapMap maps `length` bytes of an mmapable map; `address` asks for a fixed address (arenas with map_extra). */
  mmapMap(map: MapFd, length: number, options?: { address?: bigint; readOnly?: boolean }): MappedRegion;

  loadBtf(data: Uint8Array): BtfFd;
  loadProgram(def: ProgramDefinition): ProgFd;
  attachProgram(prog: ProgFd, target: AttachTarget): LinkFd;
  runProgram(prog: ProgFd, options?: RunOptions): RunResult;

  /**
   * lookupElemInto copies the value for `key` into `out` (its length is the value size) and
   * returns false for ENOENT: the allocation-free lookup for hot loops. Optional: callers fall
   * back to lookupElem where a backend lacks it.
   */
  lookupElemInto?(map: MapFd, key: Uint8Array, out: Uint8Array, flags?: number): boolean;
  /** readIterator runs an iterator link once (BPF_ITER_CREATE) and returns everything it printed. Optional. */
  readIterator?(link: LinkFd): Uint8Array;

  /** close releases one fd handed out by this transport. Closing twice is harmless. */
  close(fd: MapFd | ProgFd | LinkFd | BtfFd): void;
}
