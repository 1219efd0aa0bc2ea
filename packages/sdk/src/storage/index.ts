export * from "./contract.js";
export { ConsistentReadError } from "./errors.js";
export { encodeHandle, handleGen, handleOffset, type Handle } from "./handle.js";
export * from "./layout.js";
export { LocalStorage, type LocalStorageOptions, type StorageStats, type ViewClass } from "./local-storage.js";
export { CLASS, CLASS_SIZE, COUNTERS, ENTRY, ENTRY_SIZE, MAP_DESC, MAP_DESC_SIZE, PGDESC, PGDESC_SIZE, REGION, REGION_SIZE, SLAB, offsetsOf, type GeneratedStruct } from "./offsets.js";
export { StorageRegion, type MapInfo, type RegionOpenOptions } from "./region.js";
export { storageClass, type StorageClass } from "./storage-class.js";
