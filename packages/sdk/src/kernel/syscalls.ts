import { Errno } from "./errno.js";
import { NativeMemory, nativeLayer, syscallError } from "./native.js";
import { BPF_ATTR_SIZE, BPF_MAP_GET_NEXT_KEY, SYS_bpf, SYS_perf_event_open, SYS_pidfd_open, bpfCommandName } from "./uapi.js";

/**
 * Attr is a reusable `union bpf_attr` in C memory. Encoders `reset()` it, write fields, and
 * hand it to `bpfAttr`; pointer fields take addresses of NativeMemory the caller keeps alive
 * across the call. One Attr per module instance is enough: calls are synchronous and each
 * worker thread loads its own copy of this module.
 */
export class Attr {
  readonly mem: NativeMemory;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  /** Bytes [0, dirty) may be non-zero; reset clears only those (a lookup touches 32 of 168). */
  #dirty: number;

  constructor(size = BPF_ATTR_SIZE) {
    this.mem = new NativeMemory(size);
    this.view = this.mem.view;
    this.bytes = this.mem.bytes;
    this.#dirty = size;
  }

  reset(): this {
    if (this.#dirty > 0) this.bytes.fill(0, 0, this.#dirty);
    this.#dirty = 0;
    return this;
  }
  /** markDirty records that the kernel or a caller wrote bytes up to `end` behind our back. */
  markDirty(end = this.bytes.length): void {
    if (end > this.#dirty) this.#dirty = end;
  }
  u32(off: number, v: number): this {
    this.view.setUint32(off, v >>> 0, true);
    if (off + 4 > this.#dirty) this.#dirty = off + 4;
    return this;
  }
  i32(off: number, v: number): this {
    this.view.setInt32(off, v, true);
    if (off + 4 > this.#dirty) this.#dirty = off + 4;
    return this;
  }
  /** u64 writes a 64-bit field; numbers must be safe integers (addresses, sizes). */
  u64(off: number, v: number | bigint): this {
    if (typeof v === "bigint") {
      this.view.setBigUint64(off, BigInt.asUintN(64, v), true);
    } else {
      this.view.setUint32(off, v % 0x1_0000_0000, true);
      this.view.setUint32(off + 4, Math.floor(v / 0x1_0000_0000), true);
    }
    if (off + 8 > this.#dirty) this.#dirty = off + 8;
    return this;
  }
  /** ptr writes the address of `mem` (or NULL). */
  ptr(off: number, mem: NativeMemory | undefined): this {
    return this.u64(off, mem === undefined ? 0 : mem.address);
  }
  /** name writes a NUL-padded object name, cut to `len - 1` bytes. */
  name(off: number, len: number, s: string): this {
    const enc = encoder.encode(s).subarray(0, len - 1);
    this.bytes.fill(0, off, off + len);
    this.bytes.set(enc, off);
    this.markDirty(off + len);
    return this;
  }
  getU32(off: number): number {
    return this.view.getUint32(off, true);
  }
  getU64(off: number): bigint {
    return this.view.getBigUint64(off, true);
  }
}

const encoder = new TextEncoder();
let shared: Attr | undefined;
/** sharedAttr returns this thread's scratch bpf_attr, zeroed. */
export function sharedAttr(): Attr {
  shared ??= new Attr();
  return shared.reset();
}

/**
 * bpfRaw issues bpf(cmd, attr, size) and returns the result, or -errno on failure: the hot
 * path (lookups) branches on ENOENT without building an error.
 */
export function bpfRaw(cmd: number, attr: Attr, size = BPF_ATTR_SIZE): number {
  const n = nativeLayer();
  const r = n.syscall3(SYS_bpf, cmd, attr.mem.address, size);
  // map create and element commands write nothing back; every other command may (retval,
  // count, log_true_size…), so its bytes must be cleared before the next command
  if (cmd > BPF_MAP_GET_NEXT_KEY) attr.markDirty(size);
  return r < 0 ? -n.koffi.errno() : r;
}

/** bpfAttr issues bpf(cmd, attr) and throws BpfSyscallError (`BPF_MAP_CREATE: EPERM …`) on failure. */
export function bpfAttr(cmd: number, attr: Attr, detail?: string): number {
  const r = bpfRaw(cmd, attr);
  if (r < 0) throw syscallError(bpfCommandName(cmd), -r, detail);
  return r;
}

/**
 * bpf issues bpf(cmd, attr) for a caller-built 168-byte `union bpf_attr`. The bytes are copied
 * into C memory for the call and copied back (out fields such as `retval`, `count`,
 * `log_true_size`). Pointer fields must already hold addresses of live C memory (NativeMemory).
 */
export function bpf(cmd: number, attr: Uint8Array): number {
  if (attr.length > BPF_ATTR_SIZE) throw syscallError(bpfCommandName(cmd), Errno.E2BIG, `attr of ${attr.length} bytes`);
  const a = sharedAttr();
  a.bytes.set(attr);
  a.markDirty(attr.length);
  try {
    return bpfAttr(cmd, a);
  } finally {
    attr.set(a.bytes.subarray(0, attr.length));
  }
}

/** mmap maps memory; `fd` -1 with MAP_ANONYMOUS for anonymous memory. Returns the address. */
export function mmap(address: number, length: number, prot: number, flags: number, fd: number, offset = 0): number {
  const n = nativeLayer();
  const r = n.mmap(address, length, prot, flags, fd, offset);
  if (r === -1) throw syscallError("mmap", n.koffi.errno(), `${length} bytes at 0x${address.toString(16)}`);
  return r;
}

/** munmap unmaps `length` bytes at `address`. */
export function munmap(address: number, length: number): void {
  const n = nativeLayer();
  if (n.munmap(address, length) !== 0) throw syscallError("munmap", n.koffi.errno());
}

/** perfEventOpen calls perf_event_open(2) with a perf_event_attr in C memory; returns the fd. */
export function perfEventOpen(attr: NativeMemory, pid: number, cpu: number, groupFd: number, flags: number): number {
  const n = nativeLayer();
  const r = n.syscall5(SYS_perf_event_open, attr.address, pid, cpu, groupFd, flags);
  if (r < 0) throw syscallError("perf_event_open", n.koffi.errno());
  return r;
}

/** ioctl calls ioctl(fd, request, arg) with an integer argument. */
export function ioctl(fd: number, request: number, arg: number): number {
  const n = nativeLayer();
  const r = n.ioctl(fd, request, arg);
  if (r < 0) throw syscallError(`ioctl(0x${request.toString(16)})`, n.koffi.errno());
  return r;
}

/** close closes a file descriptor; EBADF is reported (closing twice is the caller's bug here). */
export function close(fd: number): void {
  const n = nativeLayer();
  if (n.close(fd) !== 0) throw syscallError("close", n.koffi.errno(), `fd ${fd}`);
}

/** read reads up to `length` bytes into `into` (at `offset`); returns the count, 0 at end. */
export function read(fd: number, into: NativeMemory, offset = 0, length = into.length - offset): number {
  const n = nativeLayer();
  for (;;) {
    const r = n.read(fd, into.address + offset, length);
    if (r >= 0) return r;
    const e = n.koffi.errno();
    if (e !== 4 /* EINTR */) throw syscallError("read", e, `fd ${fd}`);
  }
}

/** mount calls mount(2) with no data. */
export function mount(source: string, target: string, fstype: string, flags = 0): void {
  const n = nativeLayer();
  if (n.mount(source, target, fstype, flags, null) !== 0) {
    throw syscallError("mount", n.koffi.errno(), `${fstype} on ${target}`);
  }
}

/** pidfdOpen returns a pidfd for `pid` (the user-space key of task storage maps). */
export function pidfdOpen(pid: number, flags = 0): number {
  const n = nativeLayer();
  const r = n.syscall3(SYS_pidfd_open, pid, flags, 0);
  if (r < 0) throw syscallError("pidfd_open", n.koffi.errno(), `pid ${pid}`);
  return r;
}
