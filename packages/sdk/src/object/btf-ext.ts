import { BtfError } from "../errors/index.js";

/** BPF_CORE_* relocation kinds (uapi bpf.h enum bpf_core_relo_kind). */
export const CORE_KIND = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

export const CORE_KIND_NAMES = Object.fromEntries(Object.entries(CORE_KIND).map(([k, v]) => [v, k.toLowerCase()])) as Record<
  number,
  string
>;

/** FuncInfo is one bpf_func_info; `insn` is an instruction index (the ELF stores bytes). */
export interface FuncInfo {
  readonly insn: number;
  /** BTF id of the FUNC. */
  readonly typeId: number;
}

/** LineInfo is one bpf_line_info; string offsets point into the object's .BTF strings. */
export interface LineInfo {
  readonly insn: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly line: number;
  readonly column: number;
}

/** CoreRelocation is one bpf_core_relo with its access string read out. */
export interface CoreRelocation {
  readonly insn: number;
  /** Local root type id (in the object's BTF). */
  readonly typeId: number;
  readonly accessStrOff: number;
  /** Access string such as "0:1:2" (field), "0" (type), or an enumerator index. */
  readonly access: string;
  /** CORE_KIND value. */
  readonly kind: number;
}

/** BtfExt is `.BTF.ext` grouped by the ELF section each record belongs to. */
export interface BtfExt {
  readonly funcInfo: Readonly<Record<string, readonly FuncInfo[]>>;
  readonly lineInfo: Readonly<Record<string, readonly LineInfo[]>>;
  readonly coreRelos: Readonly<Record<string, readonly CoreRelocation[]>>;
}

const EXT_HEADER_MIN = 24;
const CORE_HEADER = 32;

/** btfStrings returns the string section of raw `.BTF` bytes (only the header is read). */
export function btfStrings(btf: Uint8Array, input: string): Uint8Array {
  const fail = (r: string, offset: number): never => {
    throw new BtfError(r, { input, section: ".BTF", offset });
  };
  if (btf.length < 24) fail("truncated BTF header", 0);
  if (btf[0] !== 0x9f || btf[1] !== 0xeb) fail("BTF is not little-endian (bad magic)", 0);
  const dv = new DataView(btf.buffer, btf.byteOffset, btf.byteLength);
  const hdrLen = dv.getUint32(4, true);
  const strOff = dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  const start = hdrLen + strOff;
  if (start + strLen > btf.length) fail("BTF string section past the end", 16);
  return btf.subarray(start, start + strLen);
}

const decoder = new TextDecoder();

/** btfString reads the NUL-terminated string at `off` in a BTF string section. */
export function btfString(strings: Uint8Array, off: number, fail: (reason: string) => never): string {
  if (off >= strings.length) fail(`string offset ${off} outside the BTF string section (${strings.length} bytes)`);
  const end = strings.indexOf(0, off);
  if (end < 0) fail(`string at offset ${off} is not NUL-terminated`);
  return decoder.decode(strings.subarray(off, end));
}

/**
 * parseBtfExt reads `.BTF.ext` (Documentation/bpf/btf.rst §4.2): func_info, line_info and,
 * when the header is long enough, CO-RE relocations. Names and access strings come from the
 * `.BTF` string section `strings`. Records larger than the known layout are accepted and
 * only their known prefix read (libbpf does the same for forward compatibility).
 */
export function parseBtfExt(bytes: Uint8Array, strings: Uint8Array, input: string): BtfExt {
  const fail = (reason: string, offset: number): never => {
    throw new BtfError(reason, { input, section: ".BTF.ext", offset });
  };
  if (bytes.length < 8) fail(`truncated header: ${bytes.length} bytes`, 0);
  if (bytes[0] !== 0x9f || bytes[1] !== 0xeb) fail("bad magic (want little-endian 0xeb9f)", 0);
  if (bytes[2] !== 1) fail(`unsupported version ${bytes[2]}`, 2);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hdrLen = dv.getUint32(4, true);
  if (hdrLen < EXT_HEADER_MIN || hdrLen > bytes.length) fail(`bad hdr_len ${hdrLen}`, 4);
  const sub = (offField: number): [number, number] => [dv.getUint32(offField, true), dv.getUint32(offField + 4, true)];
  const str = (off: number, at: number) => btfString(strings, off, (r) => fail(r, at));

  /** walk visits every record of one sub-section, grouped by section name. */
  const walk = <T>(off: number, len: number, minRec: number, what: string, read: (at: number, sec: string) => T) => {
    const out: Record<string, T[]> = {};
    if (len === 0) return out;
    let at = hdrLen + off;
    const end = at + len;
    if (off % 4 !== 0) fail(`${what} offset ${off} not 4-byte aligned`, at);
    if (end > bytes.length || end < at) fail(`${what} [${at}, ${end}) past the end (${bytes.length} bytes)`, at);
    if (len < 4) fail(`${what} too short for its record size`, at);
    const recSize = dv.getUint32(at, true);
    if (recSize < minRec || recSize % 4 !== 0) fail(`${what} record size ${recSize} (want ≥ ${minRec}, multiple of 4)`, at);
    at += 4;
    while (at < end) {
      if (at + 8 > end) fail(`truncated ${what} section header`, at);
      const secName = str(dv.getUint32(at, true), at);
      const n = dv.getUint32(at + 4, true);
      if (n === 0) fail(`${what} for section '${secName}' has no records`, at);
      at += 8;
      if (at + n * recSize > end) fail(`${what} for '${secName}': ${n} records past the end`, at);
      const list = (out[secName] ??= []);
      for (let i = 0; i < n; i++, at += recSize) list.push(read(at, secName));
    }
    return out;
  };
  const insnOf = (at: number, what: string) => {
    const off = dv.getUint32(at, true);
    if (off % 8 !== 0) fail(`${what} insn_off ${off} is not a multiple of 8`, at);
    return off / 8;
  };

  const [fOff, fLen] = sub(8);
  const [lOff, lLen] = sub(16);
  const funcInfo = walk(fOff, fLen, 8, "func_info", (at) => ({ insn: insnOf(at, "func_info"), typeId: dv.getUint32(at + 4, true) }));
  const lineInfo = walk(lOff, lLen, 16, "line_info", (at) => {
    const lineCol = dv.getUint32(at + 12, true);
    return {
      insn: insnOf(at, "line_info"),
      fileNameOff: dv.getUint32(at + 4, true),
      lineOff: dv.getUint32(at + 8, true),
      line: lineCol >>> 10,
      column: lineCol & 0x3ff,
    };
  });
  let coreRelos: Record<string, CoreRelocation[]> = {};
  if (hdrLen >= CORE_HEADER) {
    const [cOff, cLen] = sub(24);
    coreRelos = walk(cOff, cLen, 16, "core_relo", (at) => {
      const accessStrOff = dv.getUint32(at + 8, true);
      const kind = dv.getUint32(at + 12, true);
      if (kind > CORE_KIND.TYPE_MATCHES) fail(`unknown CO-RE relocation kind ${kind}`, at + 12);
      return {
        insn: insnOf(at, "core_relo"),
        typeId: dv.getUint32(at + 4, true),
        accessStrOff,
        access: str(accessStrOff, at + 8),
        kind,
      };
    });
  }
  return { funcInfo, lineInfo, coreRelos };
}
