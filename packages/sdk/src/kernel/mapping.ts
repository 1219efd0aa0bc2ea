import type { MappedRegion } from "../transport/transport.js";
import { Errno } from "./errno.js";
import { MAX_VIEW_LENGTH, syscallError, viewOf } from "./native.js";
import { mmap, munmap } from "./syscalls.js";
import { MAP_FIXED_NOREPLACE, MAP_SHARED, PAGE_SIZE, PROT_READ, PROT_WRITE } from "./uapi.js";

/**
 * KernelMapping is a MAP_SHARED mapping of a map fd (mmapable array, arena) with a zero-copy
 * ArrayBuffer over it. V8 cannot detach external buffers, so after dispose the buffer still
 * points at unmapped memory: readers must check `closed` (StorageRegion does).
 * The view covers at most 4 GiB (V8's ArrayBuffer limit), which is also the largest arena.
 */
export class KernelMapping implements MappedRegion {
  readonly address: bigint;
  readonly length: number;
  readonly buffer: ArrayBuffer;
  readonly #addr: number;
  #closed = false;
  #onClose: ((m: KernelMapping) => void) | undefined;

  private constructor(addr: number, length: number, onClose?: (m: KernelMapping) => void) {
    this.#addr = addr;
    this.address = BigInt(addr);
    this.length = length;
    this.buffer = viewOf(addr, Math.min(length, MAX_VIEW_LENGTH));
    this.#onClose = onClose;
  }

  /**
   * map maps `length` bytes of `fd` at offset 0. With `address` the mapping must land exactly
   * there (arena `map_extra`): MAP_FIXED_NOREPLACE fails with EEXIST instead of silently
   * replacing whatever this process already has there (the V8 heap, a library).
   */
  static map(
    fd: number,
    length: number,
    opts: { address?: bigint; readOnly?: boolean; onClose?: (m: KernelMapping) => void } = {},
  ): KernelMapping {
    const size = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
    const prot = opts.readOnly ? PROT_READ : PROT_READ | PROT_WRITE;
    const want = opts.address === undefined ? 0 : Number(opts.address);
    const flags = MAP_SHARED | (want !== 0 ? MAP_FIXED_NOREPLACE : 0);
    const addr = mmap(want, size, prot, flags, fd, 0);
    if (want !== 0 && addr !== want) {
      // Kernels before 4.17 ignore MAP_FIXED_NOREPLACE and treat the address as a hint.
      munmap(addr, size);
      throw syscallError("mmap", Errno.EEXIST, `landed at 0x${addr.toString(16)}, not 0x${want.toString(16)}`);
    }
    try {
      return new KernelMapping(addr, length, opts.onClose);
    } catch (e) {
      munmap(addr, size);
      throw e;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    this.#closed = true;
    munmap(this.#addr, Math.ceil(this.length / PAGE_SIZE) * PAGE_SIZE);
    const cb = this.#onClose;
    this.#onClose = undefined;
    cb?.(this);
  }
}
