/**
 * syntheticBtf builds the small raw BTF the fixture loader hands the kernel instead of the
 * object's own .BTF (which would need libbpf's DATASEC/.ksyms fix-ups): an `int` for storage
 * map keys, one opaque struct per storage value size, and two FUNCs for func_info (a global
 * entry `prog(void *)` and a static `cb(int, void *)` for every bpf_loop callback).
 */
export interface SyntheticBtf {
  readonly bytes: Uint8Array;
  readonly intId: number;
  readonly valueId: (size: number) => number;
  readonly progFuncId: number;
  readonly cbFuncId: number;
}

export function syntheticBtf(valueSizes: readonly number[]): SyntheticBtf {
  const names = ["", "int", ...valueSizes.map((s) => `v${s}`), "a", "b", "cb", "prog"];
  const strOff: number[] = [];
  const str: number[] = [];
  for (const n of names) {
    strOff.push(str.length);
    for (const c of new TextEncoder().encode(n)) str.push(c);
    str.push(0);
  }
  const so = (n: string) => strOff[names.indexOf(n)]!;
  const t: number[] = [];
  t.push(so("int"), 1 << 24, 4, (1 << 24) | 32); // [1] INT int, signed, 32 bits
  valueSizes.forEach((s) => t.push(so(`v${s}`), 4 << 24, s)); // [2..] STRUCT vN, no members
  const ptr = 2 + valueSizes.length;
  t.push(0, 2 << 24, 0); // PTR void
  t.push(0, (13 << 24) | 2, 1, so("a"), 1, so("b"), ptr); // FUNC_PROTO int (int a, void *b)
  t.push(0, (13 << 24) | 1, 1, so("a"), ptr); // FUNC_PROTO int (void *a)
  t.push(so("cb"), 12 << 24, ptr + 1); // FUNC cb, static
  t.push(so("prog"), (12 << 24) | 1, ptr + 2); // FUNC prog, global
  const typeLen = t.length * 4;
  const out = new Uint8Array(24 + typeLen + str.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, typeLen, true);
  v.setUint32(16, typeLen, true);
  v.setUint32(20, str.length, true);
  t.forEach((x, i) => v.setUint32(24 + i * 4, x >>> 0, true));
  out.set(str, 24 + typeLen);
  return {
    bytes: out,
    intId: 1,
    valueId: (size) => 2 + valueSizes.indexOf(size),
    progFuncId: ptr + 4,
    cbFuncId: ptr + 3,
  };
}
