import { BtfError } from "../errors/index.js";
import type { Btf } from "./btf.js";
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_SECTION, BTF_VERSION } from "./header.js";
import { StringWriter } from "./strings.js";
import { BTF_KIND, type BtfLinkage, type BtfType, type ByteOrder } from "./types.js";

/** EncodeOptions: `byteOrder` defaults to the Btf's own. */
export interface EncodeOptions {
  readonly byteOrder?: ByteOrder;
}

const LINKAGE: Record<BtfLinkage, number> = { static: 0, global: 1, extern: 2 };

/** recordSize is the byte size of a type's record: 12 plus its trailing data. */
function recordSize(t: BtfType): number {
  switch (t.kind) {
    case "int":
    case "var":
    case "decl_tag":
      return 16;
    case "array":
      return 24;
    case "struct":
    case "union":
      return 12 + 12 * t.members.length;
    case "enum":
      return 12 + 8 * t.values.length;
    case "enum64":
      return 12 + 12 * t.values.length;
    case "func_proto":
      return 12 + 8 * t.params.length;
    case "datasec":
      return 12 + 12 * t.vars.length;
    default:
      return 12;
  }
}

/**
 * encodeBtf writes `btf` as raw BTF (header, type section, string section with each
 * string once) that parseBtf — and the kernel's BPF_BTF_LOAD — accept. Struct members use
 * the kind_flag encoding (bitfield_size << 24 | bit offset) when any member is a bitfield.
 */
export function encodeBtf(btf: Btf, options: EncodeOptions = {}): Uint8Array {
  const le = (options.byteOrder ?? btf.byteOrder) === "little";
  const strings = new StringWriter();
  const fail = (t: BtfType, reason: string): never => {
    throw new BtfError(reason, { input: btf.input, section: BTF_SECTION, typeId: t.id });
  };
  const str = (t: BtfType, s: string): number => {
    if (s.includes("\0")) fail(t, `name ${JSON.stringify(s)} contains NUL`);
    return strings.add(s);
  };
  let typeLen = 0;
  for (const t of btf.types) typeLen += recordSize(t);
  const types = new Uint8Array(typeLen);
  const dv = new DataView(types.buffer);
  let pos = 0;
  const u32 = (v: number) => {
    dv.setUint32(pos, v >>> 0, le);
    pos += 4;
  };
  const head = (t: BtfType, kind: number, vlen: number, kflag: boolean, sizeOrType: number) => {
    if (vlen > 0xffff) fail(t, `vlen ${vlen} exceeds 65535`);
    u32(str(t, t.name));
    u32(((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0);
    u32(sizeOrType);
  };
  btf.types.forEach((t, i) => {
    if (t.id !== i + 1) fail(t, `type at index ${i} has id ${t.id}, want ${i + 1}`);
    switch (t.kind) {
      case "int":
        head(t, BTF_KIND.INT, 0, false, t.size);
        u32((((t.signed ? 1 : 0) | (t.char ? 2 : 0) | (t.bool ? 4 : 0)) << 24) | (t.offset << 16) | t.bits);
        break;
      case "ptr":
        head(t, BTF_KIND.PTR, 0, false, t.type);
        break;
      case "array":
        head(t, BTF_KIND.ARRAY, 0, false, 0);
        u32(t.type);
        u32(t.indexType);
        u32(t.nelems);
        break;
      case "struct":
      case "union": {
        const kflag = t.members.some((m) => m.bitfieldSize !== 0);
        head(t, t.kind === "struct" ? BTF_KIND.STRUCT : BTF_KIND.UNION, t.members.length, kflag, t.size);
        for (const m of t.members) {
          if (kflag && (m.bitOffset > 0xffffff || m.bitfieldSize > 0xff)) fail(t, `member ${m.name} offset does not fit the bitfield encoding`);
          u32(str(t, m.name));
          u32(m.type);
          u32(kflag ? (m.bitfieldSize << 24) | m.bitOffset : m.bitOffset);
        }
        break;
      }
      case "enum":
        head(t, BTF_KIND.ENUM, t.values.length, t.signed, t.size);
        for (const v of t.values) {
          if (!Number.isInteger(v.value) || v.value < -0x80000000 || v.value > 0xffffffff) fail(t, `enum value ${v.name} = ${v.value} does not fit 32 bits`);
          u32(str(t, v.name));
          u32(v.value);
        }
        break;
      case "enum64":
        head(t, BTF_KIND.ENUM64, t.values.length, t.signed, t.size);
        for (const v of t.values) {
          const raw = BigInt.asUintN(64, v.value);
          u32(str(t, v.name));
          u32(Number(raw & 0xffffffffn));
          u32(Number(raw >> 32n));
        }
        break;
      case "fwd":
        head(t, BTF_KIND.FWD, 0, t.union, 0);
        break;
      case "typedef":
        head(t, BTF_KIND.TYPEDEF, 0, false, t.type);
        break;
      case "volatile":
        head(t, BTF_KIND.VOLATILE, 0, false, t.type);
        break;
      case "const":
        head(t, BTF_KIND.CONST, 0, false, t.type);
        break;
      case "restrict":
        head(t, BTF_KIND.RESTRICT, 0, false, t.type);
        break;
      case "type_tag":
        head(t, BTF_KIND.TYPE_TAG, 0, "attribute" in t && t.attribute === true, t.type);
        break;
      case "func":
        head(t, BTF_KIND.FUNC, LINKAGE[t.linkage], false, t.type);
        break;
      case "func_proto":
        head(t, BTF_KIND.FUNC_PROTO, t.params.length, false, t.returnType);
        for (const p of t.params) {
          u32(str(t, p.name));
          u32(p.type);
        }
        break;
      case "var":
        head(t, BTF_KIND.VAR, 0, false, t.type);
        u32(LINKAGE[t.linkage]);
        break;
      case "datasec":
        head(t, BTF_KIND.DATASEC, t.vars.length, false, t.size);
        for (const v of t.vars) {
          u32(v.type);
          u32(v.offset);
          u32(v.size);
        }
        break;
      case "float":
        head(t, BTF_KIND.FLOAT, 0, false, t.size);
        break;
      case "decl_tag":
        head(t, BTF_KIND.DECL_TAG, 0, t.attribute, t.type);
        u32(t.componentIdx);
        break;
      default:
        fail(t, `unknown kind ${(t as { kind: string }).kind}`);
    }
  });
  const strBytes = strings.bytes();
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strBytes.length);
  const hv = new DataView(out.buffer);
  hv.setUint16(0, BTF_MAGIC, le);
  out[2] = BTF_VERSION;
  out[3] = 0;
  hv.setUint32(4, BTF_HEADER_SIZE, le);
  hv.setUint32(8, 0, le);
  hv.setUint32(12, typeLen, le);
  hv.setUint32(16, typeLen, le);
  hv.setUint32(20, strBytes.length, le);
  out.set(types, BTF_HEADER_SIZE);
  out.set(strBytes, BTF_HEADER_SIZE + typeLen);
  return out;
}
