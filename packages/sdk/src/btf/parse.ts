import { BtfError, isBtfError } from "../errors/index.js";
import { Btf } from "./btf.js";
import { BTF_SECTION, readHeader } from "./header.js";
import { StringTable } from "./strings.js";
import { LazyComposite, LazyDatasec, LazyEnum, LazyEnum64, LazyFuncProto, type RawSection } from "./lazy-lists.js";
import type { BtfLinkage, BtfType, BtfTypeTag } from "./types.js";
import { newTypeIndex, type TypeIndex } from "./type-index.js";
import { validateTypes } from "./validate.js";

/** ParseOptions: `input` names the bytes in errors (default "<btf>"). */
export interface ParseOptions {
  readonly input?: string;
}

const LINKAGE: readonly BtfLinkage[] = ["static", "global", "extern"];
// Kinds that may set kind_flag (include/uapi/linux/btf.h).
const KIND_FLAG_OK = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 17) | (1 << 18) | (1 << 19);
// Kinds whose vlen counts trailing records (FUNC keeps its linkage in vlen).
const VLEN_OK = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 12) | (1 << 13) | (1 << 15) | (1 << 19);
const INT_SIZES = (1 << 1) | (1 << 2) | (1 << 4) | (1 << 8) | (1 << 16);
const FLOAT_SIZES = (1 << 2) | (1 << 4) | (1 << 8) | (1 << 12) | (1 << 16);
const ENUM_SIZES = (1 << 1) | (1 << 2) | (1 << 4) | (1 << 8);

/**
 * parseBtf parses raw BTF — the `.BTF` section of an object or a file such as
 * /sys/kernel/btf/vmlinux — in either byte order, into a `Btf`. Every type id, string
 * offset, size and reference is checked; anything malformed throws a BtfError naming the
 * input, the type id and the byte offset inside the raw BTF.
 */
export function parseBtf(bytes: Uint8Array, options: ParseOptions = {}): Btf {
  const input = options.input ?? "<btf>";
  try {
    const header = readHeader(bytes, input);
    const strings = new StringTable(
      bytes.subarray(header.strStart, header.strStart + header.strLen),
      input,
      header.strStart,
    );
    const { types, offsets, index } = readTypes(bytes, header.typeStart, header.typeLen, header.byteOrder === "little", strings, input);
    validateTypes(types, index, offsets, input);
    return new Btf(types, { byteOrder: header.byteOrder, input });
  } catch (e) {
    if (isBtfError(e)) throw e;
    // Every read is bounds-checked; this only turns a bug of ours into an error with a place.
    throw new BtfError(`malformed BTF: ${(e as Error)?.message ?? String(e)}`, { input, section: BTF_SECTION }, { cause: e });
  }
}

function fail(reason: string, input: string, typeId: number, offset: number): never {
  throw new BtfError(reason, { input, section: BTF_SECTION, typeId, offset });
}

function truncated(what: string, need: number, left: number, typeId: number, offset: number, input: string): never {
  throw new BtfError(`truncated ${what}: needs ${need} bytes, ${left} left`, { input, section: BTF_SECTION, typeId, offset });
}

// Bytes after the 12-byte btf_type: fixed per kind, and per vlen record.
const FIXED = [0, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0];
const PER_VLEN = [0, 0, 0, 0, 12, 12, 8, 0, 0, 0, 0, 0, 0, 8, 0, 12, 0, 0, 0, 12];

/** countTypes walks the type section reading only the info words: (an upper bound of) types and sub-records. */
function countTypes(dv: DataView, start: number, end: number, le: boolean): { types: number; subs: number } {
  let pos = start;
  let types = 1; // room for a truncated last record, which readTypes reports
  let subs = 0;
  while (pos + 12 <= end) {
    const info = dv.getUint32(pos + 4, le);
    const kind = (info >>> 24) & 0x1f;
    const per = PER_VLEN[kind] ?? 0;
    const vlen = info & 0xffff;
    types++;
    subs += per === 0 ? 0 : vlen;
    pos += 12 + (FIXED[kind] ?? 0) + per * vlen;
  }
  return { types, subs };
}

/** readTypes decodes the type section; `offsets[i]` is the byte offset of type id i + 1. */
function readTypes(
  bytes: Uint8Array,
  start: number,
  len: number,
  le: boolean,
  strings: StringTable,
  input: string,
): { types: BtfType[]; offsets: Uint32Array; index: TypeIndex } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Lazy lists decode from a private copy of the type section (a memcpy, ~1 ms for
  // vmlinux): the caller may reuse or patch its buffer, and a .BTF section must not pin
  // the whole ELF file. Offsets into the copy are `at - start`.
  const copy = bytes.slice(start, start + len);
  const raw: RawSection = { dv: new DataView(copy.buffer), le, strings };
  const end = start + len;
  // Count first so the flat copy validation walks (type-index.ts) is allocated exactly:
  // bounds from the section length would be 3-4x too big for vmlinux.
  const count = countTypes(dv, start, end, le);
  const offsets = new Uint32Array(count.types);
  // Sized up front (count.types - 1 is exact unless a record is truncated, which throws):
  // growing by push copied the backing store repeatedly, garbage the GC then had to chase.
  const types: BtfType[] = new Array<BtfType>(count.types - 1);
  const ix = newTypeIndex(count.types, count.subs);
  const { kind: ixKind, ref, aux, size: ixSize, subStart, subCount, subType, subA, subB } = ix;
  let sub = 0;
  let pos = start;
  let id = 0;
  while (pos < end) {
    id++;
    const at = pos;
    if (pos + 12 > end) fail(`truncated type: ${end - pos} bytes left of a 12-byte record`, input, id, at);
    offsets[id - 1] = at;
    const name = strings.get(dv.getUint32(pos, le), id, at);
    const info = dv.getUint32(pos + 4, le);
    const sizeOrType = dv.getUint32(pos + 8, le);
    pos += 12;
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const kflag = info >>> 31 === 1;
    if ((info & 0x60ff0000) !== 0) fail(`unused info bits set (0x${info.toString(16)})`, input, id, at + 4);
    if (kflag && ((KIND_FLAG_OK >>> kind) & 1) === 0) fail(`kind_flag set on kind ${kind}`, input, id, at + 4);
    if (vlen !== 0 && ((VLEN_OK >>> kind) & 1) === 0) fail(`vlen ${vlen} on kind ${kind}`, input, id, at + 4);
    ixKind[id] = kind;
    ref[id] = sizeOrType;
    ixSize[id] = sizeOrType;
    subStart[id] = sub;
    switch (kind) {
      case 1: {
        if (pos + 4 > end) truncated("int encoding", 4, end - pos, id, pos, input);
        const enc = dv.getUint32(pos, le);
        pos += 4;
        const bits = enc & 0xff;
        const offset = (enc >>> 16) & 0xff;
        const encoding = enc >>> 24;
        if (sizeOrType > 16 || ((INT_SIZES >>> sizeOrType) & 1) === 0) fail(`int size ${sizeOrType}`, input, id, at + 8);
        if ((enc & 0x0000ff00) !== 0 || encoding > 4 || encoding === 3) fail(`bad int encoding 0x${enc.toString(16)}`, input, id, at + 12);
        if (bits > 128 || offset + bits > sizeOrType * 8) fail(`int bits ${bits} at ${offset} do not fit ${sizeOrType} bytes`, input, id, at + 12);
        types[id - 1] = { kind: "int", id, name, size: sizeOrType, bits, offset, signed: (encoding & 1) !== 0, char: (encoding & 2) !== 0, bool: (encoding & 4) !== 0 };
        break;
      }
      case 2:
        types[id - 1] = { kind: "ptr", id, name, type: sizeOrType };
        break;
      case 3: {
        if (pos + 12 > end) truncated("array", 12, end - pos, id, pos, input);
        const type = dv.getUint32(pos, le);
        const indexType = dv.getUint32(pos + 4, le);
        const nelems = dv.getUint32(pos + 8, le);
        pos += 12;
        ref[id] = type;
        aux[id] = indexType;
        ixSize[id] = nelems;
        types[id - 1] = { kind: "array", id, name, type, indexType, nelems };
        break;
      }
      case 4:
      case 5: {
        if (pos + vlen * 12 > end) truncated("members", vlen * 12, end - pos, id, pos, input);
        subCount[id] = vlen;
        // Members are decoded on first read (lazy-lists.ts); here only the flat copy for validation.
        types[id - 1] = new LazyComposite(kind === 4 ? "struct" : "union", id, name, sizeOrType, raw, at - start);
        for (let i = 0; i < vlen; i++, pos += 12) {
          strings.check(dv.getUint32(pos, le), id, pos);
          const off = dv.getUint32(pos + 8, le);
          subType[sub] = dv.getUint32(pos + 4, le);
          subA[sub] = kflag ? off & 0xffffff : off;
          subB[sub++] = kflag ? off >>> 24 : 0;
        }
        break;
      }
      case 6: {
        if (pos + vlen * 8 > end) truncated("enum values", vlen * 8, end - pos, id, pos, input);
        if (sizeOrType > 8 || ((ENUM_SIZES >>> sizeOrType) & 1) === 0) fail(`enum size ${sizeOrType}`, input, id, at + 8);
        types[id - 1] = new LazyEnum(id, name, sizeOrType, kflag, raw, at - start);
        for (let i = 0; i < vlen; i++, pos += 8) strings.check(dv.getUint32(pos, le), id, pos);
        break;
      }
      case 7:
        types[id - 1] = { kind: "fwd", id, name, union: kflag };
        break;
      case 8:
        types[id - 1] = { kind: "typedef", id, name, type: sizeOrType };
        break;
      case 9:
        types[id - 1] = { kind: "volatile", id, name, type: sizeOrType };
        break;
      case 10:
        types[id - 1] = { kind: "const", id, name, type: sizeOrType };
        break;
      case 11:
        types[id - 1] = { kind: "restrict", id, name, type: sizeOrType };
        break;
      case 12:
        if (vlen > 2) fail(`func linkage ${vlen}`, input, id, at + 4);
        types[id - 1] = { kind: "func", id, name, type: sizeOrType, linkage: LINKAGE[vlen]! };
        break;
      case 13: {
        if (pos + vlen * 8 > end) truncated("params", vlen * 8, end - pos, id, pos, input);
        subCount[id] = vlen;
        types[id - 1] = new LazyFuncProto(id, name, sizeOrType, raw, at - start);
        for (let i = 0; i < vlen; i++, pos += 8) {
          const nameOff = dv.getUint32(pos, le);
          strings.check(nameOff, id, pos);
          subType[sub] = dv.getUint32(pos + 4, le);
          subA[sub++] = nameOff;
        }
        break;
      }
      case 14: {
        if (pos + 4 > end) truncated("var", 4, end - pos, id, pos, input);
        const linkage = dv.getUint32(pos, le);
        if (linkage > 2) fail(`var linkage ${linkage}`, input, id, pos);
        pos += 4;
        types[id - 1] = { kind: "var", id, name, type: sizeOrType, linkage: LINKAGE[linkage]! };
        break;
      }
      case 15: {
        if (pos + vlen * 12 > end) truncated("datasec vars", vlen * 12, end - pos, id, pos, input);
        subCount[id] = vlen;
        types[id - 1] = new LazyDatasec(id, name, sizeOrType, raw, at - start);
        for (let i = 0; i < vlen; i++, pos += 12) {
          subType[sub] = dv.getUint32(pos, le);
          subA[sub] = dv.getUint32(pos + 4, le);
          subB[sub++] = dv.getUint32(pos + 8, le);
        }
        break;
      }
      case 16:
        if (sizeOrType > 16 || ((FLOAT_SIZES >>> sizeOrType) & 1) === 0) fail(`float size ${sizeOrType}`, input, id, at + 8);
        types[id - 1] = { kind: "float", id, name, size: sizeOrType };
        break;
      case 17: {
        if (pos + 4 > end) truncated("decl_tag", 4, end - pos, id, pos, input);
        const componentIdx = dv.getInt32(pos, le);
        pos += 4;
        if (componentIdx < -1) fail(`decl_tag component_idx ${componentIdx}`, input, id, at + 12);
        aux[id] = componentIdx + 1;
        types[id - 1] = { kind: "decl_tag", id, name, type: sizeOrType, componentIdx, attribute: kflag };
        break;
      }
      case 18:
        if (kflag) {
          const tag: BtfTypeTag = { kind: "type_tag", id, name, type: sizeOrType, attribute: true };
          types[id - 1] = tag;
        } else types[id - 1] = { kind: "type_tag", id, name, type: sizeOrType };
        break;
      case 19: {
        if (pos + vlen * 12 > end) truncated("enum64 values", vlen * 12, end - pos, id, pos, input);
        if (sizeOrType > 8 || ((ENUM_SIZES >>> sizeOrType) & 1) === 0) fail(`enum64 size ${sizeOrType}`, input, id, at + 8);
        types[id - 1] = new LazyEnum64(id, name, sizeOrType, kflag, raw, at - start);
        for (let i = 0; i < vlen; i++, pos += 12) strings.check(dv.getUint32(pos, le), id, pos);
        break;
      }
      default:
        fail(`unknown kind ${kind}`, input, id, at + 4);
    }
  }
  return { types, offsets, index: { ...ix, count: id } };
}
