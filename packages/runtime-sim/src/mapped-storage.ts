import type { OwnerKind } from "@bpf-skel/sdk/storage";
import { StructView, pinView } from "@bpf-skel/sdk/views";
import * as ls from "./local-storage.js";
import type { LocalStorageMap, StorageOwner } from "./local-storage.js";
import type { RegionWriter } from "./region-writer.js";

// A local copy: test runners turn imported names into getter calls.
const { BPF_LOCAL_STORAGE_GET_F_CREATE } = ls;

/** ValueClass is a generated view class (static size/align and wrap) for a storage value. */
export interface ValueClass<V> {
  readonly size: number;
  readonly align: number;
  wrap(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset: number): V;
}

/** KernelContext says whether the running "BPF code" may sleep (and so allocate arena pages). */
export interface KernelContext {
  readonly sleepable: boolean;
}

/**
 * MappedStorageMap is what `BPF_SKEL_TASK_STORAGE(name, struct value)` declares in BPF C: a
 * real local-storage map (the O(1) fast path, holding the entry's arena address) plus entries
 * in the mapped region, published in the owner index. `get` has bpf_task_storage_get's
 * contract: an offset to the value, or 0 (NULL) when absent or out of memory — never a throw.
 */
export class MappedStorageMap<V = unknown> {
  readonly #views = new Map<number, V>();
  // Absolute arena offset of the value of the entry at region offset 0: value offsets are fixed per map.
  readonly #valueBase: number;

  constructor(
    readonly name: string,
    readonly owner: OwnerKind,
    readonly mapId: number,
    readonly storage: LocalStorageMap,
    readonly region: RegionWriter,
    readonly valueClass: ValueClass<V>,
    /** context is the kernel's context object itself: its `sleepable` changes as programs run. */
    readonly context: KernelContext,
  ) {
    this.#valueBase = region.base + region.valueOffsetOf(mapId, 0);
    storage.onFree = (o) => {
      region.freeEntry(mapId, o.id);
    };
  }

  /** getOffset returns the arena byte offset of `owner`'s value, creating it with F_CREATE; 0 = NULL. */
  getOffset(owner: StorageOwner, flags = 0): number {
    const e = this.storage.lookup(owner);
    if (e !== undefined) return e.ref;
    if ((flags & BPF_LOCAL_STORAGE_GET_F_CREATE) === 0 || !owner.alive) return 0;
    const off = this.region.allocEntry(this.mapId, owner.id, this.context.sleepable);
    if (off === 0) {
      this.storage.counters.createFailures++;
      return 0;
    }
    const abs = this.#valueBase + off;
    if (this.storage.link(owner, ARENA_PTR, abs) === null) {
      this.region.freeEntry(this.mapId, owner.id);
      return 0;
    }
    return abs;
  }

  /** get returns a view of `owner`'s value (one cached view per slot), or null. */
  get(owner: StorageOwner, flags = 0): V | null {
    const abs = this.getOffset(owner, flags);
    if (abs === 0) return null;
    let v = this.#views.get(abs);
    if (v === undefined) {
      v = this.valueClass.wrap(this.region.arena.buffer, abs);
      if (v instanceof StructView) pinView(v); // everyone asking for this slot shares it: nobody moves it
      this.#views.set(abs, v);
    }
    return v;
  }

  /** delete is bpf_task_storage_delete: false for -ENOENT. */
  delete(owner: StorageOwner): boolean {
    return this.storage.unlink(owner);
  }
}

// The classic map's 8-byte value; the arena address itself is kept in Selem.ref.
const ARENA_PTR = new Uint8Array(8);
