import type { Btf, BtfType } from "../../src/btf/index.js";
import type { BpftoolType } from "./support.js";

// Written independently of src/btf/json: the cross-check must not share code with what it checks.

type Flat = Record<string, unknown>;

const anon = (n: unknown): string => (n === "(anon)" ? "" : String(n));

/** fromBpftool flattens one bpftool -j entry into a comparable record. */
export function fromBpftool(t: BpftoolType): Flat {
  const base: Flat = { id: t.id, kind: t.kind.toLowerCase(), name: anon(t.name) };
  const any = t as Record<string, any>;
  switch (t.kind) {
    case "INT":
      return { ...base, size: any.size, bits: any.nr_bits, offset: any.bits_offset, enc: any.encoding };
    case "PTR":
    case "TYPEDEF":
    case "VOLATILE":
    case "CONST":
    case "RESTRICT":
    case "TYPE_TAG":
      return { ...base, type: any.type_id };
    case "ARRAY":
      return { ...base, type: any.type_id, index: any.index_type_id, n: any.nr_elems };
    case "STRUCT":
    case "UNION":
      return {
        ...base,
        size: any.size,
        members: any.members.map((m: any) => [anon(m.name), m.type_id, m.bits_offset, m.bitfield_size ?? 0].join(":")),
      };
    case "ENUM": {
      const signed = any.encoding === "SIGNED";
      // bpftool sign-extends 32-bit values when printing them as u64; only the low 32 bits count.
      const values = any.values.map((v: any) => {
        const low = BigInt.asUintN(32, BigInt(v.val));
        return `${anon(v.name)}=${signed ? BigInt.asIntN(32, low) : low}`;
      });
      return { ...base, size: any.size, signed, values };
    }
    case "ENUM64": {
      const signed = any.encoding === "SIGNED";
      const values = any.values.map((v: any) => {
        const raw = BigInt(v.val);
        return `${anon(v.name)}=${signed ? BigInt.asIntN(64, raw) : BigInt.asUintN(64, raw)}`;
      });
      return { ...base, size: any.size, signed, values };
    }
    case "FWD":
      return { ...base, union: any.fwd_kind === "union" };
    case "FUNC":
      return { ...base, type: any.type_id, linkage: any.linkage };
    case "FUNC_PROTO":
      return { ...base, ret: any.ret_type_id, params: any.params.map((p: any) => `${anon(p.name)}:${p.type_id}`) };
    case "VAR":
      return { ...base, type: any.type_id, linkage: any.linkage };
    case "DATASEC":
      return { ...base, size: any.size, vars: any.vars.map((v: any) => `${v.type_id}@${v.offset}+${v.size}`) };
    case "FLOAT":
      return { ...base, size: any.size };
    case "DECL_TAG":
      return { ...base, type: any.type_id, component: any.component_idx };
    default:
      return { ...base, unknown: true };
  }
}

/** fromModel flattens one of our types into the same shape as `fromBpftool`. */
export function fromModel(t: BtfType): Flat {
  const base: Flat = { id: t.id, kind: t.kind, name: t.name };
  switch (t.kind) {
    case "int": {
      const enc = t.bool ? "BOOL" : t.char ? "CHAR" : t.signed ? "SIGNED" : "(none)";
      return { ...base, size: t.size, bits: t.bits, offset: t.offset, enc };
    }
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
      return { ...base, type: t.type };
    case "array":
      return { ...base, type: t.type, index: t.indexType, n: t.nelems };
    case "struct":
    case "union":
      return { ...base, size: t.size, members: t.members.map((m) => [m.name, m.type, m.bitOffset, m.bitfieldSize].join(":")) };
    case "enum":
    case "enum64":
      return { ...base, size: t.size, signed: t.signed, values: t.values.map((v) => `${v.name}=${v.value}`) };
    case "fwd":
      return { ...base, union: t.union };
    case "func":
      return { ...base, type: t.type, linkage: t.linkage };
    case "func_proto":
      return { ...base, ret: t.returnType, params: t.params.map((p) => `${p.name}:${p.type}`) };
    case "var":
      return { ...base, type: t.type, linkage: t.linkage };
    case "datasec":
      return { ...base, size: t.size, vars: t.vars.map((v) => `${v.type}@${v.offset}+${v.size}`) };
    case "float":
      return { ...base, size: t.size };
    case "decl_tag":
      return { ...base, type: t.type, component: t.componentIdx };
  }
}

/** differences lists (up to `limit`) the types where `btf` and bpftool's dump disagree; [] when they match. */
export function differences(btf: Btf, dump: readonly BpftoolType[], limit = 5): string[] {
  const out: string[] = [];
  if (dump.length !== btf.types.length) out.push(`bpftool has ${dump.length} types, we have ${btf.types.length}`);
  const n = Math.min(dump.length, btf.types.length);
  for (let i = 0; i < n && out.length < limit; i++) {
    const a = JSON.stringify(fromBpftool(dump[i]!));
    const b = JSON.stringify(fromModel(btf.types[i]!));
    if (a !== b) out.push(`bpftool ${a}\n     we ${b}`);
  }
  return out;
}
