/** BPF instruction encoding helpers (Documentation/bpf/standardization/instruction-set.rst). */

export const INSN_SIZE = 8;
/** BPF_LD | BPF_IMM | BPF_DW: the 16-byte ld_imm64. */
export const OP_LD_IMM64 = 0x18;
/** BPF_JMP | BPF_CALL. */
export const OP_CALL = 0x85;
export const OP_EXIT = 0x95;

/** src_reg values of ld_imm64 and call (uapi bpf.h). */
export const BPF_PSEUDO = {
  MAP_FD: 1,
  MAP_VALUE: 2,
  BTF_ID: 3,
  FUNC: 4,
  MAP_IDX: 5,
  MAP_IDX_VALUE: 6,
  CALL: 1,
  KFUNC_CALL: 2,
} as const;

/** POISON_CALL is libbpf's CO-RE poison: `call 0xbad2310` makes the verifier name the bad relocation. */
export const CORE_POISON = 0xbad2310;

/** Insns is a little-endian view over an instruction buffer. */
export class Insns {
  readonly bytes: Uint8Array;
  readonly #dv: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get count(): number {
    return this.bytes.length / INSN_SIZE;
  }
  code(i: number): number {
    return this.bytes[i * INSN_SIZE]!;
  }
  src(i: number): number {
    return this.bytes[i * INSN_SIZE + 1]! >> 4;
  }
  dst(i: number): number {
    return this.bytes[i * INSN_SIZE + 1]! & 0xf;
  }
  off(i: number): number {
    return this.#dv.getInt16(i * INSN_SIZE + 2, true);
  }
  imm(i: number): number {
    return this.#dv.getInt32(i * INSN_SIZE + 4, true);
  }
  setSrc(i: number, src: number): void {
    const at = i * INSN_SIZE + 1;
    this.bytes[at] = (this.bytes[at]! & 0x0f) | (src << 4);
  }
  setOff(i: number, off: number): void {
    this.#dv.setInt16(i * INSN_SIZE + 2, off, true);
  }
  setImm(i: number, imm: number): void {
    this.#dv.setInt32(i * INSN_SIZE + 4, imm | 0, true);
  }
  setCode(i: number, code: number): void {
    this.bytes[i * INSN_SIZE] = code;
  }
  isCall(i: number): boolean {
    return this.code(i) === OP_CALL;
  }
  isLdImm64(i: number): boolean {
    return this.code(i) === OP_LD_IMM64;
  }
}
