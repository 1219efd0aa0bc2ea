export * from "./errors/index.js";
export * from "./btf/index.js";
export * from "./elf/index.js";
export * from "./util/index.js";
export type * from "./transport/index.js";
export * from "./views/index.js";
export { LocalStorage, ConsistentReadError, StorageRegion, storageClass, type Handle, type StorageClass, type StorageStats, type ViewClass } from "./storage/index.js";
export { BpfObject, BpfMap, BpfProgram, type OpenOptions } from "./loader/index.js";
export { MappedStorage } from "./storage/kernel/index.js";
