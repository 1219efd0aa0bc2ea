import { ClosedError, LayoutError, StaleHandleError } from "../errors/index.js";
import type { MappedRegion } from "../transport/index.js";
import { StructView, pinView } from "../views/index.js";
import * as contract from "./contract.js";
import type { OwnerKind } from "./contract.js";
import { ConsistentReadError } from "./errors.js";
import * as handles from "./handle.js";
import type { Handle } from "./handle.js";
import * as offsets from "./offsets.js";
import { StorageRegion, type MapInfo } from "./region.js";
import type { LocalStorageOptions, SlabWalk, StorageStats, ViewClass } from "./types.js";

export type { LocalStorageOptions, SlabWalk, StorageStats, ViewClass } from "./types.js";

// Local copies of the imported bindings: test runners turn imported names into getter calls,
// which costs more than the work in these hot paths.
const { BSKEL_ENTRY_LIVE, BSKEL_INDEX_L1_SHIFT, BSKEL_INDEX_ROOT_SHIFT, BSKEL_KEY_LIMIT, BSKEL_OWNER_CGROUP, BSKEL_OWNER_TASK, BSKEL_PAGE_SHIFT, BSKEL_PAGE_SIZE, BSKEL_PAGE_SLAB, BSKEL_SLAB_HDR_SIZE } = contract;
const { encodeHandle, handleGen, handleOffset } = handles;
const { CLASS, CLASS_SIZE, ENTRY, MAP_DESC, MAP_DESC_SIZE, PGDESC, PGDESC_SIZE, REGION } = offsets;
// Plain constants for the scan loop: property loads off the offset records are not folded.
const ENTRY_OWNER = ENTRY.owner_id;
const PGDESC_KIND = PGDESC.kind;
// An entry's map_id (u16) and state (u8) share one aligned u32 word (little-endian bytes 0-1 and 3):
// the hot paths test both with one load, `(word & TAG_MASK) === (LIVE << 24 | mapId)`.
if (ENTRY.map_id % 4 !== 0 || ENTRY.state !== ENTRY.map_id + 3) {
  throw new LayoutError(`bskel_entry: map_id at ${ENTRY.map_id} and state at ${ENTRY.state} do not share a u32 word`, { symbol: "bskel_entry" });
}
const ENTRY_TAG = ENTRY.map_id;
const ENTRY_TAG_W = ENTRY_TAG >> 2;
const ENTRY_GEN_W = ENTRY.gen >> 2;
const ENTRY_OWNER_W = ENTRY.owner_id >> 2;
const TAG_MASK = 0xff00ffff | 0;
const liveTag = (mapId: number): number => ((BSKEL_ENTRY_LIVE << 24) | mapId) & TAG_MASK;
const PGDESC_CLASS = PGDESC.class_id;
// Page number to u32 index by a shift: int32 arithmetic (pages < 2^20), where a multiply of the
// Uint32Array value would go through doubles.
const PAGE_WORD_SHIFT = BSKEL_PAGE_SHIFT - 2;

/**
 * LocalStorage reads one mapped storage map (task or cgroup storage) in place, with no syscall:
 * `get(owner)` walks the owner index and validates the entry header (docs/storage-layout.md §4),
 * returning one cached view per slot. Handles detect reuse through the generation; iteration
 * walks the map's slab pages; readConsistent retries around the entry's sequence counter.
 * `Map` brands the handles so handles of different maps do not mix.
 */
export class LocalStorage<V, Map extends string = string> implements Disposable, Iterable<[number, V]> {
  readonly region: StorageRegion;
  readonly info: MapInfo;
  readonly owner: OwnerKind;
  readonly #valueClass: ViewClass<V>;
  readonly #u8: Uint8Array;
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;
  /** #target is what views wrap: one DataView shared by every view for generated StructViews (their wrap takes a DataView as is), else the buffer. */
  readonly #target: ArrayBuffer | SharedArrayBuffer;
  /** #mapping is the region's mapping: once it is closed nothing may touch its buffer (on the kernel it is unmapped, and V8 cannot detach the buffer). */
  readonly #mapping: MappedRegion;
  /** #movable: values are StructViews (scan can move one cursor; cached views are pinned, see #wrapSlot). */
  readonly #movable: boolean;
  readonly #base: number;
  readonly #mapId: number;
  /** #tag is the entry word at ENTRY_TAG of a live entry of this map (see liveTag). */
  readonly #tag: number;
  readonly #rootIdx: number;
  readonly #valueOff: number;
  readonly #epochIdx: number;
  readonly #hwmIdx: number;
  readonly #maxRetries: number;
  /**
   * #views caches one view per slot in one flat array indexed by the slot's dense number
   * `page * slots + slot - #slotBias` (data pages only, see #slotNo): a random get then loads
   * one element, not an inner array and its elements as well. Grown by push only, so it stays
   * a fast-elements array (indexing by byte offset would leave gaps that turn it into a
   * dictionary). It costs a pointer per slot of every data page below the highest cached slot.
   */
  #views: (V | undefined)[] = [];
  /** #slotBias is the dense number the first data page's slot 0 would have without it (data_pgoff * slots). */
  readonly #slotBias: number;
  /** #base32 is #base in u32 words. */
  readonly #base32: number;
  /** #stride and #slots of this map's size class (fixed when the region is initialised). */
  readonly #stride: number;
  readonly #slots: number;
  readonly #invStride: number;
  /** #cursor is the view scan re-points at each entry (made on first use); #scanning counts scans running. */
  #cursor: StructView | undefined;
  #scanning = 0;
  #epoch: number;
  #hwm: number;
  #closed = false;

  /** open finds `mapName` in the region on `mapping` and checks that `valueClass` matches its value. */
  static open<V, M extends string = string>(mapping: MappedRegion, mapName: M, valueClass: ViewClass<V>, options: LocalStorageOptions = {}): LocalStorage<V, M> {
    return new LocalStorage<V, M>(new StorageRegion(mapping, options), mapName, valueClass, options);
  }

  constructor(region: StorageRegion, mapName: Map, valueClass: ViewClass<V>, options: LocalStorageOptions = {}) {
    const info = region.maps().find((m) => m.name === mapName);
    if (info === undefined) throw new LayoutError(`no storage map ${mapName} in the region`, { input: region.input, symbol: mapName });
    if (info.valueSize !== valueClass.size || info.valueAlign !== valueClass.align) {
      throw new LayoutError(
        `value type ${valueClass.name} (size ${valueClass.size}, align ${valueClass.align}) does not match the map's (size ${info.valueSize}, align ${info.valueAlign})`,
        { input: region.input, symbol: mapName },
      );
    }
    if (info.ownerKind !== BSKEL_OWNER_TASK && info.ownerKind !== BSKEL_OWNER_CGROUP) {
      throw new LayoutError(`unknown owner kind ${info.ownerKind}`, { input: region.input, symbol: mapName });
    }
    this.region = region;
    this.info = info;
    this.owner = info.ownerKind === BSKEL_OWNER_TASK ? "task" : "cgroup";
    this.#valueClass = valueClass;
    this.#u8 = region.u8;
    this.#u16 = region.u16;
    this.#u32 = region.u32;
    this.#i32 = region.i32;
    const buffer = region.mapping.buffer;
    this.#movable = (valueClass as unknown as { prototype: unknown }).prototype instanceof StructView;
    this.#target = this.#movable ? (new DataView(buffer) as unknown as ArrayBuffer) : buffer;
    this.#mapping = region.mapping;
    this.#base = region.base;
    this.#mapId = info.id;
    this.#tag = liveTag(info.id);
    this.#valueOff = info.valueOff;
    this.#rootIdx = (region.base + REGION.maps + info.id * MAP_DESC_SIZE + MAP_DESC.index_root) >>> 2;
    this.#epochIdx = (region.base + REGION.epoch) >>> 2;
    this.#hwmIdx = (region.base + REGION.hwm_pages) >>> 2;
    this.#maxRetries = options.maxRetries ?? 10_000;
    const clsAt = region.base + REGION.classes + info.classId * CLASS_SIZE;
    this.#stride = region.u16[(clsAt + CLASS.stride) >>> 1]!;
    this.#slots = region.u16[(clsAt + CLASS.nr_slots) >>> 1]!;
    this.#invStride = 1 / this.#stride;
    this.#slotBias = region.header.data_pgoff * this.#slots;
    this.#base32 = region.base >>> 2;
    if (this.#stride === 0 || this.#stride % 16 !== 0 || this.#slots === 0 || BSKEL_SLAB_HDR_SIZE + this.#slots * this.#stride > BSKEL_PAGE_SIZE) {
      throw new LayoutError(`size class ${info.classId} has stride ${this.#stride} and ${this.#slots} slots`, { input: region.input, symbol: mapName, offset: clsAt });
    }
    this.#epoch = Atomics.load(this.#u32, this.#epochIdx);
    this.#hwm = Atomics.load(this.#u32, this.#hwmIdx);
  }

  get name(): Map {
    return this.info.name as Map;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** #assertOpen throws ClosedError once this storage or its mapping is closed: nothing may touch the region then. */
  #assertOpen(): void {
    if (this.#closed || this.#mapping.closed) throw this.#closedError();
  }

  #closedError(): ClosedError {
    const what = this.#closed ? "storage was closed" : "mapping was closed";
    return new ClosedError(what, { input: this.region.input, symbol: this.info.name });
  }

  /**
   * #enter starts every call that reads the region: the storage and its mapping must be open,
   * and once the published epoch moved (pages came or went) #revalidate catches up. One test
   * on the way through (close() sets #epoch to -1, which no u32 equals): it is inlined into
   * get()'s path.
   */
  #enter(): void {
    if (this.#mapping.closed || this.#u32[this.#epochIdx] !== this.#epoch) this.#reenter();
  }

  /** #reenter is #enter's rare path: ClosedError, or the epoch moved. */
  #reenter(): void {
    this.#assertOpen();
    this.#revalidate();
  }

  /** #revalidate re-reads the high-water mark and drops the cached views: the epoch moved. */
  #revalidate(): void {
    this.#epoch = Atomics.load(this.#u32, this.#epochIdx);
    this.#hwm = Atomics.load(this.#u32, this.#hwmIdx);
    this.#views = [];
  }

  /** #below checks that region page `p` may be touched (below the high-water mark). */
  #below(p: number): boolean {
    if (p < this.#hwm) return true;
    this.#hwm = Atomics.load(this.#u32, this.#hwmIdx);
    return p < this.#hwm;
  }

  /**
   * #find returns the entry offset of `key` after validating its header, or 0. Sets #gen.
   * Kept small in bytecode, the rare path (a page past the cached high-water mark) a call in
   * tail position: V8 inlines into a caller's loop only up to a bytecode budget, which get()'s
   * path shares with the getters the caller then runs on the view (measured: a getter left
   * out cost ~2–3 ns per get).
   */
  #gen = 0;
  #find(key: number): number {
    this.#enter();
    if (!(key > 0 && key < BSKEL_KEY_LIMIT) || (key | 0) !== key) return 0;
    const u32 = this.#u32;
    const hwm = this.#hwm;
    const base = this.#base32;
    const l1 = u32[this.#rootIdx + (key >>> BSKEL_INDEX_ROOT_SHIFT)]!;
    if (l1 === 0) return 0;
    if (l1 >= hwm) return this.#findPastHwm(key, hwm);
    const leaf = u32[base + (l1 << PAGE_WORD_SHIFT) + ((key >>> BSKEL_INDEX_L1_SHIFT) & 1023)]!;
    if (leaf === 0) return 0;
    if (leaf >= hwm) return this.#findPastHwm(key, hwm);
    const w = base + (leaf << PAGE_WORD_SHIFT) + (key & 511) * 2;
    const off = u32[w]!;
    if (off === 0) return 0;
    if (off >>> BSKEL_PAGE_SHIFT >= hwm) return this.#findPastHwm(key, hwm);
    const gen = u32[w + 1]!;
    const e = base + (off >>> 2);
    if ((u32[e + ENTRY_TAG_W]! & TAG_MASK) !== this.#tag || u32[e + ENTRY_GEN_W] !== gen || u32[e + ENTRY_OWNER_W] !== key || u32[e + ENTRY_OWNER_W + 1] !== 0) {
      return 0; // freed or reused under us, or a torn index word: absent
    }
    this.#gen = gen;
    return off;
  }

  /** #findPastHwm is #find's rare path: a pointer past the high-water mark it read (`seen`). Re-read the mark; if it moved, look again. */
  #findPastHwm(key: number, seen: number): number {
    this.#hwm = Atomics.load(this.#u32, this.#hwmIdx);
    return this.#hwm > seen ? this.#find(key) : 0;
  }

  /** #view returns the cached view of the slot at entry offset `off`, dense number `k` (making it on first use). */
  #view(off: number, k: number): V {
    const views = this.#views;
    const v = k >= 0 && k < views.length ? views[k] : undefined;
    return v !== undefined ? v : this.#miss(off, k);
  }

  /** #slotNo returns the dense number of the slot starting at entry offset `off`, or -1 when no slot of a data page starts there. */
  #slotNo(off: number): number {
    const r = (off & (BSKEL_PAGE_SIZE - 1)) - BSKEL_SLAB_HDR_SIZE;
    const i = (r * this.#invStride + 0.5) | 0; // r / stride, rounded: a multiply, not a divide; >= 0 for every r >= -32
    if (i * this.#stride !== r || i >= this.#slots) return -1;
    const k = (off >>> BSKEL_PAGE_SHIFT) * this.#slots + i - this.#slotBias;
    return k < 0 ? -1 : k; // k < 0: a page below the data pages
  }

  /** #miss is #view's cold path: the view of a slot not cached yet, or of an offset where no slot starts (never cached). */
  #miss(off: number, k: number): V {
    const at = this.#base + off + this.#valueOff;
    if (k < 0) return this.#valueClass.wrap(this.#target, at);
    const views = this.#views;
    while (views.length <= k) views.push(undefined); // by push: the array stays packed
    return (views[k] = this.#wrapSlot(at));
  }

  /**
   * #wrapSlot makes the view cached for a slot. It is pinned: handed out to everyone who asks
   * for that slot, it must not be re-pointed by one of them (`$moveTo` throws on it).
   */
  #wrapSlot(at: number): V {
    const v = this.#valueClass.wrap(this.#target, at);
    if (this.#movable) pinView(v as StructView);
    return v;
  }

  /** get returns a live view of `owner`'s value (pid or cgroup id), or undefined when it has none. */
  get(owner: number): V | undefined {
    const off = this.#find(owner);
    return off === 0 ? undefined : this.#view(off, this.#slotNo(off));
  }

  /** has says whether `owner` has an entry. */
  has(owner: number): boolean {
    return this.#find(owner) !== 0;
  }

  /** handle returns an opaque handle of `owner`'s entry, or undefined. */
  handle(owner: number): Handle<Map> | undefined {
    const off = this.#find(owner);
    return off === 0 ? undefined : encodeHandle<Map>(off, this.#gen);
  }

  /** #check returns the entry offset of a handle that still names a live entry of this map, or -1. */
  #check(h: Handle<Map>): number {
    this.#enter();
    if (!Number.isSafeInteger(h) || h < 0) return -1;
    const off = handleOffset(h);
    if (off < BSKEL_PAGE_SIZE || !this.#below(off >>> BSKEL_PAGE_SHIFT)) return -1;
    const e = this.#base + off;
    if (this.#u8[e + ENTRY.state] !== BSKEL_ENTRY_LIVE) return -1;
    if ((this.#u32[(e + ENTRY.gen) >>> 2]! & 0xffffff) !== handleGen(h)) return -1;
    if (this.#u16[(e + ENTRY.map_id) >>> 1] !== this.#mapId) return -1;
    return off;
  }

  /** at returns the view a handle names; throws StaleHandleError once its entry was freed or reused. */
  at(h: Handle<Map>): V {
    const off = this.#check(h);
    if (off < 0) {
      throw new StaleHandleError("handle names a freed or reused entry", { input: this.region.input, symbol: this.info.name, offset: handleOffset(h) });
    }
    return this.#view(off, this.#slotNo(off));
  }

  /** ownerOf returns the owner id a live handle belongs to; throws StaleHandleError otherwise. */
  ownerOf(h: Handle<Map>): number {
    this.at(h);
    return this.#u32[(this.#base + handleOffset(h) + ENTRY.owner_id) >>> 2]!;
  }

  /** valid says whether a handle still names a live entry. */
  valid(h: Handle<Map>): boolean {
    return this.#check(h) >= 0;
  }

  /**
   * readConsistent calls `fn` with `owner`'s view until it ran while no writer was inside the
   * entry (sequence counter even and unchanged, generation unchanged) and returns its result;
   * undefined when the owner has no entry. After `maxRetries` tries: ConsistentReadError.
   */
  readConsistent<R>(owner: number, fn: (view: V) => R): R | undefined {
    for (let tries = 0; tries < this.#maxRetries; tries++) {
      const off = this.#find(owner);
      if (off === 0) return undefined;
      const gen = this.#gen;
      const seqIdx = (this.#base + off + ENTRY.seq) >>> 2;
      const s1 = Atomics.load(this.#i32, seqIdx);
      if ((s1 & 1) !== 0) continue;
      const r = fn(this.#view(off, this.#slotNo(off)));
      const s2 = Atomics.load(this.#i32, seqIdx);
      if (s1 === s2 && Atomics.load(this.#u32, (this.#base + off + ENTRY.gen) >>> 2) === gen) return r;
    }
    throw new ConsistentReadError(`no consistent read after ${this.#maxRetries} tries`, { input: this.region.input, symbol: this.info.name });
  }

  /** #slabs returns what a walk over this map's slab pages needs, after checking the storage is open. */
  #slabs(): SlabWalk {
    this.#enter();
    const hwm = (this.#hwm = Atomics.load(this.#u32, this.#hwmIdx));
    const h = this.region.header;
    const cls = this.info.classId;
    return {
      dataPage: h.data_pgoff,
      hwm,
      descBase: this.#base + h.pgdesc_pgoff * BSKEL_PAGE_SIZE,
      cls,
      stride: this.#stride,
      slots: this.#slots,
    };
  }

  /**
   * forEach calls `fn(view, owner)` for every live entry of this map, in region order, with no
   * allocation per entry once the slot views are cached (the views are the ones `get` returns).
   * The walk is per slab page of the map's class, one pass over its slots with typed-array reads.
   */
  forEach(fn: (view: V, owner: number) => void): void {
    const { dataPage, hwm, descBase, cls, stride, slots } = this.#slabs();
    const u8 = this.#u8;
    const u32 = this.#u32;
    const base = this.#base;
    const tag = this.#tag;
    const valueOff = this.#valueOff;
    for (let p = dataPage; p < hwm; p++) {
      const d = descBase + p * PGDESC_SIZE;
      if (u8[d + PGDESC_KIND] !== BSKEL_PAGE_SLAB || u8[d + PGDESC_CLASS] !== cls) continue;
      const k0 = p * slots - this.#slotBias;
      // Re-read per page: fn may have run a call that dropped the cache (epoch moved).
      const views = this.#views;
      while (views.length < k0 + slots) views.push(undefined); // by push: the array stays packed
      const pageOff = p * BSKEL_PAGE_SIZE;
      let off = BSKEL_SLAB_HDR_SIZE;
      for (let s = 0; s < slots; s++, off += stride) {
        const e = base + pageOff + off;
        if ((u32[(e + ENTRY_TAG) >>> 2]! & TAG_MASK) !== tag) continue;
        let v = views[k0 + s];
        if (v === undefined) v = views[k0 + s] = this.#wrapSlot(e + valueOff);
        fn(v, u32[(e + ENTRY_OWNER) >>> 2]!);
      }
    }
  }

  /**
   * scan calls `fn(cursor, owner)` for every live entry of this map, in region order, like
   * forEach, but with one view re-pointed at each entry in turn (as `$moveTo` does) instead of a view
   * object per entry: the fastest way to read a few fields of every entry. The cursor is valid
   * only during the call; keep `handle(owner)` or `get(owner)` for later. Value classes that are
   * not StructViews get forEach's cached views.
   */
  scan(fn: (cursor: V, owner: number) => void): void {
    const walk = this.#slabs();
    // A scan inside fn gets a cursor of its own: the outer one must stay on its entry.
    const cursor = !this.#movable ? undefined : this.#scanning > 0 ? this.#makeCursor() : (this.#cursor ??= this.#makeCursor());
    if (cursor === undefined) return this.forEach(fn);
    this.#scanning++;
    try {
      this.#scanWith(cursor, fn as unknown as (cursor: StructView, owner: number) => void, walk);
    } finally {
      this.#scanning--;
    }
  }

  /**
   * #makeCursor wraps a view at the region's base for scan, or returns undefined when the value
   * class's `wrap` does not give a view on our DataView at the offset asked: scan moves its
   * cursor by writing `$offset`, which only means the entry's offset for such a view.
   */
  #makeCursor(): StructView | undefined {
    const v = this.#valueClass.wrap(this.#target, this.#base) as unknown;
    return v instanceof StructView && v.$view === (this.#target as unknown as DataView) && v.$offset === this.#base ? v : undefined;
  }

  #scanWith(cursor: StructView, fn: (cursor: StructView, owner: number) => void, walk: SlabWalk): void {
    const { dataPage, hwm, descBase, cls, stride, slots } = walk;
    const u8 = this.#u8;
    const u32 = this.#u32;
    const base = this.#base;
    const tag = this.#tag;
    const valueOff = this.#valueOff;
    for (let p = dataPage; p < hwm; p++) {
      const d = descBase + p * PGDESC_SIZE;
      if (u8[d + PGDESC_KIND] !== BSKEL_PAGE_SLAB || u8[d + PGDESC_CLASS] !== cls) continue;
      const end = base + p * BSKEL_PAGE_SIZE + BSKEL_SLAB_HDR_SIZE + slots * stride;
      for (let e = end - slots * stride; e < end; e += stride) {
        if ((u32[(e + ENTRY_TAG) >>> 2]! & TAG_MASK) !== tag) continue;
        // $moveTo without its bounds check: e lies below the high-water mark, inside the mapping.
        (cursor as { $offset: number }).$offset = e + valueOff;
        fn(cursor, u32[(e + ENTRY_OWNER) >>> 2]!);
      }
    }
  }

  /**
   * entries iterates [owner, view] pairs of live entries, lazily (the walk starts at the first
   * `next()`), in region order; forEach allocates less. A plain iterator object rather than a
   * generator: V8 inlines its `next()` into the caller's loop, a generator resume it does not.
   */
  entries(): IterableIterator<[number, V]> {
    let walk: SlabWalk | undefined;
    let p = 0;
    let s = -1; // -1: page p's descriptor not checked yet
    const u8 = this.#u8;
    const u32 = this.#u32;
    const base = this.#base;
    const tag = this.#tag;
    const slotBias = this.#slotBias;
    const next = (): IteratorResult<[number, V]> => {
      if (walk === undefined) {
        walk = this.#slabs();
        p = walk.dataPage;
      }
      const { hwm, descBase, cls, stride, slots } = walk;
      while (p < hwm) {
        this.#assertOpen();
        if (s < 0) {
          const d = descBase + p * PGDESC_SIZE;
          if (u8[d + PGDESC_KIND] !== BSKEL_PAGE_SLAB || u8[d + PGDESC_CLASS] !== cls) {
            p++;
            continue;
          }
          s = 0;
        }
        while (s < slots) {
          const off = p * BSKEL_PAGE_SIZE + BSKEL_SLAB_HDR_SIZE + s * stride;
          const k = p * slots + s - slotBias;
          s++;
          const e = base + off;
          if ((u32[(e + ENTRY_TAG) >>> 2]! & TAG_MASK) === tag) return { value: [u32[(e + ENTRY_OWNER) >>> 2]!, this.#view(off, k)], done: false };
        }
        p++;
        s = -1;
      }
      return { value: undefined, done: true };
    };
    const it: IterableIterator<[number, V]> = { next, [Symbol.iterator]: () => it };
    return it;
  }

  /** owners lists the owner ids with a live entry. */
  owners(): number[] {
    const out: number[] = [];
    this.forEach((_, o) => out.push(o));
    return out;
  }

  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries();
  }

  /** size counts this map's live entries (from the map descriptor). */
  get size(): number {
    this.#assertOpen();
    return this.#u32[(this.#base + REGION.maps + this.#mapId * MAP_DESC_SIZE + MAP_DESC.nr_live) >>> 2]!;
  }

  /** stats reads the region's published counters. */
  stats(): StorageStats {
    this.#assertOpen();
    const h = this.region.header;
    const c = h.counters;
    const live = Number(c.live_entries);
    const present = h.present_pages;
    return {
      liveEntries: this.size,
      regionLiveEntries: live,
      presentPages: present,
      presentBytes: present * BSKEL_PAGE_SIZE,
      liveBytes: Number(c.live_bytes),
      bytesPerLiveEntry: live === 0 ? Infinity : (present * BSKEL_PAGE_SIZE) / live,
      slabPages: Number(c.slab_pages),
      indexPages: Number(c.index_pages),
      poolPages: h.pool_nr,
      hwmPages: h.hwm_pages,
      epoch: Number(h.epoch),
    };
  }

  /** close drops the views; every later access throws ClosedError. Closing twice is harmless. The mapping stays its owner's. */
  close(): void {
    this.#closed = true;
    this.#epoch = -1;
    this.#views = [];
  }

  [Symbol.dispose](): void {
    this.close();
  }
}


