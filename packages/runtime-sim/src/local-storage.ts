/**
 * The kernel's local storage semantics (kernel/bpf/bpf_local_storage.c), as the seed describes
 * them: each owner has a storage with a 16-slot cache and a list of elements, one per map;
 * lookup tries the map's cache slot (O(1)), then walks the list (O(n)) and fills the cache.
 */

/** BPF_LOCAL_STORAGE_GET_F_CREATE is the create flag of bpf_{task,cgrp}_storage_get. */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1;
/** BPF_LOCAL_STORAGE_CACHE_SIZE is the per-owner cache size (16, as in the kernel). */
export const BPF_LOCAL_STORAGE_CACHE_SIZE = 16;

/**
 * Selem is one map's element in one owner's storage (bpf_local_storage_elem), linked into the
 * owner's list through `next` (the kernel's snode hlist_node), so a storage is one object and
 * its elements, not an array besides.
 */
export class Selem {
  /** next: the following (older) element of the owner's list; null at the end. */
  next: Selem | null = null;
  constructor(
    readonly map: LocalStorageMap,
    /** value: the element's bytes (classic maps) — for mapped maps the 8-byte "arena pointer". */
    readonly value: Uint8Array,
    /** ref: for mapped maps the entry's absolute value offset in the arena; 0 otherwise. */
    public ref: number,
  ) {}
}

// bpf_mem_cache stand-in: freed owner storages (cache + list) wait here for the next owner.
const STORAGE_CACHE_MAX = 4096;
const storageCache: OwnerStorage[] = [];
// Freed elements of pointer-only (mapped) maps wait in their map, up to this many.
const ELEM_CACHE_MAX = 4096;

/** OwnerStorage is an owner's bpf_local_storage: the cache and the element list (newest first, as hlist_add_head). */
export class OwnerStorage {
  // A literal of BPF_LOCAL_STORAGE_CACHE_SIZE holes is the cheapest array V8 can make here.
  readonly cache: (Selem | undefined)[] = [
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
  ];
  /** head is the list's first element (the newest); null when empty. */
  head: Selem | null = null;

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
  readonly counters: LocalStorageCounters = { cacheHits: 0, slowWalks: 0, misses: 0, creates: 0, createFailures: 0, deletes: 0 };
  /** onFree runs when an element is unlinked (delete or owner exit); mapped maps free their entry there. */
  onFree: ((owner: StorageOwner, elem: Selem) => void) | undefined;
  // Freed elements, reused by link() when the map is pointer-only (see the constructor).
  readonly #spare: Selem[] = [];

  /**
   * @param pointerOnly the elements hold only an arena pointer (`ref`; mapped storage maps):
   * `link` ignores `value`, and freed elements are recycled like bpf_mem_cache recycles them.
   */
  constructor(
    readonly name: string,
    readonly valueSize: number,
    readonly cacheIdx: number,
    readonly pointerOnly = false,
  ) {}

  /** lookup is bpf_local_storage_lookup(): cache slot first, then the list walk that refills the cache. */
  lookup(owner: StorageOwner): Selem | undefined {
    const storage = owner.storage;
    if (storage === null) {
      this.counters.misses++;
      return undefined;
    }
    const cached = storage.cache[this.cacheIdx];
    if (cached !== undefined && cached.map === this) {
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
    const storage = (owner.storage ??= storageCache.pop() ?? new OwnerStorage());
    let e = this.#spare.pop();
    if (e === undefined) e = new Selem(this, this.pointerOnly ? POINTER_VALUE : value, ref);
    else e.ref = ref;
    e.next = storage.head;
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
    e.next = null;
    if (storage.cache[this.cacheIdx] === e) storage.cache[this.cacheIdx] = undefined;
    this.counters.deletes++;
    this.onFree?.(owner, e);
    this.release(e);
    return true;
  }

  /** release takes back an unlinked element: pointer-only maps keep it for the next link. */
  release(e: Selem): void {
    if (this.pointerOnly && this.#spare.length < ELEM_CACHE_MAX) this.#spare.push(e);
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
    e.next = null;
    const map = e.map;
    storage.cache[map.cacheIdx] = undefined;
    map.counters.deletes++;
    map.onFree?.(owner, e);
    map.release(e);
    e = next;
  }
  if (storageCache.length < STORAGE_CACHE_MAX) storageCache.push(storage);
}
