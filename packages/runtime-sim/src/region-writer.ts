import * as layout from "@bpf-skel/sdk/storage";
import type { OwnerKind } from "@bpf-skel/sdk/storage";
import { RegionPages } from "./region-pages.js";

export type { RegionOptions } from "./region-pages.js";

// Local copies of the imported bindings: test runners turn imported names into getter calls,
// which costs more than the work in these hot paths.
const { BSKEL_ENTRY_FREE, BSKEL_ENTRY_LIVE, BSKEL_INDEX_L1_FANOUT, BSKEL_INDEX_L1_SHIFT, BSKEL_INDEX_ROOT_SHIFT, BSKEL_KEY_LIMIT, BSKEL_MAP_NAME_LEN, BSKEL_MAX_MAPS, BSKEL_PAGE_INDEX_L1, BSKEL_PAGE_INDEX_LEAF, BSKEL_PAGE_RETIRED, BSKEL_PAGE_SHIFT, BSKEL_PAGE_SIZE, BSKEL_PAGE_SLAB, BSKEL_SLAB_HDR_SIZE, CLASS, CLASS_SIZE, COUNTERS, ENTRY, MAP_DESC, MAP_DESC_SIZE, PGDESC, PGDESC_SIZE, REGION, SLAB, classFor, ownerKindCode, valueOffset } = layout;

// Counter offsets for the hot paths: a string-keyed lookup per counter bump costs more than the bump.
const C_ALLOCS = COUNTERS.allocs;
const C_FREES = COUNTERS.frees;
const C_LIVE_ENTRIES = COUNTERS.live_entries;
const C_LIVE_BYTES = COUNTERS.live_bytes;
// Class strides are fixed by the layout (RegionPages writes them at init); 1/stride turns the
// slot number of a free into a multiply (r is a multiple of stride: rounding is exact).
const INV_STRIDE = Float64Array.from(layout.BSKEL_CLASS_STRIDES, (s) => 1 / s);

/** MapRegistration describes one storage map placed in the region. */
export interface MapRegistration {
  readonly name: string;
  readonly owner: OwnerKind;
  readonly valueSize: number;
  readonly valueAlign: number;
}

/**
 * RegionWriter is the mapped-storage allocator of docs/storage-layout.md in TypeScript — what
 * the BPF C library does over the arena, in the same order, with the same bytes. It is the
 * "kernel side": single writer (the simulator is single-threaded), never throws into BPF code
 * for lack of memory (returns 0 = NULL), and only allocates pages when `sleepable` says the
 * calling context could call bpf_arena_alloc_pages on 6.18.
 */
export class RegionWriter extends RegionPages {
  // JS-side copies of what registerMap wrote (fixed per map): the hot paths read them instead
  // of re-deriving them from the map descriptor on every call. nr_maps only grows here.
  #nrMaps = 0;
  readonly #mapClass = new Int32Array(BSKEL_MAX_MAPS);
  readonly #mapValueOff = new Int32Array(BSKEL_MAX_MAPS);
  readonly #mapValueSize = new Int32Array(BSKEL_MAX_MAPS);
  // u32 indexes of the header counters the hot paths bump.
  readonly #cAllocs = (this.base + REGION.counters + C_ALLOCS) >>> 2;
  readonly #cFrees = (this.base + REGION.counters + C_FREES) >>> 2;
  readonly #cLiveEntries = (this.base + REGION.counters + C_LIVE_ENTRIES) >>> 2;
  readonly #cLiveBytes = (this.base + REGION.counters + C_LIVE_BYTES) >>> 2;

  // --- maps ----------------------------------------------------------------------------

  /** registerMap places a storage map in the region and returns its map id; throws on a bad value type (a load-time error). */
  registerMap(reg: MapRegistration): number {
    const id = this.h32(REGION.nr_maps);
    if (id >= BSKEL_MAX_MAPS) throw new RangeError(`region holds at most ${BSKEL_MAX_MAPS} storage maps`);
    const cls = classFor(reg.valueSize, reg.valueAlign);
    if (cls < 0 || reg.valueSize <= 0) throw new RangeError(`value of ${reg.valueSize} bytes, align ${reg.valueAlign} does not fit a slab (v1 limit)`);
    const d = this.base + REGION.maps + id * MAP_DESC_SIZE;
    const name = new TextEncoder().encode(reg.name).subarray(0, BSKEL_MAP_NAME_LEN - 1);
    this.u8.set(name, d + MAP_DESC.name);
    this.u8[d + MAP_DESC.class_id] = cls;
    const valueOff = valueOffset(reg.valueAlign);
    this.u16[(d + MAP_DESC.value_off) >>> 1] = valueOff;
    this.u32[(d + MAP_DESC.value_size) >>> 2] = reg.valueSize;
    this.u32[(d + MAP_DESC.value_align) >>> 2] = reg.valueAlign;
    this.u8[d + MAP_DESC.owner_kind] = ownerKindCode(reg.owner);
    this.setH32(REGION.nr_maps, id + 1);
    this.#mapClass[id] = cls;
    this.#mapValueOff[id] = valueOff;
    this.#mapValueSize[id] = reg.valueSize;
    this.#nrMaps = id + 1;
    return id;
  }

  #mapDesc(mapId: number): number {
    return this.base + REGION.maps + mapId * MAP_DESC_SIZE;
  }

  /** valueOffsetOf returns the region-relative offset of the value of the entry at `entryOff`. */
  valueOffsetOf(mapId: number, entryOff: number): number {
    return entryOff + this.u16[(this.#mapDesc(mapId) + MAP_DESC.value_off) >>> 1]!;
  }

  // --- the owner index -----------------------------------------------------------------

  /** lookup returns the entry offset published for `key` in map `mapId`, or 0. */
  lookup(mapId: number, key: number): number {
    const w = this.#leafWord(mapId, key, false, false);
    return w < 0 ? 0 : this.u32[w]!;
  }

  /** #leafWord returns the u32 index of the low half of key's index word, or -1 (creating pages when `create`). */
  #leafWord(mapId: number, key: number, create: boolean, sleepable: boolean): number {
    const rootAt = (this.#mapDesc(mapId) + MAP_DESC.index_root) >>> 2;
    const r = key >>> BSKEL_INDEX_ROOT_SHIFT;
    let l1 = this.u32[rootAt + r]!;
    if (l1 === 0) {
      if (!create) return -1;
      l1 = this.takePage(BSKEL_PAGE_INDEX_L1, sleepable);
      if (l1 === 0) return -1;
      this.u32[(this.desc(l1) + PGDESC.aux) >>> 2] = mapId;
      this.inc("index_pages");
      this.u32[rootAt + r] = l1; // linked only once present and zeroed
    }
    const l1At = (this.base + l1 * BSKEL_PAGE_SIZE) >>> 2;
    const li = (key >>> BSKEL_INDEX_L1_SHIFT) & (BSKEL_INDEX_L1_FANOUT - 1);
    let leaf = this.u32[l1At + li]!;
    if (leaf === 0) {
      if (!create) return -1;
      leaf = this.takePage(BSKEL_PAGE_INDEX_LEAF, sleepable);
      if (leaf === 0) return -1;
      this.u32[(this.desc(leaf) + PGDESC.aux) >>> 2] = mapId;
      this.inc("index_pages");
      this.u32[l1At + li] = leaf;
      this.u16[(this.desc(l1) + PGDESC.nr_live) >>> 1]!++;
    }
    return ((this.base + leaf * BSKEL_PAGE_SIZE) >>> 2) + (key & 511) * 2;
  }

  // --- entries -------------------------------------------------------------------------

  /** #findSlab returns the lowest slab page of class `c` with a free slot, or 0. */
  #findSlab(c: number): number {
    const cls = this.base + REGION.classes + c * CLASS_SIZE;
    const hwm = this.h32(REGION.hwm_pages);
    const slots = this.u16[(cls + CLASS.nr_slots) >>> 1]!;
    let p = this.u32[(cls + CLASS.scan_hint) >>> 2]!;
    for (; p < hwm; p++) {
      const d = this.desc(p);
      if (this.u8[d + PGDESC.kind] === BSKEL_PAGE_SLAB && this.u8[d + PGDESC.class_id] === c && this.u16[(d + PGDESC.nr_live) >>> 1]! < slots) {
        this.u32[(cls + CLASS.scan_hint) >>> 2] = p;
        return p;
      }
    }
    this.u32[(cls + CLASS.scan_hint) >>> 2] = hwm;
    return 0;
  }

  #newSlab(c: number, sleepable: boolean): number {
    const p = this.takePage(BSKEL_PAGE_SLAB, sleepable);
    if (p === 0) return 0;
    const cls = this.base + REGION.classes + c * CLASS_SIZE;
    const slots = this.u16[(cls + CLASS.nr_slots) >>> 1]!;
    const pg = this.base + p * BSKEL_PAGE_SIZE;
    const mask = (pg + SLAB.free_mask) >>> 2;
    for (let w = 0; w < 4; w++) {
      const bits = Math.max(0, Math.min(32, slots - w * 32));
      this.u32[mask + w] = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    }
    this.u16[(pg + SLAB.class_id) >>> 1] = c;
    this.u16[(pg + SLAB.nr_slots) >>> 1] = slots;
    this.u32[(pg + SLAB.page_no) >>> 2] = p;
    this.u8[this.desc(p) + PGDESC.class_id] = c;
    this.u32[(cls + CLASS.nr_pages) >>> 2]!++;
    this.inc("slab_pages");
    if (p < this.u32[(cls + CLASS.scan_hint) >>> 2]!) this.u32[(cls + CLASS.scan_hint) >>> 2] = p;
    return p;
  }

  /**
   * allocEntry creates the entry of `key` in map `mapId` (the caller checked it is absent) and
   * publishes it in the owner index. Returns the entry's region offset, or 0 (NULL) when out of
   * pages or the key is out of range — never throws.
   */
  allocEntry(mapId: number, key: number, sleepable: boolean): number {
    if (key <= 0 || key >= BSKEL_KEY_LIMIT || mapId >= this.#nrMaps) return this.#fail();
    // Index pages first: a failure then leaves no half-made entry behind.
    const word = this.#leafWord(mapId, key, true, sleepable);
    if (word < 0) return this.#fail();
    const c = this.#mapClass[mapId]!;
    let p = this.#findSlab(c);
    if (p === 0) p = this.#newSlab(c, sleepable);
    if (p === 0) return this.#fail();
    const u8 = this.u8;
    const u16 = this.u16;
    const u32 = this.u32;
    const base = this.base;
    const pg = base + p * BSKEL_PAGE_SIZE;
    const mask = (pg + SLAB.free_mask) >>> 2;
    let slot = -1;
    for (let w = 0; w < 4; w++) {
      const bits = u32[mask + w]!;
      if (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        u32[mask + w] = bits & ~(1 << b);
        slot = w * 32 + b;
        break;
      }
    }
    const cls = base + REGION.classes + c * CLASS_SIZE;
    const stride = u16[(cls + CLASS.stride) >>> 1]!;
    const live = ++u16[(this.desc(p) + PGDESC.nr_live) >>> 1]!;
    u32[(cls + CLASS.nr_live) >>> 2]!++;
    if (live === u16[(cls + CLASS.nr_slots) >>> 1]!) u32[(cls + CLASS.scan_hint) >>> 2] = p + 1;
    const off = p * BSKEL_PAGE_SIZE + BSKEL_SLAB_HDR_SIZE + slot * stride;
    const e = base + off;
    this.#zero(e + this.#mapValueOff[mapId]!, e + stride);
    u32[(e + ENTRY.owner_id) >>> 2] = key;
    u32[(e + ENTRY.owner_id + 4) >>> 2] = 0;
    u16[(e + ENTRY.map_id) >>> 1] = mapId;
    const md = this.#mapDesc(mapId);
    u8[e + ENTRY.owner_kind] = u8[md + MAP_DESC.owner_kind]!;
    let gen = u32[(e + ENTRY.gen) >>> 2]!;
    if (gen === 0) u32[(e + ENTRY.gen) >>> 2] = gen = 1;
    u8[e + ENTRY.state] = BSKEL_ENTRY_LIVE;
    // Publish: high half (gen) first, then the offset with a release store (the C side writes
    // the whole word at once); a reader seeing the new offset with an old gen only misses.
    u32[word + 1] = gen;
    Atomics.store(u32, word, off);
    const leafPage = (word * 4 - base) >>> BSKEL_PAGE_SHIFT;
    u16[(this.desc(leafPage) + PGDESC.nr_live) >>> 1]!++;
    u32[(md + MAP_DESC.nr_live) >>> 2]!++;
    this.add64((md + MAP_DESC.creates) >>> 2, 1);
    this.add64(this.#cAllocs, 1);
    this.add64(this.#cLiveEntries, 1);
    this.add64(this.#cLiveBytes, this.#mapValueSize[mapId]!);
    return off;
  }

  /** #zero clears [from, to), both 8-byte aligned (value start to entry end), 8 bytes at a time. */
  #zero(from: number, to: number): void {
    const f64 = this.f64;
    for (let i = from >>> 3, end = to >>> 3; i < end; i++) f64[i] = 0;
  }

  #fail(): number {
    this.inc("alloc_fail");
    return 0;
  }

  /** freeEntry frees key's entry in map `mapId` (index word first, then the entry); false when absent. */
  freeEntry(mapId: number, key: number): boolean {
    if (key <= 0 || key >= BSKEL_KEY_LIMIT || mapId >= this.#nrMaps) return false;
    const word = this.#leafWord(mapId, key, false, false);
    if (word < 0) return false;
    const u8 = this.u8;
    const u16 = this.u16;
    const u32 = this.u32;
    const base = this.base;
    const off = u32[word]!;
    if (off === 0) return false;
    // Unpublish with plain stores. Nothing orders them for the reader (its #find loads index
    // words plainly and never reads seq), and nothing needs to: it checks the entry header
    // behind every word. A torn word reads as offset 0 (absent) or gen 0 (gen is never 0, so
    // it mismatches); a stale word meets the bumped gen, owner_id 0 or state FREE once those
    // stores show, and until then the entry as it was just before the free — in whatever
    // order the stores become visible. So two 32-bit stores may stand for §4's one 64-bit
    // store. An Atomics call here would cost as much as the rest of the unpublish.
    u32[word] = 0;
    u32[word + 1] = 0;
    const leafPage = (word * 4 - base) >>> BSKEL_PAGE_SHIFT;
    u16[(this.desc(leafPage) + PGDESC.nr_live) >>> 1]!--;
    const e = base + off;
    const seqAt = (e + ENTRY.seq) >>> 2;
    Atomics.add(u32, seqAt, 1); // odd: writer inside
    u8[e + ENTRY.state] = BSKEL_ENTRY_FREE;
    const gen = (u32[(e + ENTRY.gen) >>> 2]! + 1) >>> 0;
    u32[(e + ENTRY.gen) >>> 2] = gen === 0 ? 1 : gen;
    u32[(e + ENTRY.owner_id) >>> 2] = 0;
    u32[(e + ENTRY.owner_id + 4) >>> 2] = 0;
    const c = this.#mapClass[mapId]!;
    const cls = base + REGION.classes + c * CLASS_SIZE;
    const stride = u16[(cls + CLASS.stride) >>> 1]!;
    this.#zero(e + this.#mapValueOff[mapId]!, e + stride);
    Atomics.add(u32, seqAt, 1); // even again
    const p = off >>> BSKEL_PAGE_SHIFT;
    const pg = base + p * BSKEL_PAGE_SIZE;
    const slot = ((off - p * BSKEL_PAGE_SIZE - BSKEL_SLAB_HDR_SIZE) * INV_STRIDE[c]! + 0.5) | 0;
    u32[((pg + SLAB.free_mask) >>> 2) + (slot >>> 5)]! |= 1 << (slot & 31);
    u16[(this.desc(p) + PGDESC.nr_live) >>> 1]!--;
    u32[(cls + CLASS.nr_live) >>> 2]!--;
    if (p < u32[(cls + CLASS.scan_hint) >>> 2]!) u32[(cls + CLASS.scan_hint) >>> 2] = p;
    const md = this.#mapDesc(mapId);
    u32[(md + MAP_DESC.nr_live) >>> 2]!--;
    this.add64((md + MAP_DESC.deletes) >>> 2, 1);
    this.add64(this.#cFrees, 1);
    this.add64(this.#cLiveEntries, -1);
    this.add64(this.#cLiveBytes, -this.#mapValueSize[mapId]!);
    return true;
  }

  /**
   * trim is the optional sleepable shrink: frees the pages the previous trim retired, then
   * retires pages that hold nothing (unlinking index pages first). Returns pages freed.
   */
  trim(): number {
    const hwm = this.h32(REGION.hwm_pages);
    let freed = 0;
    for (let p = this.firstDataPage; p < hwm; p++) {
      const d = this.desc(p);
      if (this.u8[d + PGDESC.kind] !== BSKEL_PAGE_RETIRED) continue;
      this.arena.freePage(this.regionPage + p);
      this.u8.fill(0, d, d + PGDESC_SIZE);
      this.setH32(REGION.present_pages, this.h32(REGION.present_pages) - 1);
      this.inc("page_frees");
      if (p < this.absentHint) this.absentHint = p;
      this.epochDirty = true;
      freed++;
    }
    const nrMaps = this.h32(REGION.nr_maps);
    for (let p = this.firstDataPage; p < hwm; p++) {
      const d = this.desc(p);
      const kind = this.u8[d + PGDESC.kind]!;
      if (this.u16[(d + PGDESC.nr_live) >>> 1] !== 0) continue;
      if (kind === BSKEL_PAGE_SLAB) {
        const c = this.u8[d + PGDESC.class_id]!;
        this.u32[(this.base + REGION.classes + c * CLASS_SIZE + CLASS.nr_pages) >>> 2]!--;
        this.inc("slab_pages", -1);
        this.u8[d + PGDESC.kind] = BSKEL_PAGE_RETIRED;
      } else if (kind === BSKEL_PAGE_INDEX_LEAF || kind === BSKEL_PAGE_INDEX_L1) {
        const mapId = this.u32[(d + PGDESC.aux) >>> 2]!;
        if (mapId < nrMaps && this.#unlinkIndexPage(mapId, p, kind)) {
          this.inc("index_pages", -1);
          this.u8[d + PGDESC.kind] = BSKEL_PAGE_RETIRED;
        }
      }
    }
    this.bumpEpoch();
    return freed;
  }

  #unlinkIndexPage(mapId: number, page: number, kind: number): boolean {
    const rootAt = (this.#mapDesc(mapId) + MAP_DESC.index_root) >>> 2;
    for (let r = 0; r < 64; r++) {
      const l1 = this.u32[rootAt + r]!;
      if (l1 === 0) continue;
      if (kind === BSKEL_PAGE_INDEX_L1) {
        if (l1 === page) {
          this.u32[rootAt + r] = 0;
          return true;
        }
        continue;
      }
      const l1At = (this.base + l1 * BSKEL_PAGE_SIZE) >>> 2;
      for (let i = 0; i < BSKEL_INDEX_L1_FANOUT; i++) {
        if (this.u32[l1At + i] === page) {
          this.u32[l1At + i] = 0;
          this.u16[(this.desc(l1) + PGDESC.nr_live) >>> 1]!--;
          return true;
        }
      }
    }
    return false;
  }
}
