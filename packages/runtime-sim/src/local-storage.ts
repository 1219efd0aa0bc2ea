/**
 * The kernel's local storage semantics (kernel/bpf/bpf_local_storage.c), as the seed describes
 * them: each owner has a storage with a 16-slot cache and a list of elements, one per map;
 * lookup tries the map's cache slot (O(1)), then walks the list (O(n)) and fills the cache.
 */

/** BPF_LOCAL_STORAGE_GET_F_CREATE is the create flag of bpf_{task,cgrp}_storage_get. */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1;
/** BPF_LOCAL_STORAGE_CACHE_SIZE is the per-owner cache size (16, as in the kernel). */
export const BPF_LOCAL_STORAGE_CACHE_SIZE = 16;

// V8 note for the classes here: fields the hot paths write are declared and then assigned in
// the constructor. A field initializer alone leaves the field "constant" until its first
// later write — on the first task exit, in the middle of a run — and that write discards
// every function compiled while it was constant.

/**
 * Selem is one map's element in one owner's storage (bpf_local_storage_elem), linked into the
 * owner's list through `next` (the kernel's snode hlist_node), so a storage is one object and
 * its elements, not an array besides.
 */
export class Selem {
  /** next: the following (older) element of the owner's list; null at the end. */
  next: Selem | null;
  /** storage: the owner storage the element is linked into (selem->local_storage); null once unlinked. */
  storage: OwnerStorage | null;
  constructor(
    readonly map: LocalStorageMap,
    /** value: the element's bytes (classic maps) — for mapped maps the 8-byte "arena pointer". */
    readonly value: Uint8Array,
    /** ref: for mapped maps the entry's absolute value offset in the arena; 0 otherwise. */
    public ref: number,
  ) {
    this.next = null;
    this.storage = null;
  }
}

// Freed owner storages wait in their pool, up to this many.
const STORAGE_CACHE_MAX = 4096;
// Freed elements of pointer-only (mapped) maps wait in their map, up to this many.
const ELEM_CACHE_MAX = 4096;

/**
 * StoragePool is the bpf_mem_cache freed owner storages (cache + list) wait in for the next
 * owner. One per kernel: an exit leaves the cache slots as they were (no stores on that
 * path), so a pooled storage still points at its kernel's elements — and through them at the
 * maps, views and arena. A pool shared between kernels would keep those alive after their
 * kernel is gone and hand them to another kernel's owners.
 */
export class StoragePool {
  // A chain through OwnerStorage.nextFree, not an array: an array's first push, on the first
  // exit, would change its elements kind and discard every function compiled around its pop.
  #head: OwnerStorage | null;
  #size: number;
  #open: boolean;
  constructor() {
    this.#head = null;
    this.#size = 0;
    this.#open = true;
  }

  /** size counts the storages waiting for reuse. */
  get size(): number {
    return this.#size;
  }

  /** take hands out a pooled storage, or a new one. */
  take(): OwnerStorage {
    // Always taken from the chain (made non-empty first): one path whether or not owners have
    // exited yet, so code compiled before the first exit stays valid.
    if (this.#head === null) {
      this.#head = new OwnerStorage(this);
      this.#size++;
    }
    const s = this.#head;
    this.#head = s.nextFree;
    s.nextFree = null;
    this.#size--;
    return s;
  }

  /** put takes back an emptied storage (kept while the pool is open and not full). */
  put(s: OwnerStorage): void {
    if (this.#open && this.#size < STORAGE_CACHE_MAX) {
      s.nextFree = this.#head;
      this.#head = s;
      this.#size++;
    }
  }

  /** close drops every pooled storage and keeps none from now on (the kernel is gone). */
  close(): void {
    this.#open = false;
    for (let s = this.#head; s !== null; ) {
      const next = s.nextFree;
      s.nextFree = null;
      s = next;
    }
    this.#head = null;
    this.#size = 0;
  }
}

/** OwnerStorage is an owner's bpf_local_storage: the cache and the element list (newest first, as hlist_add_head). */
export class OwnerStorage {
  // A literal of BPF_LOCAL_STORAGE_CACHE_SIZE holes is the cheapest array V8 can make here.
  readonly cache: (Selem | undefined)[] = [
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
  ];
  /** head is the list's first element (the newest); null when empty. */
  head: Selem | null;
  /** nextFree links a freed storage to the next one waiting in its pool. */
  nextFree: OwnerStorage | null;
  /** pool: where the storage goes back when its owner's last element goes (its kernel's). */
  readonly pool: StoragePool;
  constructor(pool: StoragePool) {
    this.head = null;
    this.nextFree = null;
    this.pool = pool;
  }

  /** list is a snapshot of the elements in list order (for tests and inspection; lookups walk `head`). */
  get list(): Selem[] {
    const out: Selem[] = [];
    for (let e = this.head; e !== null; e = e.next) out.push(e);
    return out;
  }
}

/** StorageOwner is a task or a cgroup as local storage sees it. */
export interface StorageOwner {
  readonly id: number;
  readonly alive: boolean;
  storage: OwnerStorage | null;
}

/** LocalStorageCounters let tests assert which path a lookup took. */
export interface LocalStorageCounters {
  cacheHits: number;
  slowWalks: number;
  misses: number;
  creates: number;
  createFailures: number;
  deletes: number;
}

// Declared, then set in the constructor (see the V8 note above): the first delete, on the
// first exit, must not discard the code compiled before it.
class Counters implements LocalStorageCounters {
  cacheHits: number;
  slowWalks: number;
  misses: number;
  creates: number;
  createFailures: number;
  deletes: number;
  constructor() {
    this.cacheHits = 0;
    this.slowWalks = 0;
    this.misses = 0;
    this.creates = 0;
    this.createFailures = 0;
    this.deletes = 0;
  }
}

/**
 * CacheIdxPool hands out cache slots per owner type like bpf_local_storage_cache_idx_get():
 * the least used of 16, so with more than 16 maps slots are shared.
 */
export class CacheIdxPool {
  readonly #usage = new Array<number>(BPF_LOCAL_STORAGE_CACHE_SIZE).fill(0);
  get(): number {
    let best = 0;
    for (let i = 1; i < this.#usage.length; i++) if (this.#usage[i]! < this.#usage[best]!) best = i;
    this.#usage[best]!++;
    return best;
  }
  put(i: number): void {
    this.#usage[i]!--;
  }
}

/** LocalStorageMap is one BPF_MAP_TYPE_{TASK,CGRP}_STORAGE map. */
export class LocalStorageMap {
  readonly counters: LocalStorageCounters = new Counters();
  /** onFree runs when an element is unlinked (delete or owner exit); mapped maps free their entry there. */
  onFree: ((owner: StorageOwner, elem: Selem) => void) | undefined;
  // Freed elements, chained through `next`, reused by link() when the map is pointer-only.
  #spare: Selem | null;
  #nrSpare: number;

  /**
   * @param pointerOnly the elements hold only an arena pointer (`ref`; mapped storage maps):
   * `link` ignores `value`, and freed elements are recycled like bpf_mem_cache recycles them.
   * @param pool where new owner storages come from: the kernel's (a map of its own when unset).
   */
  constructor(
    readonly name: string,
    readonly valueSize: number,
    readonly cacheIdx: number,
    readonly pointerOnly = false,
    readonly pool: StoragePool = new StoragePool(),
  ) {
    this.#spare = null;
    this.#nrSpare = 0;
  }

  /** lookup is bpf_local_storage_lookup(): cache slot first, then the list walk that refills the cache. */
  lookup(owner: StorageOwner): Selem | undefined {
    const storage = owner.storage;
    if (storage === null) {
      this.counters.misses++;
      return undefined;
    }
    const cached = storage.cache[this.cacheIdx];
    // The element's storage is checked too: a recycled storage keeps its old cache slots (an
    // exit writes no cache line), and a stale slot must read as the kernel's zeroed new cache.
    if (cached !== undefined && cached.map === this && cached.storage === storage) {
      this.counters.cacheHits++;
      return cached;
    }
    this.counters.slowWalks++;
    for (let e = storage.head; e !== null; e = e.next) {
      if (e.map === this) {
        storage.cache[this.cacheIdx] = e;
        return e;
      }
    }
    this.counters.misses++;
    return undefined;
  }

  /** link adds a new element for `owner` (the caller checked there is none); null for an owner that is gone. */
  link(owner: StorageOwner, value: Uint8Array, ref: number): Selem | null {
    if (!owner.alive) {
      this.counters.createFailures++;
      return null;
    }
    let storage = owner.storage;
    if (storage === null) {
      storage = this.pool.take();
      owner.storage = storage;
    }
    let e: Selem;
    if (this.pointerOnly) {
      if (this.#spare === null) {
        this.#spare = new Selem(this, POINTER_VALUE, 0);
        this.#nrSpare++;
      }
      e = this.#spare;
      this.#spare = e.next;
      this.#nrSpare--;
      e.ref = ref;
    } else e = new Selem(this, value, ref);
    e.next = storage.head;
    e.storage = storage;
    storage.head = e;
    storage.cache[this.cacheIdx] = e;
    this.counters.creates++;
    return e;
  }

  /** unlink removes `owner`'s element of this map; false when it has none (-ENOENT). */
  unlink(owner: StorageOwner): boolean {
    const storage = owner.storage;
    if (storage === null) return false;
    let prev: Selem | null = null;
    let e = storage.head;
    while (e !== null && e.map !== this) {
      prev = e;
      e = e.next;
    }
    if (e === null) return false;
    if (prev === null) storage.head = e.next;
    else prev.next = e.next;
    if (storage.cache[this.cacheIdx] === e) storage.cache[this.cacheIdx] = undefined;
    // The last element takes the storage with it (bpf_selem_unlink_storage_nolock sets the
    // owner's pointer to NULL when the list empties): a later lookup finds no storage at all.
    if (storage.head === null) {
      owner.storage = null;
      storage.pool.put(storage);
    }
    this.free(owner, e);
    return true;
  }

  /**
   * free ends an element taken off its owner's list (by unlink or the owner's exit): it is
   * counted as a delete, handed to onFree, and kept for the next link by pointer-only maps.
   */
  free(owner: StorageOwner, e: Selem): void {
    e.next = null;
    e.storage = null;
    this.counters.deletes++;
    this.onFree?.(owner, e);
    if (this.pointerOnly && this.#nrSpare < ELEM_CACHE_MAX) {
      e.next = this.#spare;
      this.#spare = e;
      this.#nrSpare++;
    }
  }
}

/** POINTER_VALUE is the 8-byte value every pointer-only element shares (the pointer itself is `ref`). */
const POINTER_VALUE = new Uint8Array(8);

/** freeOwnerStorage is bpf_{task,cgrp}_storage_free(): every element of a dying owner is unlinked. */
export function freeOwnerStorage(owner: StorageOwner): void {
  const storage = owner.storage;
  if (storage === null) return;
  owner.storage = null;
  let e = storage.head;
  storage.head = null;
  while (e !== null) {
    const next = e.next;
    e.map.free(owner, e);
    e = next;
  }
  storage.pool.put(storage);
}
