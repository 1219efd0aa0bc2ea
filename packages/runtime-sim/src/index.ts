export const RUNTIME = "sim";
export { SimArena, type ArenaFaults } from "./arena.js";
export { SimCgroup, SimKernel, SimKernelError, SimTask, type SimKernelOptions, type TaskHook, type TaskState } from "./kernel.js";
export {
  BPF_LOCAL_STORAGE_CACHE_SIZE, BPF_LOCAL_STORAGE_GET_F_CREATE, CacheIdxPool, LocalStorageMap, OwnerStorage, Selem, StoragePool,
  freeOwnerStorage, type LocalStorageCounters, type StorageOwner,
} from "./local-storage.js";
export { MappedStorageMap, type KernelContext, type ValueClass } from "./mapped-storage.js";
export { RegionWriter, type MapRegistration, type RegionOptions } from "./region-writer.js";
export * from "./transport.js";
