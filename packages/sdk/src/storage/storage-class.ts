import { LayoutError } from "../errors/index.js";
import type { MappedRegion } from "../transport/index.js";
import type { OwnerKind } from "./contract.js";
import { LocalStorage, type LocalStorageOptions, type ViewClass } from "./local-storage.js";
import { StorageRegion } from "./region.js";

/** StorageClass is the static side of a class made by storageClass(). */
export interface StorageClass<V, M extends string> {
  readonly mapName: M;
  readonly owner: OwnerKind;
  readonly value: ViewClass<V>;
  new (region: StorageRegion, options?: LocalStorageOptions): LocalStorage<V, M>;
  /** from opens the map on a mapping of the region (an arena mmap, or the simulator's region); on a subclass it returns that subclass. */
  from<T>(this: new (region: StorageRegion, options?: LocalStorageOptions) => T, mapping: MappedRegion, options?: LocalStorageOptions): T;
}

/**
 * storageClass makes the typed wrapper of one storage map, what `bpf-skel gen` emits for a
 * storage declaration: `export class TaskCtxStorStorage extends storageClass("task_ctx_stor",
 * "task", TaskCtx) {}` gives `get(pid): TaskCtx | undefined`, `Handle<"task_ctx_stor">` handles,
 * `at`, iteration, readConsistent and stats, and checks the owner kind when opened.
 */
export function storageClass<V, M extends string>(mapName: M, owner: OwnerKind, value: ViewClass<V>) {
  return class TypedStorage extends LocalStorage<V, M> {
    static readonly mapName: M = mapName;
    static readonly owner: OwnerKind = owner;
    static readonly value: ViewClass<V> = value;

    static from<T>(this: new (region: StorageRegion, options?: LocalStorageOptions) => T, mapping: MappedRegion, options: LocalStorageOptions = {}): T {
      return new this(new StorageRegion(mapping, options), options);
    }

    constructor(region: StorageRegion, options: LocalStorageOptions = {}) {
      super(region, mapName, value, options);
      if (this.owner !== owner) {
        throw new LayoutError(`map ${mapName} is keyed by ${this.owner}, the wrapper expects ${owner}`, { input: region.input, symbol: mapName });
      }
    }
  };
}
