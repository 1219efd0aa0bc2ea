import * as layout from "@bpf-skel/sdk/storage";
import type { SimArena } from "./arena.js";

// Local copies of the imported bindings: test runners turn imported names into getter calls,
// which costs more than the work in these hot paths.
const { BSKEL_CLASS_STRIDES, BSKEL_LAYOUT_VERSION, BSKEL_PAGE_ABSENT, BSKEL_PAGE_META, BSKEL_PAGE_PREPARED, BSKEL_PAGE_SIZE, BSKEL_PGDESC_PER_PAGE, BSKEL_PGDESC_PGOFF, BSKEL_POOL_MAX, BSKEL_REGION_MAGIC_HI, BSKEL_REGION_MAGIC_LO, CLASS, CLASS_SIZE, COUNTERS, PGDESC, PGDESC_SIZE, REGION, slotsPerPage } = layout;

/** RegionOptions sizes a region inside an arena. */
export interface RegionOptions {
  /** regionPage: arena page of the header (pages below stand for `.addr_space.1` globals). Unset = 1. */
  regionPage?: number;
  /** poolTarget: pages a refill keeps prepared (≤ 64). Unset = 16. */
  poolTarget?: number;
}

/** Counter names one of the header's u64 counters. */
export type Counter = keyof typeof COUNTERS;

/**
 * RegionPages is the page side of the region allocator: the header's fields and counters, the
 * page descriptors, and the page supply — pages made present only by a sleepable refill at the
 * lowest absent page, handed to non-sleepable paths from the prepared pool.
 */
export class RegionPages {
  readonly arena: SimArena;
  /** base: byte offset of the region (its header) in the arena. */
  readonly base: number;
  readonly regionPage: number;
  readonly maxPages: number;
  protected readonly u8: Uint8Array;
  protected readonly u16: Uint16Array;
  protected readonly u32: Uint32Array;
  /** f64 views the same bytes 8 at a time (zeroing values takes half the stores). */
  protected readonly f64: Float64Array;
  protected readonly descBase: number;
  protected readonly firstDataPage: number;
  protected absentHint: number;
  protected epochDirty = false;

  constructor(arena: SimArena, options: RegionOptions = {}) {
    this.arena = arena;
    this.regionPage = options.regionPage ?? 1;
    this.base = this.regionPage * BSKEL_PAGE_SIZE;
    this.maxPages = arena.pages - this.regionPage;
    const descPages = Math.ceil(this.maxPages / BSKEL_PGDESC_PER_PAGE);
    this.firstDataPage = BSKEL_PGDESC_PGOFF + descPages;
    if (this.maxPages < this.firstDataPage + 4) throw new RangeError(`arena of ${arena.pages} pages is too small for a region`);
    this.absentHint = this.firstDataPage;
    this.u8 = new Uint8Array(arena.buffer);
    this.u16 = new Uint16Array(arena.buffer);
    this.u32 = new Uint32Array(arena.buffer);
    this.f64 = new Float64Array(arena.buffer);
    this.descBase = this.base + BSKEL_PGDESC_PGOFF * BSKEL_PAGE_SIZE;
    this.#init(Math.min(BSKEL_POOL_MAX, options.poolTarget ?? 16), descPages);
  }

  // --- header fields -------------------------------------------------------------------

  protected h32(off: number): number {
    return this.u32[(this.base + off) >>> 2]!;
  }
  protected setH32(off: number, v: number): void {
    this.u32[(this.base + off) >>> 2] = v;
  }
  protected inc(c: Counter, by = 1): void {
    this.add64((this.base + REGION.counters + COUNTERS[c]) >>> 2, by);
  }
  /** add64 adds `by` to the little-endian u64 at u32 index `i` (counters; totals stay below 2^53). */
  protected add64(i: number, by: number): void {
    const u32 = this.u32;
    const lo = u32[i]! + by;
    if (lo > 0xffffffff) {
      u32[i] = lo - 0x100000000;
      u32[i + 1]!++;
    } else if (lo < 0) {
      u32[i] = lo + 0x100000000;
      u32[i + 1]!--;
    } else u32[i] = lo;
  }
  /** counter reads one of the header counters (live totals fit a double). */
  counter(c: Counter): number {
    const i = (this.base + REGION.counters + COUNTERS[c]) >>> 2;
    return this.u32[i]! + this.u32[i + 1]! * 0x100000000;
  }
  get hwmPages(): number {
    return this.h32(REGION.hwm_pages);
  }
  get presentPages(): number {
    return this.h32(REGION.present_pages);
  }
  get epoch(): number {
    return this.h32(REGION.epoch) + this.h32(REGION.epoch + 4) * 0x100000000;
  }
  get poolSize(): number {
    return this.h32(REGION.pool_nr);
  }
  get poolTarget(): number {
    return this.h32(REGION.pool_target);
  }
  get dataPage(): number {
    return this.firstDataPage;
  }

  // --- page descriptors ----------------------------------------------------------------

  protected desc(p: number): number {
    return this.descBase + p * PGDESC_SIZE;
  }
  /** pageKind returns the descriptor kind of region page `p` (ABSENT past the high-water mark). */
  pageKind(p: number): number {
    if (p >= this.hwmPages && p > 1) return BSKEL_PAGE_ABSENT;
    return this.u8[this.desc(p) + PGDESC.kind]!;
  }

  protected bumpEpoch(): void {
    if (!this.epochDirty) return;
    this.epochDirty = false;
    const i = (this.base + REGION.epoch) >>> 2;
    const lo = this.u32[i]! + 1;
    if (lo > 0xffffffff) {
      this.u32[i] = 0;
      this.u32[i + 1]!++;
    } else this.u32[i] = lo;
  }

  /** makePresent asks the arena for region page `p` (sleepable only) and records it with `kind`. */
  protected makePresent(p: number, kind: number): boolean {
    const descPage = BSKEL_PGDESC_PGOFF + Math.floor(p / BSKEL_PGDESC_PER_PAGE);
    if (descPage !== p && !this.arena.isPresent(this.regionPage + descPage)) {
      if (!this.makePresent(descPage, BSKEL_PAGE_META)) return false;
    }
    this.inc("page_allocs");
    if (!this.arena.allocPage(this.regionPage + p)) {
      this.inc("page_allocs", -1);
      this.inc("page_alloc_fail");
      return false;
    }
    this.u8[this.desc(p) + PGDESC.kind] = kind;
    this.setH32(REGION.present_pages, this.h32(REGION.present_pages) + 1);
    if (p + 1 > this.h32(REGION.hwm_pages)) this.setH32(REGION.hwm_pages, p + 1);
    this.epochDirty = true;
    return true;
  }

  #init(poolTarget: number, descPages: number): void {
    // Header and first descriptor page first; magic last so a reader sees a whole header.
    if (!this.arena.allocPage(this.regionPage) || !this.arena.allocPage(this.regionPage + 1)) {
      throw new RangeError("arena refused the region's first pages");
    }
    this.setH32(REGION.version, BSKEL_LAYOUT_VERSION);
    this.setH32(REGION.page_size, BSKEL_PAGE_SIZE);
    this.setH32(REGION.region_pgoff, this.regionPage);
    this.setH32(REGION.max_pages, this.maxPages);
    this.setH32(REGION.hwm_pages, 2);
    this.setH32(REGION.present_pages, 2);
    this.setH32(REGION.pgdesc_pgoff, BSKEL_PGDESC_PGOFF);
    this.setH32(REGION.pgdesc_pages, descPages);
    this.setH32(REGION.data_pgoff, this.firstDataPage);
    this.setH32(REGION.pool_target, poolTarget);
    this.u8[this.desc(0) + PGDESC.kind] = BSKEL_PAGE_META;
    this.u8[this.desc(1) + PGDESC.kind] = BSKEL_PAGE_META;
    this.inc("page_allocs", 2);
    for (let c = 0; c < BSKEL_CLASS_STRIDES.length; c++) {
      const cls = this.base + REGION.classes + c * CLASS_SIZE;
      const stride = BSKEL_CLASS_STRIDES[c]!;
      this.u16[(cls + CLASS.stride) >>> 1] = stride;
      this.u16[(cls + CLASS.nr_slots) >>> 1] = slotsPerPage(stride);
      this.u32[(cls + CLASS.scan_hint) >>> 2] = this.firstDataPage;
    }
    this.setH32(REGION.epoch, 1);
    Atomics.store(this.u32, (this.base + REGION.magic + 4) >>> 2, BSKEL_REGION_MAGIC_HI);
    Atomics.store(this.u32, (this.base + REGION.magic) >>> 2, BSKEL_REGION_MAGIC_LO);
  }

  // --- the prepared pool ---------------------------------------------------------------

  #lowestAbsent(): number {
    const hwm = this.h32(REGION.hwm_pages);
    for (let p = Math.max(this.absentHint, this.firstDataPage); p < hwm; p++) {
      if (this.u8[this.desc(p) + PGDESC.kind] === BSKEL_PAGE_ABSENT) {
        this.absentHint = p + 1;
        return p;
      }
    }
    const next = Math.max(hwm, this.firstDataPage);
    this.absentHint = next + 1;
    return next < this.maxPages ? next : -1;
  }

  /**
   * refill is the sleepable path (a SEC("syscall") program on the kernel): tops the pool up to
   * pool_target with the lowest absent pages and publishes the epoch. Returns pages added.
   */
  refill(): number {
    let added = 0;
    let nr = this.h32(REGION.pool_nr);
    const target = this.h32(REGION.pool_target);
    const poolAt = (this.base + REGION.pool) >>> 2;
    while (nr < target) {
      const p = this.#lowestAbsent();
      if (p < 0 || !this.makePresent(p, BSKEL_PAGE_PREPARED)) break;
      // Keep pool[] descending so pool[nr-1] (taken first) is the lowest page.
      let i = nr;
      while (i > 0 && this.u32[poolAt + i - 1]! < p) {
        this.u32[poolAt + i] = this.u32[poolAt + i - 1]!;
        i--;
      }
      this.u32[poolAt + i] = p;
      nr++;
      added++;
    }
    this.setH32(REGION.pool_nr, nr);
    this.inc("pool_refills");
    this.bumpEpoch();
    return added;
  }

  /** takePage pops the lowest prepared page for `kind`; 0 when none (a non-sleepable caller gets NULL). */
  protected takePage(kind: number, sleepable: boolean): number {
    let nr = this.h32(REGION.pool_nr);
    if (nr === 0) {
      if (!sleepable) {
        this.inc("pool_empty");
        return 0;
      }
      this.refill();
      nr = this.h32(REGION.pool_nr);
      if (nr === 0) return 0;
    }
    nr--;
    const p = this.u32[((this.base + REGION.pool) >>> 2) + nr]!;
    this.setH32(REGION.pool_nr, nr);
    this.u8[this.desc(p) + PGDESC.kind] = kind;
    return p;
  }
}
