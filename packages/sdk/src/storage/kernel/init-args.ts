import { BSKEL_PAGE_SIZE, BSKEL_POOL_MAX } from "../contract.js";

/** BSKEL_INIT_ARGS_SIZE is sizeof(struct bskel_init_args) in storage-runtime.bpf.h. */
export const BSKEL_INIT_ARGS_SIZE = 24;

/** InitArgs is the context of the bskel_init syscall program. */
export interface InitArgs {
  /** regionAddress: user address of the region header (arena start + regionPage pages). */
  readonly regionAddress: bigint;
  /** regionPage: pages of `.addr_space.1` globals before the region. */
  readonly regionPage: number;
  /** maxPages: region pages (arena pages - regionPage). */
  readonly maxPages: number;
  /** poolTarget: prepared pages the refill keeps (≤ 64). */
  readonly poolTarget: number;
}

/** encodeInitArgs lays out struct bskel_init_args (little-endian, x86-64). */
export function encodeInitArgs(a: InitArgs): Uint8Array {
  const out = new Uint8Array(BSKEL_INIT_ARGS_SIZE);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, a.regionAddress, true);
  v.setUint32(8, a.regionPage, true);
  v.setUint32(12, a.maxPages, true);
  v.setUint32(16, Math.min(a.poolTarget, BSKEL_POOL_MAX), true);
  return out;
}

/** regionAddressOf returns the region header's user address inside an arena mapped at `arenaAddress`. */
export function regionAddressOf(arenaAddress: bigint, regionPage: number): bigint {
  return arenaAddress + BigInt(regionPage * BSKEL_PAGE_SIZE);
}
