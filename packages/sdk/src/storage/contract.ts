/**
 * Constants of the mapped-storage layout contract (docs/storage-layout.md), as the C header
 * `include/bpf-skel/storage-layout.h` defines them; a test compares every one with the header.
 * Offsets are not here: they come from the generated accessors (see offsets.ts).
 */

/** BSKEL_REGION_MAGIC as two u32 halves ("bskelrgn" little-endian). */
export const BSKEL_REGION_MAGIC = 0x6e67726c656b7362n;
export const BSKEL_REGION_MAGIC_LO = 0x656b7362;
export const BSKEL_REGION_MAGIC_HI = 0x6e67726c;
export const BSKEL_LAYOUT_VERSION = 1;

export const BSKEL_PAGE_SHIFT = 12;
export const BSKEL_PAGE_SIZE = 4096;
export const BSKEL_PGDESC_PGOFF = 1;
export const BSKEL_PGDESC_PER_PAGE = 512;

export const BSKEL_PAGE_ABSENT = 0;
export const BSKEL_PAGE_META = 1;
export const BSKEL_PAGE_PREPARED = 2;
export const BSKEL_PAGE_SLAB = 3;
export const BSKEL_PAGE_INDEX_L1 = 4;
export const BSKEL_PAGE_INDEX_LEAF = 5;
export const BSKEL_PAGE_RETIRED = 6;

export const BSKEL_MAX_CLASSES = 16;
export const BSKEL_MAX_MAPS = 8;
export const BSKEL_POOL_MAX = 64;
export const BSKEL_MAP_NAME_LEN = 16;

export const BSKEL_INDEX_ROOT = 64;
export const BSKEL_INDEX_L1_SHIFT = 9;
export const BSKEL_INDEX_ROOT_SHIFT = 19;
export const BSKEL_INDEX_L1_FANOUT = 1024;
export const BSKEL_INDEX_LEAF_FANOUT = 512;
export const BSKEL_KEY_LIMIT = 1 << 25;

export const BSKEL_OWNER_TASK = 1;
export const BSKEL_OWNER_CGROUP = 2;

export const BSKEL_ENTRY_FREE = 0;
export const BSKEL_ENTRY_LIVE = 1;

export const BSKEL_SLAB_HDR_SIZE = 32;
export const BSKEL_SLAB_SLOTS_MAX = 128;
export const BSKEL_VALUE_ALIGN_MAX = 16;
export const BSKEL_CLASS_STRIDES: readonly number[] = [
  32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 672, 1008, 2032, 4064,
];

/** OwnerKind names what a storage map is keyed by. */
export type OwnerKind = "task" | "cgroup";

/** ownerKindCode maps an OwnerKind to its BSKEL_OWNER_* value. */
export function ownerKindCode(kind: OwnerKind): number {
  return kind === "task" ? BSKEL_OWNER_TASK : BSKEL_OWNER_CGROUP;
}

/** valueOffset is bskel_value_off(): where a value of alignment `align` starts in an entry. */
export function valueOffset(align: number): number {
  return align > 8 ? 32 : 24;
}

/**
 * classFor returns the size class for a value, or -1 when it does not fit a page (v1 limit):
 * the first stride that holds entry header + value and is a multiple of the value's alignment.
 */
export function classFor(valueSize: number, valueAlign: number): number {
  if (valueAlign > BSKEL_VALUE_ALIGN_MAX) return -1;
  const need = valueOffset(valueAlign) + valueSize;
  for (let c = 0; c < BSKEL_CLASS_STRIDES.length; c++) {
    const stride = BSKEL_CLASS_STRIDES[c]!;
    if (stride >= need && stride % Math.max(8, valueAlign) === 0) return c;
  }
  return -1;
}

/** slotsPerPage is nr_slots of a slab page of `stride`. */
export function slotsPerPage(stride: number): number {
  return Math.min(BSKEL_SLAB_SLOTS_MAX, Math.floor((BSKEL_PAGE_SIZE - BSKEL_SLAB_HDR_SIZE) / stride));
}
