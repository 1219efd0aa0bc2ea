import type { Btf } from "../btf/btf.js";
import type { BtfType } from "../btf/types.js";
import { LoaderError } from "../errors/index.js";

const HDR = { magic: 0, hdrLen: 4, typeOff: 8, typeLen: 12, strOff: 16, strLen: 20 } as const;
const KIND = { INT: 1, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, DECL_TAG: 17, ENUM64: 19 } as const;
const LINKAGE = { static: 0, global: 1, extern: 2 } as const;

/** recordExtra is the byte size of a raw BTF type record after its 12-byte common part. */
function recordExtra(kind: number, vlen: number): number {
  switch (kind) {
    case KIND.INT:
    case KIND.VAR:
    case KIND.DECL_TAG:
      return 4;
    case KIND.ARRAY:
      return 12;
    case KIND.STRUCT:
    case KIND.UNION:
    case KIND.DATASEC:
    case KIND.ENUM64:
      return 12 * vlen;
    case KIND.ENUM:
    case KIND.FUNC_PROTO:
      return 8 * vlen;
    default:
      return 0;
  }
}

/**
 * patchRawBtf applies model-level fix-ups to the object's raw `.BTF` without re-encoding it:
 * string offsets (which .BTF.ext line_info points into) and type ids stay as clang wrote them.
 * Types in `fixed` that differ (by identity) from `original` are patched in place — DATASEC
 * size and secinfos, VAR type and linkage, FUNC linkage, FUNC_PROTO parameter names — and
 * types past the original count (an int, a dummy VAR) are appended with any new strings.
 */
export function patchRawBtf(raw: Uint8Array, original: Btf, fixed: readonly BtfType[], input: string): Uint8Array {
  const src = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const hdrLen = src.getUint32(HDR.hdrLen, true);
  const typeStart = hdrLen + src.getUint32(HDR.typeOff, true);
  const typeLen = src.getUint32(HDR.typeLen, true);
  const strStart = hdrLen + src.getUint32(HDR.strOff, true);
  const strLen = src.getUint32(HDR.strLen, true);
  const strings = raw.subarray(strStart, strStart + strLen);
  const fail = (reason: string, typeId?: number): never => {
    throw new LoaderError(`BTF fix-up: ${reason}`, { input, section: ".BTF", typeId });
  };

  const newStrings: number[] = [];
  const added = new Map<string, number>();
  const strOffset = (s: string): number => {
    if (s === "") return 0;
    const have = added.get(s);
    if (have !== undefined) return have;
    const off = strLen + newStrings.length;
    for (const b of new TextEncoder().encode(s)) newStrings.push(b);
    newStrings.push(0);
    added.set(s, off);
    return off;
  };
  const readStr = (off: number): string => {
    const end = strings.indexOf(0, off);
    return new TextDecoder().decode(strings.subarray(off, end < 0 ? strings.length : end));
  };

  const types = raw.slice(typeStart, typeStart + typeLen);
  const tv = new DataView(types.buffer);
  let pos = 0;
  for (let id = 1; id <= original.types.length; id++) {
    if (pos + 12 > typeLen) fail("type section ends early", id);
    const info = tv.getUint32(pos + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const next = pos + 12 + recordExtra(kind, vlen);
    const was = original.types[id - 1]!;
    const now = fixed[id - 1]!;
    if (now !== was) {
      if (now.kind === "datasec" && kind === KIND.DATASEC) {
        if (now.vars.length !== vlen) fail("DATASEC fix-up changed the variable count", id);
        tv.setUint32(pos + 8, now.size, true);
        now.vars.forEach((v, i) => {
          const o = pos + 12 + 12 * i;
          tv.setUint32(o, v.type, true);
          tv.setUint32(o + 4, v.offset, true);
          tv.setUint32(o + 8, v.size, true);
        });
      } else if (now.kind === "var" && kind === KIND.VAR) {
        tv.setUint32(pos + 8, now.type, true);
        tv.setUint32(pos + 12, LINKAGE[now.linkage], true);
      } else if (now.kind === "func" && kind === KIND.FUNC) {
        tv.setUint32(pos + 4, ((info & ~0xffff) | LINKAGE[now.linkage]) >>> 0, true);
      } else if (now.kind === "func_proto" && kind === KIND.FUNC_PROTO) {
        now.params.forEach((p, i) => {
          const o = pos + 12 + 8 * i;
          if (readStr(tv.getUint32(o, true)) !== p.name) tv.setUint32(o, strOffset(p.name), true);
        });
      } else {
        fail(`cannot patch a ${now.kind} over a raw kind ${kind}`, id);
      }
    }
    pos = next;
  }
  const extra: number[] = [];
  const u32 = (x: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, x >>> 0, true);
    extra.push(...b);
  };
  for (const t of fixed.slice(original.types.length)) {
    if (t.kind === "int") {
      u32(strOffset(t.name));
      u32(KIND.INT << 24);
      u32(t.size);
      u32(((t.signed ? 1 : 0) << 24) | t.bits);
    } else if (t.kind === "var") {
      u32(strOffset(t.name));
      u32(KIND.VAR << 24);
      u32(t.type);
      u32(LINKAGE[t.linkage]);
    } else {
      fail(`cannot append a ${t.kind}`, t.id);
    }
  }
  const newTypeLen = typeLen + extra.length;
  const newStrLen = strLen + newStrings.length;
  const out = new Uint8Array(hdrLen + newTypeLen + newStrLen);
  out.set(raw.subarray(0, hdrLen));
  const ov = new DataView(out.buffer);
  ov.setUint32(HDR.typeOff, 0, true);
  ov.setUint32(HDR.typeLen, newTypeLen, true);
  ov.setUint32(HDR.strOff, newTypeLen, true);
  ov.setUint32(HDR.strLen, newStrLen, true);
  out.set(types, hdrLen);
  out.set(extra, hdrLen + typeLen);
  out.set(strings, hdrLen + newTypeLen);
  out.set(newStrings, hdrLen + newTypeLen + strLen);
  return out;
}
