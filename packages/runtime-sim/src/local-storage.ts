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
 * Selem is one map's element in one owner's storage (bpf_local_storage_elem). Freed storages
 * are recycled through a small free list, as the kernel's bpf_mem_cache recycles them.
 */
export class Selem {
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

/** OwnerStorage is an owner's bpf_local_storage: the cache and the element list. */
export class OwnerStorage {
  // A literal of BPF_LOCAL_STORAGE_CACHE_SIZE holes is the cheapest array V8 can make here.
  readonly cache: (Selem | undefined)[] = [
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
  ];
  readonly list: Selem[] = [];
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

  constructor(
    readonly name: string,
    readonly valueSize: number,
    readonly cacheIdx: number,
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
    const list = storage.list;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
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
    owner.storage ??= storageCache.pop() ?? new OwnerStorage();
    const e = new Selem(this, value, ref);
    owner.storage.list.push(e);
    owner.storage.cache[this.cacheIdx] = e;
    this.counters.creates++;
    return e;
  }

  /** unlink removes `owner`'s element of this map; false when it has none (-ENOENT). */
  unlink(owner: StorageOwner): boolean {
    const storage = owner.storage;
    if (storage === null) return false;
    // A plain loop and an in-place shift: findIndex's closure and splice's result array are
    // garbage on every delete. The list keeps its order, as splice would.
    const list = storage.list;
    let i = 0;
    while (i < list.length && list[i]!.map !== this) i++;
    if (i === list.length) return false;
    const e = list[i]!;
    for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j]!;
    list.pop();
    if (storage.cache[this.cacheIdx] === e) storage.cache[this.cacheIdx] = undefined;
    this.counters.deletes++;
    this.onFree?.(owner, e);
    return true;
  }
}

/** freeOwnerStorage is bpf_{task,cgrp}_storage_free(): every element of a dying owner is unlinked. */
export function freeOwnerStorage(owner: StorageOwner): void {
  const storage = owner.storage;
  if (storage === null) return;
  owner.storage = null;
  const list = storage.list;
  while (list.length > 0) {
    const e = list.pop()!;
    storage.cache[e.map.cacheIdx] = undefined;
    e.map.counters.deletes++;
    e.map.onFree?.(owner, e);
  }
  if (storageCache.length < STORAGE_CACHE_MAX) storageCache.push(storage);
}
