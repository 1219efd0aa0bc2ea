import { BtfError } from "../errors/index.js";
import type { ByteOrder } from "./types.js";

/** BTF_MAGIC is the first u16 of raw BTF, in the producer's byte order. */
export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
/** BTF_HEADER_SIZE is sizeof(struct btf_header): magic, version, flags, hdr_len and four u32 section fields. */
export const BTF_HEADER_SIZE = 24;
/** BTF_SECTION is the section name errors report, as libbpf and the kernel call raw BTF. */
export const BTF_SECTION = ".BTF";

/** BtfHeader is struct btf_header with the type and string sections made absolute. */
export interface BtfHeader {
  readonly byteOrder: ByteOrder;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  /** Absolute byte offset of the type section (hdr_len + type_off). */
  readonly typeStart: number;
  readonly typeLen: number;
  /** Absolute byte offset of the string section (hdr_len + str_off). */
  readonly strStart: number;
  readonly strLen: number;
}

/** isRawBtf says whether `bytes` start with the BTF magic in either byte order. */
export function isRawBtf(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && ((bytes[0] === 0x9f && bytes[1] === 0xeb) || (bytes[0] === 0xeb && bytes[1] === 0x9f));
}

/**
 * readHeader reads and checks struct btf_header: the magic decides the byte order, and
 * both sections must lie inside `bytes` after the header (the kernel's btf_parse_hdr rules,
 * minus its requirement that the sections be in a fixed order).
 */
export function readHeader(bytes: Uint8Array, input: string): BtfHeader {
  const fail = (reason: string, offset: number): never => {
    throw new BtfError(reason, { input, section: BTF_SECTION, offset });
  };
  if (bytes.length < 8) fail(`truncated header: ${bytes.length} bytes`, 0);
  let byteOrder: ByteOrder;
  if (bytes[0] === 0x9f && bytes[1] === 0xeb) byteOrder = "little";
  else if (bytes[0] === 0xeb && bytes[1] === 0x9f) byteOrder = "big";
  else return fail(`bad magic 0x${hex2(bytes[0]!)}${hex2(bytes[1]!)} (want 0xeb9f)`, 0);
  const le = byteOrder === "little";
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[2]!;
  const flags = bytes[3]!;
  if (version !== BTF_VERSION) fail(`unsupported BTF version ${version}`, 2);
  if (flags !== 0) fail(`unsupported header flags 0x${flags.toString(16)}`, 3);
  const hdrLen = dv.getUint32(4, le);
  if (hdrLen < BTF_HEADER_SIZE) fail(`hdr_len ${hdrLen} smaller than the ${BTF_HEADER_SIZE}-byte header`, 4);
  if (bytes.length < BTF_HEADER_SIZE) fail(`truncated header: ${bytes.length} bytes`, 0);
  if (hdrLen > bytes.length) fail(`hdr_len ${hdrLen} past the end of the data (${bytes.length} bytes)`, 4);
  // A longer header than we know must be zero-filled past our fields, as the kernel insists.
  for (let i = BTF_HEADER_SIZE; i < hdrLen; i++) if (bytes[i] !== 0) fail("unknown non-zero header field", i);
  const typeOff = dv.getUint32(8, le);
  const typeLen = dv.getUint32(12, le);
  const strOff = dv.getUint32(16, le);
  const strLen = dv.getUint32(20, le);
  const body = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) fail(`type_off ${typeOff} not 4-byte aligned`, 8);
  if (typeOff + typeLen > body) fail(`type section [${typeOff}, +${typeLen}) past the end of the data`, 8);
  if (strOff + strLen > body) fail(`string section [${strOff}, +${strLen}) past the end of the data`, 16);
  if (typeOff < strOff + strLen && strOff < typeOff + typeLen) fail("type and string sections overlap", 8);
  if (strLen === 0 || bytes[hdrLen + strOff] !== 0) fail("string section must start with an empty string", hdrLen + strOff);
  if (bytes[hdrLen + strOff + strLen - 1] !== 0) fail("string section is not NUL-terminated", hdrLen + strOff + strLen - 1);
  return { byteOrder, version, flags, hdrLen, typeStart: hdrLen + typeOff, typeLen, strStart: hdrLen + strOff, strLen };
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}
