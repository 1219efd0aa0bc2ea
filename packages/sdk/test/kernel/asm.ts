/**
 * asm is a tiny BPF assembler for hand-written test programs (instruction-set.rst encoding:
 * code u8 | dst:4 src:4 | off s16 | imm s32, little-endian; ld_imm64 takes two slots).
 */
export type Insn = readonly [code: number, dst: number, src: number, off: number, imm: number];

const W = 0x00, DW = 0x18;
export const size = { W, DW } as const;

export const mov64Imm = (dst: number, imm: number): Insn => [0xb7, dst, 0, 0, imm];
export const mov64Reg = (dst: number, src: number): Insn => [0xbf, dst, src, 0, 0];
export const add64Imm = (dst: number, imm: number): Insn => [0x07, dst, 0, 0, imm];
export const rsh64Imm = (dst: number, imm: number): Insn => [0x77, dst, 0, 0, imm];
export const ldxMem = (sz: number, dst: number, src: number, off: number): Insn => [0x61 | sz, dst, src, off, 0];
export const stxMem = (sz: number, dst: number, src: number, off: number): Insn => [0x63 | sz, dst, src, off, 0];
export const stMem = (sz: number, dst: number, off: number, imm: number): Insn => [0x62 | sz, dst, 0, off, imm];
/** atomicAdd64 is lock *(u64 *)(dst + off) += src. */
export const atomicAdd64 = (dst: number, src: number, off: number): Insn => [0xdb, dst, src, off, 0x00];
export const jeqImm = (dst: number, imm: number, off: number): Insn => [0x15, dst, 0, off, imm];
export const jneImm = (dst: number, imm: number, off: number): Insn => [0x55, dst, 0, off, imm];
export const call = (helper: number): Insn => [0x85, 0, 0, 0, helper];
export const exit = (): Insn => [0x95, 0, 0, 0, 0];
/** addrSpaceCast(dst, src): cast an arena pointer from address space 1 (user) to 0 (kernel). */
export const addrSpaceCast = (dst: number, src: number): Insn => [0xbf, dst, src, 1, 1];

/** ldImm64 loads a 64-bit immediate; `src` 1 = BPF_PSEUDO_MAP_FD, 2 = BPF_PSEUDO_MAP_VALUE (next = offset). */
export const ldImm64 = (dst: number, src: number, imm: number, next = 0): Insn[] => [
  [0x18, dst, src, 0, imm],
  [0, 0, 0, 0, next],
];
export const ldMapFd = (dst: number, fd: number): Insn[] => ldImm64(dst, 1, fd);
export const ldMapValue = (dst: number, fd: number, off: number): Insn[] => ldImm64(dst, 2, fd, off);

export const HELPER = { map_lookup_elem: 1, map_update_elem: 2, get_current_pid_tgid: 14 } as const;

/** assemble encodes instructions (nested arrays are flattened). */
export function assemble(...insns: (Insn | Insn[])[]): Uint8Array {
  const flat = insns.flatMap((i) => (typeof i[0] === "number" ? [i as Insn] : (i as Insn[])));
  const out = new Uint8Array(flat.length * 8);
  const v = new DataView(out.buffer);
  flat.forEach(([code, dst, src, off, imm], i) => {
    v.setUint8(i * 8, code);
    v.setUint8(i * 8 + 1, (src << 4) | dst);
    v.setInt16(i * 8 + 2, off, true);
    v.setInt32(i * 8 + 4, imm | 0, true);
  });
  return out;
}

/** u32le / u64le build little-endian keys and values. */
export const u32le = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
export const u64le = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);
export const readU32 = (b: Uint8Array, off = 0): number => new DataView(b.buffer, b.byteOffset).getUint32(off, true);
export const readU64 = (b: Uint8Array, off = 0): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);

/** openFdCount counts /proc/self/fd entries (the leak check). */
export async function openFdCount(): Promise<number> {
  const { fdCount } = await import("../../../../test/support/leaks.js");
  return fdCount();
}

/** counterProgram: if the current tgid is `pid`, atomically add 1 to array[0]. */
export function counterProgram(mapFd: number, pid: number): Uint8Array {
  return assemble(
    call(HELPER.get_current_pid_tgid),
    rsh64Imm(0, 32),
    jneImm(0, pid, 9),
    ldMapFd(1, mapFd),
    stMem(size.W, 10, -4, 0),
    mov64Reg(2, 10),
    add64Imm(2, -4),
    call(HELPER.map_lookup_elem),
    jeqImm(0, 0, 2),
    mov64Imm(1, 1),
    atomicAdd64(0, 1, 0),
    mov64Imm(0, 0),
    exit(),
  );
}

/** intBtf builds raw BTF holding signed INT types (ids 1…n) of the given names and byte sizes. */
export function intBtf(ints: readonly { name: string; size: number; bits?: number }[]): Uint8Array {
  const enc = new TextEncoder();
  const strParts: number[] = [0];
  const nameOff: number[] = [];
  for (const i of ints) {
    nameOff.push(strParts.length);
    strParts.push(...enc.encode(i.name), 0);
  }
  const strings = new Uint8Array(strParts);
  const types = new Uint8Array(16 * ints.length);
  const tv = new DataView(types.buffer);
  ints.forEach((t, k) => {
    tv.setUint32(k * 16, nameOff[k]!, true);
    tv.setUint32(k * 16 + 4, 1 << 24, true); // BTF_KIND_INT
    tv.setUint32(k * 16 + 8, t.size, true);
    tv.setUint32(k * 16 + 12, (1 << 24) | (t.bits ?? t.size * 8), true); // BTF_INT_SIGNED, nr_bits
  });
  const out = new Uint8Array(24 + types.length + strings.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(12, types.length, true);
  v.setUint32(16, types.length, true);
  v.setUint32(20, strings.length, true);
  out.set(types, 24);
  out.set(strings, 24 + types.length);
  return out;
}
