declare const handleBrand: unique symbol;

/**
 * Handle is an opaque reference to one storage entry: its slot (region offset / 8) and the
 * low 24 bits of its generation, packed in one safe integer. The brand names the storage map,
 * so a handle of `task_ctx_stor` does not type-check where a `cgrp_ctx_stor` handle is expected.
 */
export type Handle<Map extends string = string> = number & { readonly [handleBrand]: Map };

const GEN_SPAN = 0x1000000; // 2^24

/** encodeHandle packs an entry offset and generation. */
export function encodeHandle<M extends string>(entryOff: number, gen: number): Handle<M> {
  return ((entryOff / 8) * GEN_SPAN + (gen & 0xffffff)) as Handle<M>;
}

/** handleOffset returns the region offset of a handle's entry. */
export function handleOffset(h: number): number {
  return Math.floor(h / GEN_SPAN) * 8;
}

/** handleGen returns the generation bits a handle carries (low 24 bits). */
export function handleGen(h: number): number {
  return h % GEN_SPAN;
}
