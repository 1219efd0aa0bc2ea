import * as layout from "@bpf-skel/sdk/storage";
import type { OwnerKind } from "@bpf-skel/sdk/storage";
// Local copies of the imported bindings: test runners turn imported names into getter calls,
// which costs more than the work in these hot paths.
const { BSKEL_CLASS_STRIDES, BSKEL_ENTRY_FREE, BSKEL_ENTRY_LIVE, BSKEL_INDEX_L1_FANOUT, BSKEL_INDEX_L1_SHIFT, BSKEL_INDEX_ROOT_SHIFT, BSKEL_KEY_LIMIT, BSKEL_LAYOUT_VERSION, BSKEL_MAP_NAME_LEN, BSKEL_MAX_MAPS, BSKEL_PAGE_ABSENT, BSKEL_PAGE_INDEX_L1, BSKEL_PAGE_INDEX_LEAF, BSKEL_PAGE_META, BSKEL_PAGE_PREPARED, BSKEL_PAGE_RETIRED, BSKEL_PAGE_SHIFT, BSKEL_PAGE_SIZE, BSKEL_PAGE_SLAB, BSKEL_PGDESC_PER_PAGE, BSKEL_PGDESC_PGOFF, BSKEL_POOL_MAX, BSKEL_REGION_MAGIC_HI, BSKEL_REGION_MAGIC_LO, BSKEL_SLAB_HDR_SIZE, CLASS, CLASS_SIZE, COUNTERS, ENTRY, MAP_DESC, MAP_DESC_SIZE, PGDESC, PGDESC_SIZE, REGION, SLAB, classFor, ownerKindCode, slotsPerPage, valueOffset } = layout;
import type { SimArena } from "./arena.js";

/** RegionOptions sizes a region inside an arena. */
export interface RegionOptions {
  /** regionPage: arena page of the header (pages below stand for `.addr_space.1` globals). Unset = 1. */
  regionPage?: number;
  /** poolTarget: pages a refill keeps prepared (≤ 64). Unset = 16. */
  poolTarget?: number;
}

/** MapRegistration describes one storage map placed in the region. */
export interface MapRegistration {
  readonly name: string;
  readonly owner: OwnerKind;
  readonly valueSize: number;
  readonly valueAlign: number;
}

type Counter = keyof typeof COUNTERS;

/**
 * RegionWriter is the mapped-storage allocator of docs/storage-layout.md in TypeScript — what
 * the BPF C library does over the arena, in the same order, with the same bytes. It is the
 * "kernel side": single writer (the simulator is single-threaded), never throws into BPF code
 * for lack of memory (returns 0 = NULL), and only allocates pages when `sleepable` says the
 * calling context could call bpf_arena_alloc_pages on 6.18.
 */
export class RegionWriter {
  readonly arena: SimArena;
  /** base: byte offset of the region (its header) in the arena. */
  readonly base: number;
  readonly regionPage: number;
  readonly maxPages: number;
  readonly #u8: Uint8Array;
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  readonly #descBase: number;
  readonly #dataPage: number;
  #absentHint: number;
  #epochDirty = false;

  constructor(arena: SimArena, options: RegionOptions = {}) {
    this.arena = arena;
    this.regionPage = options.regionPage ?? 1;
    this.base = this.regionPage * BSKEL_PAGE_SIZE;
    this.maxPages = arena.pages - this.regionPage;
    const descPages = Math.ceil(this.maxPages / BSKEL_PGDESC_PER_PAGE);
    this.#dataPage = BSKEL_PGDESC_PGOFF + descPages;
    if (this.maxPages < this.#dataPage + 4) throw new RangeError(`arena of ${arena.pages} pages is too small for a region`);
    this.#absentHint = this.#dataPage;
    this.#u8 = new Uint8Array(arena.buffer);
    this.#u16 = new Uint16Array(arena.buffer);
    this.#u32 = new Uint32Array(arena.buffer);
    this.#descBase = this.base + BSKEL_PGDESC_PGOFF * BSKEL_PAGE_SIZE;
    this.#init(Math.min(BSKEL_POOL_MAX, options.poolTarget ?? 16), descPages);
  }

  // --- header fields -------------------------------------------------------------------

  #h32(off: number): number {
    return this.#u32[(this.base + off) >> 2]!;
  }
  #setH32(off: number, v: number): void {
    this.#u32[(this.base + off) >> 2] = v;
  }
  #inc(c: Counter, by = 1): void {
    const i = (this.base + REGION.counters + COUNTERS[c]) >> 2;
    const lo = this.#u32[i]! + by;
    if (lo > 0xffffffff) {
      this.#u32[i] = lo - 0x100000000;
      this.#u32[i + 1]!++;
    } else if (lo < 0) {
      this.#u32[i] = lo + 0x100000000;
      this.#u32[i + 1]!--;
    } else this.#u32[i] = lo;
  }
  #inc64(absByte: number, by: number): void {
    const i = absByte >> 2;
    const lo = this.#u32[i]! + by;
    if (lo > 0xffffffff) {
      this.#u32[i] = lo - 0x100000000;
      this.#u32[i + 1]!++;
    } else this.#u32[i] = lo;
  }
  /** counter reads one of the header counters (live totals fit a double). */
  counter(c: Counter): number {
    const i = (this.base + REGION.counters + COUNTERS[c]) >> 2;
    return this.#u32[i]! + this.#u32[i + 1]! * 0x100000000;
  }
  get hwmPages(): number {
    return this.#h32(REGION.hwm_pages);
  }
  get presentPages(): number {
    return this.#h32(REGION.present_pages);
  }
  get epoch(): number {
    return this.#h32(REGION.epoch) + this.#h32(REGION.epoch + 4) * 0x100000000;
  }
  get poolSize(): number {
    return this.#h32(REGION.pool_nr);
  }
  get poolTarget(): number {
    return this.#h32(REGION.pool_target);
  }
  get dataPage(): number {
    return this.#dataPage;
  }

  // --- page descriptors ----------------------------------------------------------------

  #desc(p: number): number {
    return this.#descBase + p * PGDESC_SIZE;
  }
  /** pageKind returns the descriptor kind of region page `p` (ABSENT past the high-water mark). */
  pageKind(p: number): number {
    if (p >= this.hwmPages && p > 1) return BSKEL_PAGE_ABSENT;
    return this.#u8[this.#desc(p) + PGDESC.kind]!;
  }

  #bumpEpoch(): void {
    if (!this.#epochDirty) return;
    this.#epochDirty = false;
    const i = (this.base + REGION.epoch) >> 2;
    const lo = this.#u32[i]! + 1;
    if (lo > 0xffffffff) {
      this.#u32[i] = 0;
      this.#u32[i + 1]!++;
    } else this.#u32[i] = lo;
  }

  /** #makePresent asks the arena for region page `p` (sleepable only) and records it with `kind`. */
  #makePresent(p: number, kind: number): boolean {
    const descPage = BSKEL_PGDESC_PGOFF + Math.floor(p / BSKEL_PGDESC_PER_PAGE);
    if (descPage !== p && !this.arena.isPresent(this.regionPage + descPage)) {
      if (!this.#makePresent(descPage, BSKEL_PAGE_META)) return false;
    }
    this.#inc("page_allocs");
    if (!this.arena.allocPage(this.regionPage + p)) {
      this.#inc("page_allocs", -1);
      this.#inc("page_alloc_fail");
      return false;
    }
    this.#u8[this.#desc(p) + PGDESC.kind] = kind;
    this.#setH32(REGION.present_pages, this.#h32(REGION.present_pages) + 1);
    if (p + 1 > this.#h32(REGION.hwm_pages)) this.#setH32(REGION.hwm_pages, p + 1);
    this.#epochDirty = true;
    return true;
  }

  #init(poolTarget: number, descPages: number): void {
    // Header and first descriptor page first; magic last so a reader sees a whole header.
    if (!this.arena.allocPage(this.regionPage) || !this.arena.allocPage(this.regionPage + 1)) {
      throw new RangeError("arena refused the region's first pages");
    }
    this.#setH32(REGION.version, BSKEL_LAYOUT_VERSION);
    this.#setH32(REGION.page_size, BSKEL_PAGE_SIZE);
    this.#setH32(REGION.region_pgoff, this.regionPage);
    this.#setH32(REGION.max_pages, this.maxPages);
    this.#setH32(REGION.hwm_pages, 2);
    this.#setH32(REGION.present_pages, 2);
    this.#setH32(REGION.pgdesc_pgoff, BSKEL_PGDESC_PGOFF);
    this.#setH32(REGION.pgdesc_pages, descPages);
    this.#setH32(REGION.data_pgoff, this.#dataPage);
    this.#setH32(REGION.pool_target, poolTarget);
    this.#u8[this.#desc(0) + PGDESC.kind] = BSKEL_PAGE_META;
    this.#u8[this.#desc(1) + PGDESC.kind] = BSKEL_PAGE_META;
    this.#inc("page_allocs", 2);
    for (let c = 0; c < BSKEL_CLASS_STRIDES.length; c++) {
      const cls = this.base + REGION.classes + c * CLASS_SIZE;
      const stride = BSKEL_CLASS_STRIDES[c]!;
      this.#u16[(cls + CLASS.stride) >> 1] = stride;
      this.#u16[(cls + CLASS.nr_slots) >> 1] = slotsPerPage(stride);
      this.#u32[(cls + CLASS.scan_hint) >> 2] = this.#dataPage;
    }
    this.#setH32(REGION.epoch, 1);
    Atomics.store(this.#u32, (this.base + REGION.magic + 4) >> 2, BSKEL_REGION_MAGIC_HI);
    Atomics.store(this.#u32, (this.base + REGION.magic) >> 2, BSKEL_REGION_MAGIC_LO);
  }

  // --- maps ----------------------------------------------------------------------------

  /** registerMap places a storage map in the region and returns its map id; throws on a bad value type (a load-time error). */
  registerMap(reg: MapRegistration): number {
    const id = this.#h32(REGION.nr_maps);
    if (id >= BSKEL_MAX_MAPS) throw new RangeError(`region holds at most ${BSKEL_MAX_MAPS} storage maps`);
    const cls = classFor(reg.valueSize, reg.valueAlign);
    if (cls < 0 || reg.valueSize <= 0) throw new RangeError(`value of ${reg.valueSize} bytes, align ${reg.valueAlign} does not fit a slab (v1 limit)`);
    const d = this.base + REGION.maps + id * MAP_DESC_SIZE;
    const name = new TextEncoder().encode(reg.name).subarray(0, BSKEL_MAP_NAME_LEN - 1);
    this.#u8.set(name, d + MAP_DESC.name);
    this.#u8[d + MAP_DESC.class_id] = cls;
    this.#u16[(d + MAP_DESC.value_off) >> 1] = valueOffset(reg.valueAlign);
    this.#u32[(d + MAP_DESC.value_size) >> 2] = reg.valueSize;
    this.#u32[(d + MAP_DESC.value_align) >> 2] = reg.valueAlign;
    this.#u8[d + MAP_DESC.owner_kind] = ownerKindCode(reg.owner);
    this.#setH32(REGION.nr_maps, id + 1);
    return id;
  }

  #mapDesc(mapId: number): number {
    return this.base + REGION.maps + mapId * MAP_DESC_SIZE;
  }

  /** valueOffsetOf returns the region-relative offset of the value of the entry at `entryOff`. */
  valueOffsetOf(mapId: number, entryOff: number): number {
    return entryOff + this.#u16[(this.#mapDesc(mapId) + MAP_DESC.value_off) >> 1]!;
  }

  // --- the prepared pool ---------------------------------------------------------------

  #lowestAbsent(): number {
    const hwm = this.#h32(REGION.hwm_pages);
    for (let p = Math.max(this.#absentHint, this.#dataPage); p < hwm; p++) {
      if (this.#u8[this.#desc(p) + PGDESC.kind] === BSKEL_PAGE_ABSENT) {
        this.#absentHint = p + 1;
        return p;
      }
    }
    const next = Math.max(hwm, this.#dataPage);
    this.#absentHint = next + 1;
    return next < this.maxPages ? next : -1;
  }

  /**
   * refill is the sleepable path (a SEC("syscall") program on the kernel): tops the pool up to
   * pool_target with the lowest absent pages and publishes the epoch. Returns pages added.
   */
  refill(): number {
    let added = 0;
    let nr = this.#h32(REGION.pool_nr);
    const target = this.#h32(REGION.pool_target);
    const poolAt = (this.base + REGION.pool) >> 2;
    while (nr < target) {
      const p = this.#lowestAbsent();
      if (p < 0 || !this.#makePresent(p, BSKEL_PAGE_PREPARED)) break;
      // Keep pool[] descending so pool[nr-1] (taken first) is the lowest page.
      let i = nr;
      while (i > 0 && this.#u32[poolAt + i - 1]! < p) {
        this.#u32[poolAt + i] = this.#u32[poolAt + i - 1]!;
        i--;
      }
      this.#u32[poolAt + i] = p;
      nr++;
      added++;
    }
    this.#setH32(REGION.pool_nr, nr);
    this.#inc("pool_refills");
    this.#bumpEpoch();
    return added;
  }

  /** #takePage pops the lowest prepared page for `kind`; 0 when none (a non-sleepable caller gets NULL). */
  #takePage(kind: number, sleepable: boolean): number {
    let nr = this.#h32(REGION.pool_nr);
    if (nr === 0) {
      if (!sleepable) {
        this.#inc("pool_empty");
        return 0;
      }
      this.refill();
      nr = this.#h32(REGION.pool_nr);
      if (nr === 0) return 0;
    }
    nr--;
    const p = this.#u32[((this.base + REGION.pool) >> 2) + nr]!;
    this.#setH32(REGION.pool_nr, nr);
    this.#u8[this.#desc(p) + PGDESC.kind] = kind;
    return p;
  }

  // --- the owner index -----------------------------------------------------------------

  /** lookup returns the entry offset published for `key` in map `mapId`, or 0. */
  lookup(mapId: number, key: number): number {
    const w = this.#leafWord(mapId, key, false, false);
    return w < 0 ? 0 : this.#u32[w]!;
  }

  /** #leafWord returns the u32 index of the low half of key's index word, or -1 (creating pages when `create`). */
  #leafWord(mapId: number, key: number, create: boolean, sleepable: boolean): number {
    const rootAt = (this.#mapDesc(mapId) + MAP_DESC.index_root) >> 2;
    const r = key >>> BSKEL_INDEX_ROOT_SHIFT;
    let l1 = this.#u32[rootAt + r]!;
    if (l1 === 0) {
      if (!create) return -1;
      l1 = this.#takePage(BSKEL_PAGE_INDEX_L1, sleepable);
      if (l1 === 0) return -1;
      this.#u32[(this.#desc(l1) + PGDESC.aux) >> 2] = mapId;
      this.#inc("index_pages");
      this.#u32[rootAt + r] = l1; // linked only once present and zeroed
    }
    const l1At = (this.base + l1 * BSKEL_PAGE_SIZE) >> 2;
    const li = (key >>> BSKEL_INDEX_L1_SHIFT) & (BSKEL_INDEX_L1_FANOUT - 1);
    let leaf = this.#u32[l1At + li]!;
    if (leaf === 0) {
      if (!create) return -1;
      leaf = this.#takePage(BSKEL_PAGE_INDEX_LEAF, sleepable);
      if (leaf === 0) return -1;
      this.#u32[(this.#desc(leaf) + PGDESC.aux) >> 2] = mapId;
      this.#inc("index_pages");
      this.#u32[l1At + li] = leaf;
      this.#u16[(this.#desc(l1) + PGDESC.nr_live) >> 1]!++;
    }
    return ((this.base + leaf * BSKEL_PAGE_SIZE) >> 2) + (key & 511) * 2;
  }

  // --- entries -------------------------------------------------------------------------

  /** #findSlab returns the lowest slab page of class `c` with a free slot, or 0. */
  #findSlab(c: number): number {
    const cls = this.base + REGION.classes + c * CLASS_SIZE;
    const hwm = this.#h32(REGION.hwm_pages);
    const slots = this.#u16[(cls + CLASS.nr_slots) >> 1]!;
    let p = this.#u32[(cls + CLASS.scan_hint) >> 2]!;
    for (; p < hwm; p++) {
      const d = this.#desc(p);
      if (this.#u8[d + PGDESC.kind] === BSKEL_PAGE_SLAB && this.#u8[d + PGDESC.class_id] === c && this.#u16[(d + PGDESC.nr_live) >> 1]! < slots) {
        this.#u32[(cls + CLASS.scan_hint) >> 2] = p;
        return p;
      }
    }
    this.#u32[(cls + CLASS.scan_hint) >> 2] = hwm;
    return 0;
  }

  #newSlab(c: number, sleepable: boolean): number {
    const p = this.#takePage(BSKEL_PAGE_SLAB, sleepable);
    if (p === 0) return 0;
    const cls = this.base + REGION.classes + c * CLASS_SIZE;
    const slots = this.#u16[(cls + CLASS.nr_slots) >> 1]!;
    const pg = this.base + p * BSKEL_PAGE_SIZE;
    const mask = (pg + SLAB.free_mask) >> 2;
    for (let w = 0; w < 4; w++) {
      const bits = Math.max(0, Math.min(32, slots - w * 32));
      this.#u32[mask + w] = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    }
    this.#u16[(pg + SLAB.class_id) >> 1] = c;
    this.#u16[(pg + SLAB.nr_slots) >> 1] = slots;
    this.#u32[(pg + SLAB.page_no) >> 2] = p;
    this.#u8[this.#desc(p) + PGDESC.class_id] = c;
    this.#u32[(cls + CLASS.nr_pages) >> 2]!++;
    this.#inc("slab_pages");
    if (p < this.#u32[(cls + CLASS.scan_hint) >> 2]!) this.#u32[(cls + CLASS.scan_hint) >> 2] = p;
    return p;
  }

  /**
   * allocEntry creates the entry of `key` in map `mapId` (the caller checked it is absent) and
   * publishes it in the owner index. Returns the entry's region offset, or 0 (NULL) when out of
   * pages or the key is out of range — never throws.
   */
  allocEntry(mapId: number, key: number, sleepable: boolean): number {
    if (key <= 0 || key >= BSKEL_KEY_LIMIT || mapId >= this.#h32(REGION.nr_maps)) return this.#fail();
    const md = this.#mapDesc(mapId);
    // Index pages first: a failure then leaves no half-made entry behind.
    const word = this.#leafWord(mapId, key, true, sleepable);
    if (word < 0) return this.#fail();
    const c = this.#u8[md + MAP_DESC.class_id]!;
    let p = this.#findSlab(c);
    if (p === 0) p = this.#newSlab(c, sleepable);
    if (p === 0) return this.#fail();
    const pg = this.base + p * BSKEL_PAGE_SIZE;
    const mask = (pg + SLAB.free_mask) >> 2;
    let slot = -1;
    for (let w = 0; w < 4; w++) {
      const bits = this.#u32[mask + w]!;
      if (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        this.#u32[mask + w] = bits & ~(1 << b);
        slot = w * 32 + b;
        break;
      }
    }
    const cls = this.base + REGION.classes + c * CLASS_SIZE;
    const stride = this.#u16[(cls + CLASS.stride) >> 1]!;
    const d = this.#desc(p);
    const live = ++this.#u16[(d + PGDESC.nr_live) >> 1]!;
    this.#u32[(cls + CLASS.nr_live) >> 2]!++;
    if (live === this.#u16[(cls + CLASS.nr_slots) >> 1]!) this.#u32[(cls + CLASS.scan_hint) >> 2] = p + 1;
    const off = p * BSKEL_PAGE_SIZE + BSKEL_SLAB_HDR_SIZE + slot * stride;
    const e = this.base + off;
    const valueOff = this.#u16[(md + MAP_DESC.value_off) >> 1]!;
    const valueSize = this.#u32[(md + MAP_DESC.value_size) >> 2]!;
    this.#zero(e + valueOff, e + stride);
    this.#u32[(e + ENTRY.owner_id) >> 2] = key;
    this.#u32[(e + ENTRY.owner_id + 4) >> 2] = 0;
    this.#u16[(e + ENTRY.map_id) >> 1] = mapId;
    this.#u8[e + ENTRY.owner_kind] = this.#u8[md + MAP_DESC.owner_kind]!;
    let gen = this.#u32[(e + ENTRY.gen) >> 2]!;
    if (gen === 0) this.#u32[(e + ENTRY.gen) >> 2] = gen = 1;
    this.#u8[e + ENTRY.state] = BSKEL_ENTRY_LIVE;
    // Publish: high half (gen) first, then the offset with a release store (the C side writes
    // the whole word at once); a reader seeing the new offset with an old gen only misses.
    this.#u32[word + 1] = gen;
    Atomics.store(this.#u32, word, off);
    const leafPage = (word * 4 - this.base) >>> BSKEL_PAGE_SHIFT;
    this.#u16[(this.#desc(leafPage) + PGDESC.nr_live) >> 1]!++;
    this.#u32[(md + MAP_DESC.nr_live) >> 2]!++;
    this.#inc64(md + MAP_DESC.creates, 1);
    this.#inc("allocs");
    this.#inc("live_entries");
    this.#inc("live_bytes", valueSize);
    return off;
  }

  /** #zero clears [from, to), both 8-byte aligned (value start to entry end), word by word. */
  #zero(from: number, to: number): void {
    const u32 = this.#u32;
    for (let i = from >> 2, end = to >> 2; i < end; i++) u32[i] = 0;
  }

  #fail(): number {
    this.#inc("alloc_fail");
    return 0;
  }

  /** freeEntry frees key's entry in map `mapId` (index word first, then the entry); false when absent. */
  freeEntry(mapId: number, key: number): boolean {
    if (key <= 0 || key >= BSKEL_KEY_LIMIT || mapId >= this.#h32(REGION.nr_maps)) return false;
    const word = this.#leafWord(mapId, key, false, false);
    if (word < 0) return false;
    const off = this.#u32[word]!;
    if (off === 0) return false;
    Atomics.store(this.#u32, word, 0);
    this.#u32[word + 1] = 0;
    const leafPage = (word * 4 - this.base) >>> BSKEL_PAGE_SHIFT;
    this.#u16[(this.#desc(leafPage) + PGDESC.nr_live) >> 1]!--;
    const md = this.#mapDesc(mapId);
    const e = this.base + off;
    const seqAt = (e + ENTRY.seq) >> 2;
    Atomics.add(this.#u32, seqAt, 1); // odd: writer inside
    this.#u8[e + ENTRY.state] = BSKEL_ENTRY_FREE;
    const gen = (this.#u32[(e + ENTRY.gen) >> 2]! + 1) >>> 0;
    this.#u32[(e + ENTRY.gen) >> 2] = gen === 0 ? 1 : gen;
    this.#u32[(e + ENTRY.owner_id) >> 2] = 0;
    this.#u32[(e + ENTRY.owner_id + 4) >> 2] = 0;
    const valueOff = this.#u16[(md + MAP_DESC.value_off) >> 1]!;
    const valueSize = this.#u32[(md + MAP_DESC.value_size) >> 2]!;
    const c = this.#u8[md + MAP_DESC.class_id]!;
    const cls = this.base + REGION.classes + c * CLASS_SIZE;
    const stride = this.#u16[(cls + CLASS.stride) >> 1]!;
    this.#zero(e + valueOff, e + stride);
    Atomics.add(this.#u32, seqAt, 1); // even again
    const p = off >>> BSKEL_PAGE_SHIFT;
    const pg = this.base + p * BSKEL_PAGE_SIZE;
    const slot = (off - p * BSKEL_PAGE_SIZE - BSKEL_SLAB_HDR_SIZE) / stride;
    this.#u32[((pg + SLAB.free_mask) >> 2) + (slot >> 5)]! |= 1 << (slot & 31);
    this.#u16[(this.#desc(p) + PGDESC.nr_live) >> 1]!--;
    this.#u32[(cls + CLASS.nr_live) >> 2]!--;
    if (p < this.#u32[(cls + CLASS.scan_hint) >> 2]!) this.#u32[(cls + CLASS.scan_hint) >> 2] = p;
    this.#u32[(md + MAP_DESC.nr_live) >> 2]!--;
    this.#inc64(md + MAP_DESC.deletes, 1);
    this.#inc("frees");
    this.#inc("live_entries", -1);
    this.#inc("live_bytes", -valueSize);
    return true;
  }

  /**
   * trim is the optional sleepable shrink: frees the pages the previous trim retired, then
   * retires pages that hold nothing (unlinking index pages first). Returns pages freed.
   */
  trim(): number {
    const hwm = this.#h32(REGION.hwm_pages);
    let freed = 0;
    for (let p = this.#dataPage; p < hwm; p++) {
      const d = this.#desc(p);
      if (this.#u8[d + PGDESC.kind] !== BSKEL_PAGE_RETIRED) continue;
      this.arena.freePage(this.regionPage + p);
      this.#u8.fill(0, d, d + PGDESC_SIZE);
      this.#setH32(REGION.present_pages, this.#h32(REGION.present_pages) - 1);
      this.#inc("page_frees");
      if (p < this.#absentHint) this.#absentHint = p;
      this.#epochDirty = true;
      freed++;
    }
    const nrMaps = this.#h32(REGION.nr_maps);
    for (let p = this.#dataPage; p < hwm; p++) {
      const d = this.#desc(p);
      const kind = this.#u8[d + PGDESC.kind]!;
      if (this.#u16[(d + PGDESC.nr_live) >> 1] !== 0) continue;
      if (kind === BSKEL_PAGE_SLAB) {
        const c = this.#u8[d + PGDESC.class_id]!;
        this.#u32[(this.base + REGION.classes + c * CLASS_SIZE + CLASS.nr_pages) >> 2]!--;
        this.#inc("slab_pages", -1);
        this.#u8[d + PGDESC.kind] = BSKEL_PAGE_RETIRED;
      } else if (kind === BSKEL_PAGE_INDEX_LEAF || kind === BSKEL_PAGE_INDEX_L1) {
        const mapId = this.#u32[(d + PGDESC.aux) >> 2]!;
        if (mapId < nrMaps && this.#unlinkIndexPage(mapId, p, kind)) {
          this.#inc("index_pages", -1);
          this.#u8[d + PGDESC.kind] = BSKEL_PAGE_RETIRED;
        }
      }
    }
    this.#bumpEpoch();
    return freed;
  }

  #unlinkIndexPage(mapId: number, page: number, kind: number): boolean {
    const rootAt = (this.#mapDesc(mapId) + MAP_DESC.index_root) >> 2;
    for (let r = 0; r < 64; r++) {
      const l1 = this.#u32[rootAt + r]!;
      if (l1 === 0) continue;
      if (kind === BSKEL_PAGE_INDEX_L1) {
        if (l1 === page) {
          this.#u32[rootAt + r] = 0;
          return true;
        }
        continue;
      }
      const l1At = (this.base + l1 * BSKEL_PAGE_SIZE) >> 2;
      for (let i = 0; i < BSKEL_INDEX_L1_FANOUT; i++) {
        if (this.#u32[l1At + i] === page) {
          this.#u32[l1At + i] = 0;
          this.#u16[(this.#desc(l1) + PGDESC.nr_live) >> 1]!--;
          return true;
        }
      }
    }
    return false;
  }
}
