import type { RegionOpenOptions } from "./region.js";

// The public shapes around LocalStorage (kept apart so the reader's file is the reader).

/** ViewClass is the static side of a generated struct view: `size`, `align`, `wrap(buffer, offset)`. */
export interface ViewClass<V> {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  wrap(buffer: ArrayBuffer | SharedArrayBuffer, byteOffset: number): V;
}

/** SlabWalk is what a walk over one map's slab pages needs (exported for declaration emit only). */
export interface SlabWalk {
  readonly dataPage: number;
  readonly hwm: number;
  readonly descBase: number;
  readonly cls: number;
  readonly stride: number;
  readonly slots: number;
}

/** LocalStorageOptions open one storage map of a region. */
export interface LocalStorageOptions extends RegionOpenOptions {
  /** maxRetries bounds readConsistent. Unset = 10,000. */
  maxRetries?: number;
}

/** StorageStats is a snapshot of a region as seen from one storage map. */
export interface StorageStats {
  /** liveEntries of this map. */
  readonly liveEntries: number;
  /** regionLiveEntries of every map in the region. */
  readonly regionLiveEntries: number;
  readonly presentPages: number;
  readonly presentBytes: number;
  /** liveBytes: value bytes of every live entry in the region. */
  readonly liveBytes: number;
  /** bytesPerLiveEntry: present bytes / live entries of the region (Infinity when empty). */
  readonly bytesPerLiveEntry: number;
  readonly slabPages: number;
  readonly indexPages: number;
  readonly poolPages: number;
  readonly hwmPages: number;
  readonly epoch: number;
}
