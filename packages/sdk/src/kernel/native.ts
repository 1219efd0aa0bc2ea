import { createRequire } from "node:module";
import { BpfSyscallError } from "../errors/index.js";
import { errnoName, errnoText } from "./errno.js";

/**
 * native is the only code that leaves JavaScript: koffi (a prebuilt FFI) calling libc's
 * `syscall`, `mmap`, `munmap`, `ioctl`, `read`, `close`, `mount`, `calloc` and `free`.
 * It loads lazily, on the first kernel call, through createRequire: importing the SDK, the
 * simulator and `npm start` never touch koffi, so they work where it cannot load.
 *
 * Addresses travel as JS numbers: x86-64 user addresses fit in 47 bits, so no BigInt per call.
 */

// The subset of koffi's API we use; typed here so a missing koffi does not break type-checking.
interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
  errno(): number;
  view(ptr: number, len: number): ArrayBuffer;
}

type Fn<A extends unknown[], R> = (...args: A) => R;

interface Libc {
  readonly koffi: Koffi;
  readonly syscall3: Fn<[number, number, number, number], number>;
  readonly syscall5: Fn<[number, number, number, number, number, number], number>;
  readonly mmap: Fn<[number, number, number, number, number, number], number>;
  readonly munmap: Fn<[number, number], number>;
  readonly ioctl: Fn<[number, number, number], number>;
  readonly read: Fn<[number, number, number], number>;
  readonly close: Fn<[number], number>;
  readonly mount: Fn<[string, string, string, number, null], number>;
  readonly flock: Fn<[number, number], number>;
  readonly calloc: Fn<[number, number], number>;
  readonly free: Fn<[number], void>;
}

let libc: Libc | undefined;
let loadFailure: BpfSyscallError | undefined;

/** nativeLayer returns the loaded libc bindings, loading koffi on first use. */
export function nativeLayer(): Libc {
  if (libc !== undefined) return libc;
  if (loadFailure !== undefined) throw loadFailure;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require("koffi") as Koffi;
    const lib = koffi.load("libc.so.6");
    // Fixed-arity prototypes for variadic syscall()/ioctl(): on x86-64 the integer registers
    // are the same either way and glibc's syscall() is assembly that ignores %al.
    libc = {
      koffi,
      syscall3: lib.func("long syscall(long nr, long a, intptr_t b, long c)") as Libc["syscall3"],
      syscall5: lib.func("long syscall(long nr, intptr_t a, long b, long c, long d, long e)") as Libc["syscall5"],
      mmap: lib.func("intptr_t mmap(intptr_t addr, size_t len, int prot, int flags, int fd, int64_t off)") as Libc["mmap"],
      munmap: lib.func("int munmap(intptr_t addr, size_t len)") as Libc["munmap"],
      ioctl: lib.func("int ioctl(int fd, unsigned long req, intptr_t arg)") as Libc["ioctl"],
      read: lib.func("intptr_t read(int fd, intptr_t buf, size_t n)") as Libc["read"],
      close: lib.func("int close(int fd)") as Libc["close"],
      mount: lib.func(
        "int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const void *data)",
      ) as Libc["mount"],
      flock: lib.func("int flock(int fd, int op)") as Libc["flock"],
      calloc: lib.func("intptr_t calloc(size_t n, size_t size)") as Libc["calloc"],
      free: lib.func("void free(intptr_t p)") as Libc["free"],
    };
    return libc;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    loadFailure = new BpfSyscallError("native", 38, "ENOSYS", `koffi could not load: ${why}`);
    throw loadFailure;
  }
}

/** nativeAvailable reports whether the native layer loads here (without throwing). */
export function nativeAvailable(): boolean {
  try {
    nativeLayer();
    return true;
  } catch {
    return false;
  }
}

/** errno returns the errno left by the last native call. */
export function errno(): number {
  return nativeLayer().koffi.errno();
}

/** syscallError builds the typed error for a failed call: `BPF_MAP_CREATE: EPERM (operation not permitted)`. */
export function syscallError(command: string, err: number, detail?: string): BpfSyscallError {
  const text = errnoText(err);
  return new BpfSyscallError(command, err, errnoName(err), detail ? `${text}; ${detail}` : text);
}

/** MAX_VIEW_LENGTH is the largest ArrayBuffer V8 makes over external memory (4 GiB on Node 20). */
export const MAX_VIEW_LENGTH = 2 ** 32;

/**
 * viewOf returns a zero-copy ArrayBuffer over `length` bytes at `address`. The caller keeps
 * the memory alive; an access after it is unmapped or freed crashes the process, because V8
 * cannot detach external buffers.
 */
export function viewOf(address: number, length: number): ArrayBuffer {
  if (length > MAX_VIEW_LENGTH) {
    // koffi aborts the process (not a throw) past V8's limit, so refuse before asking.
    throw syscallError("view", 34, `length ${length} exceeds the ${MAX_VIEW_LENGTH}-byte ArrayBuffer limit`);
  }
  if (length === 0) return new ArrayBuffer(0);
  return nativeLayer().koffi.view(address, length);
}

const finalizer = new FinalizationRegistry<number>((address) => {
  if (libc !== undefined) libc.free(address);
});

/**
 * NativeMemory is zeroed C heap memory with a stable address, for the pointer fields of
 * `union bpf_attr` (keys, values, instructions, logs). `bytes` and `view` alias it without copy.
 * Dispose frees it; a forgotten one is freed by a FinalizationRegistry — so keep the
 * NativeMemory itself reachable while its `bytes`/`view` are in use, or copy them out.
 */
export class NativeMemory implements Disposable {
  readonly address: number;
  readonly length: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  #freed = false;

  constructor(length: number) {
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_VIEW_LENGTH) {
      throw syscallError("calloc", 22, `bad buffer length ${length}`);
    }
    const n = nativeLayer();
    const size = Math.max(length, 8);
    const address = n.calloc(1, size);
    if (address === 0) throw syscallError("calloc", 12, `${size} bytes`);
    this.address = address;
    this.length = length;
    const ab = viewOf(address, size);
    this.bytes = new Uint8Array(ab, 0, length);
    this.view = new DataView(ab, 0, length);
    finalizer.register(this, address, this);
  }

  /** copyFrom builds NativeMemory holding a copy of `data` (at least `minLength` bytes). */
  static copyOf(data: Uint8Array, minLength = data.length): NativeMemory {
    const m = new NativeMemory(Math.max(data.length, minLength));
    m.bytes.set(data);
    return m;
  }

  /** cString builds NativeMemory holding `s` as a NUL-terminated UTF-8 string. */
  static cString(s: string): NativeMemory {
    const enc = new TextEncoder().encode(s);
    const m = new NativeMemory(enc.length + 1);
    m.bytes.set(enc);
    return m;
  }

  get freed(): boolean {
    return this.#freed;
  }

  [Symbol.dispose](): void {
    if (this.#freed) return;
    this.#freed = true;
    finalizer.unregister(this);
    nativeLayer().free(this.address);
  }
}
