import { LayoutError } from "../errors/index.js";
import type { FieldInfo } from "../views/index.js";
import { BskelClass, BskelCounters, BskelEntry, BskelMapDesc, BskelPgdesc, BskelRegion, BskelSlabHdr } from "./layout.js";

/** GeneratedStruct is the static side of a generated view class that offsets are read from. */
export interface GeneratedStruct {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldInfo[];
}

/**
 * offsetsOf returns the byte offsets of `names` in a generated struct, so hot paths can index
 * typed arrays with offsets the compiler chose (via BTF) instead of hand-written numbers.
 */
export function offsetsOf<K extends string>(type: GeneratedStruct, names: readonly K[]): Readonly<Record<K, number>> {
  const out = {} as Record<K, number>;
  for (const name of names) {
    const f = type.fields.find((x) => x.name === name);
    if (f === undefined || f.bitSize !== 0 || f.bitOffset % 8 !== 0) {
      throw new LayoutError(`generated struct has no byte-aligned member ${name}`, { symbol: type.name });
    }
    out[name] = f.bitOffset / 8;
  }
  return out;
}

/** REGION holds the header's member offsets. */
export const REGION = offsetsOf(BskelRegion, [
  "magic", "version", "page_size", "region_pgoff", "max_pages", "hwm_pages", "present_pages", "epoch",
  "pgdesc_pgoff", "pgdesc_pages", "data_pgoff", "nr_maps", "pool_nr", "pool_target", "pool",
  "counters", "classes", "maps",
] as const);
export const COUNTERS = offsetsOf(BskelCounters, [
  "allocs", "frees", "alloc_fail", "page_allocs", "page_frees", "page_alloc_fail", "pool_refills",
  "pool_empty", "live_entries", "live_bytes", "index_pages", "slab_pages",
] as const);
export const CLASS = offsetsOf(BskelClass, ["stride", "nr_slots", "scan_hint", "nr_pages", "nr_live"] as const);
export const MAP_DESC = offsetsOf(BskelMapDesc, [
  "name", "owner_kind", "class_id", "value_off", "value_size", "value_align", "nr_live", "creates", "deletes", "index_root",
] as const);
export const PGDESC = offsetsOf(BskelPgdesc, ["kind", "class_id", "nr_live", "aux"] as const);
export const SLAB = offsetsOf(BskelSlabHdr, ["free_mask", "class_id", "nr_slots", "page_no"] as const);
export const ENTRY = offsetsOf(BskelEntry, ["seq", "gen", "owner_id", "map_id", "owner_kind", "state"] as const);

export const REGION_SIZE = BskelRegion.size;
export const PGDESC_SIZE = BskelPgdesc.size;
export const CLASS_SIZE = BskelClass.size;
export const MAP_DESC_SIZE = BskelMapDesc.size;
export const ENTRY_SIZE = BskelEntry.size;
