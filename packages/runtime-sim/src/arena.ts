import { BSKEL_PAGE_SIZE } from "@bpf-skel/sdk/storage";

/** ArenaFaults configures fault injection for the simulated arena's page allocator. */
export interface ArenaFaults {
  /** failNthAlloc: the Nth page allocation from now (1 = the next one) fails; unset = none. */
  failNthAlloc?: number;
  /** maxPresent caps present pages; allocations beyond it fail. Unset = the arena size. */
  maxPresent?: number;
}

/**
 * SimArena stands in for a BPF_MAP_TYPE_ARENA: a SharedArrayBuffer reserved for `pages`
 * pages (the OS commits its memory lazily) plus an explicit bitmap of present pages, so
 * "present pages" is a measurement, not a guess. allocPage/freePage play
 * bpf_arena_alloc_pages/bpf_arena_free_pages with an explicit address: a freed page reads
 * as zeros again, like the fresh zero page a later fault would map.
 */
export class SimArena {
  readonly pages: number;
  readonly buffer: SharedArrayBuffer;
  readonly #present: Uint8Array;
  readonly #bytes: Uint8Array;
  #presentCount = 0;
  #allocCalls = 0;
  #faults: ArenaFaults = {};
  #failAt = 0;

  constructor(pages: number) {
    if (!Number.isInteger(pages) || pages < 2 || pages > 1 << 20) throw new RangeError(`arena pages ${pages} outside [2, 2^20]`);
    this.pages = pages;
    this.buffer = new SharedArrayBuffer(pages * BSKEL_PAGE_SIZE);
    this.#bytes = new Uint8Array(this.buffer);
    this.#present = new Uint8Array(pages);
  }

  /** presentPages counts pages present now. */
  get presentPages(): number {
    return this.#presentCount;
  }

  /** allocCalls counts page allocation attempts (for fault-injection tests). */
  get allocCalls(): number {
    return this.#allocCalls;
  }

  isPresent(page: number): boolean {
    return this.#present[page] === 1;
  }

  /** setFaults replaces the fault-injection settings; failNthAlloc counts from this call. */
  setFaults(faults: ArenaFaults): void {
    this.#faults = { ...faults };
    this.#failAt = faults.failNthAlloc !== undefined ? this.#allocCalls + faults.failNthAlloc : 0;
  }

  /** allocPage makes `page` present (zeroed); false when it is taken, out of range, or a fault is injected. */
  allocPage(page: number): boolean {
    this.#allocCalls++;
    if (this.#failAt !== 0 && this.#allocCalls === this.#failAt) return false;
    if (page < 0 || page >= this.pages || this.#present[page] === 1) return false;
    if (this.#faults.maxPresent !== undefined && this.#presentCount >= this.#faults.maxPresent) return false;
    this.#present[page] = 1;
    this.#presentCount++;
    return true;
  }

  /** freePage returns `page`; its bytes read as zeros afterwards (a later fault maps a zero page). */
  freePage(page: number): void {
    if (this.#present[page] !== 1) return;
    this.#present[page] = 0;
    this.#presentCount--;
    this.#bytes.fill(0, page * BSKEL_PAGE_SIZE, (page + 1) * BSKEL_PAGE_SIZE);
  }
}
