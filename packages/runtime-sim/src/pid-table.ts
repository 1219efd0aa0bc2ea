/**
 * PidTable is the kernel's pid table (the pid IDR): pid → task, pids handed out cyclically
 * like alloc_pid()'s idr_alloc_cyclic. Two levels of 1024-slot chunks, a chunk present only
 * while it holds a task, so memory follows the live tasks, not the highest pid, and no
 * pid_max-sized (or ever-growing) array is copied on fork.
 */
const CHUNK_SHIFT = 10;
const CHUNK = 1 << CHUNK_SHIFT;
const MASK = CHUNK - 1;
// New chunks are copies of this one: one array shape for V8 from the first fork on
// (new Array(n).fill() changes shape as its allocation site learns, deoptimizing fork).
const EMPTY_CHUNK: undefined[] = Array.from({ length: CHUNK }, () => undefined);

export class PidTable<T> {
  readonly pidMax: number;
  readonly #chunks: ((T | undefined)[] | undefined)[];
  readonly #used: Int32Array;
  // One emptied chunk kept for the next one needed: a task alone in its chunk exiting just
  // before the next fork must not cost a 1024-slot allocation per fork.
  #spare: (T | undefined)[] | undefined;
  #last = 0;
  #count = 0;

  constructor(pidMax: number) {
    this.pidMax = pidMax;
    const n = ((pidMax + MASK) >>> CHUNK_SHIFT) + 1;
    this.#used = new Int32Array(n);
    this.#chunks = new Array<(T | undefined)[] | undefined>(n).fill(undefined);
  }

  get size(): number {
    return this.#count;
  }

  get(pid: number): T | undefined {
    return this.#chunks[pid >>> CHUNK_SHIFT]?.[pid & MASK];
  }

  /** alloc returns the next free pid after the last one handed out (wrapping to 1), or 0 when all are taken. */
  alloc(): number {
    let pid = this.#last;
    for (let n = 1; n < this.pidMax; n++) {
      pid = pid + 1 >= this.pidMax ? 1 : pid + 1;
      const c = pid >>> CHUNK_SHIFT;
      // A full chunk is skipped whole (pid_max-sized scans only when nearly every pid is taken).
      if (this.#used[c] === CHUNK) {
        pid = (c << CHUNK_SHIFT) + MASK;
        continue;
      }
      const chunk = this.#chunks[c];
      if (chunk === undefined || chunk[pid & MASK] === undefined) {
        this.#last = pid;
        return pid;
      }
    }
    return 0;
  }

  /** set stores `value` at a free `pid` (from alloc). */
  set(pid: number, value: T): void {
    const c = pid >>> CHUNK_SHIFT;
    let chunk = this.#chunks[c];
    if (chunk === undefined) {
      chunk = this.#spare ?? (EMPTY_CHUNK.slice() as (T | undefined)[]);
      this.#spare = undefined;
      this.#chunks[c] = chunk;
    }
    chunk[pid & MASK] = value;
    this.#used[c]!++;
    this.#count++;
  }

  /** delete frees `pid`; its chunk goes once empty. */
  delete(pid: number): void {
    const c = pid >>> CHUNK_SHIFT;
    const chunk = this.#chunks[c];
    if (chunk === undefined || chunk[pid & MASK] === undefined) return;
    chunk[pid & MASK] = undefined;
    this.#count--;
    if (--this.#used[c]! === 0) {
      this.#chunks[c] = undefined;
      this.#spare = chunk;
    }
  }

  /**
   * values lists the entries in pid order, each at most once even if tasks exit and fork
   * during the walk (as a Map iterator would: entries added behind the walk are not seen).
   */
  *values(): IterableIterator<T> {
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      if (chunks[c] === undefined) continue;
      for (let i = 0; i < CHUNK; i++) {
        // The chunk is looked up again at every step, never held: once emptied it is the
        // spare, and a fork may already have placed it at another pid range.
        const chunk = chunks[c];
        if (chunk === undefined) break;
        const v = chunk[i];
        if (v !== undefined) yield v;
      }
    }
  }
}
