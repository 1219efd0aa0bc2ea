import { NativeMemory } from "./native.js";

/**
 * Scratch is a growable C buffer reused across calls, so the per-call cost of a map lookup
 * is a copy of the key and the value, not an allocation. `prefix(n)` hands out a cached view
 * of its first n bytes.
 */
export class Scratch {
  #mem: NativeMemory | undefined;
  #prefix: Uint8Array | undefined;

  constructor(readonly initial = 256) {}

  /** ensure returns C memory of at least `length` bytes (contents are not preserved on growth). */
  ensure(length: number): NativeMemory {
    const m = this.#mem;
    if (m !== undefined && m.length >= length) return m;
    let size = m?.length ?? this.initial;
    while (size < length) size *= 2;
    m?.[Symbol.dispose]();
    this.#prefix = undefined;
    return (this.#mem = new NativeMemory(size));
  }

  /** put copies `data` in and returns the memory. */
  put(data: Uint8Array): NativeMemory {
    const m = this.ensure(data.length);
    m.bytes.set(data);
    return m;
  }

  /** prefix returns a view of the first `length` bytes (call ensure first). */
  prefix(length: number): Uint8Array {
    const p = this.#prefix;
    if (p !== undefined && p.length === length) return p;
    return (this.#prefix = this.#mem!.bytes.subarray(0, length));
  }
}
