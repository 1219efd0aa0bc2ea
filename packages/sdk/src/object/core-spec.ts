import type { Btf } from "../btf/btf.js";
import { resolveId, sizeOf } from "../btf/layout.js";
import type { BtfComposite, BtfType } from "../btf/types.js";
import { CORE_KIND } from "./btf-ext.js";

/** Accessor is one step of a CO-RE access path: a named struct member or an array index. */
export interface Accessor {
  /** Containing type id (struct/union for members, array for indexes; the root for the first step). */
  readonly typeId: number;
  readonly index: number;
  /** Member name; "" for array indexes and the first step. */
  readonly name: string;
}

/** CoreSpec is libbpf's `bpf_core_spec`: an access path resolved in one BTF. */
export interface CoreSpec {
  readonly rootId: number;
  /** Named accessors (anonymous members are folded away, as libbpf does). */
  readonly accessors: readonly Accessor[];
  /** Every index of the access string, anonymous members included. */
  readonly raw: readonly number[];
  readonly bitOffset: number;
  /** Type of the accessed field (member type or array element), or the root for "0". */
  readonly fieldTypeId: number;
  /** Bitfield width when the last step is a bitfield member, else 0. */
  readonly bitfieldSize: number;
}

export const isFieldKind = (k: number) => k <= CORE_KIND.FIELD_RSHIFT_U64;
export const isTypeKind = (k: number) => k >= CORE_KIND.TYPE_ID_LOCAL && k <= CORE_KIND.TYPE_SIZE || k === CORE_KIND.TYPE_MATCHES;
export const isEnumKind = (k: number) => k === CORE_KIND.ENUMVAL_EXISTS || k === CORE_KIND.ENUMVAL_VALUE;

/** skip returns the type under typedefs and qualifiers (undefined for void). */
export function skip(btf: Btf, id: number): BtfType | undefined {
  return btf.get(resolveId(btf, id));
}

/** essentialName strips a `___flavor` suffix (libbpf `bpf_core_essential_name_len()`). */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== "_" && name.startsWith("___", i + 1) && name[i + 4] !== "_") return name.slice(0, i + 1);
  }
  return name;
}

/**
 * parseLocalSpec resolves an access string such as "0:1:2" in the object's BTF
 * (libbpf `bpf_core_parse_spec()`); throws a plain Error with the reason on a bad path.
 */
export function parseLocalSpec(btf: Btf, rootId: number, access: string, kind: number): CoreSpec {
  const raw = access.split(":").map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`bad access string '${access}'`);
    return Number(s);
  });
  if (raw.length === 0) throw new Error("empty access string");
  if (isTypeKind(kind)) {
    if (raw.length !== 1 || raw[0] !== 0) throw new Error(`type relocation with access '${access}' (want "0")`);
    return { rootId, accessors: [{ typeId: rootId, index: 0, name: "" }], raw, bitOffset: 0, fieldTypeId: rootId, bitfieldSize: 0 };
  }
  if (isEnumKind(kind)) {
    const e = skip(btf, rootId);
    if (e?.kind !== "enum" && e?.kind !== "enum64") throw new Error("enum relocation on a non-enum type");
    if (raw.length !== 1 || raw[0]! >= e.values.length) throw new Error(`enumerator index '${access}' out of range`);
    return { rootId, accessors: [{ typeId: e.id, index: raw[0]!, name: e.values[raw[0]!]!.name }], raw, bitOffset: 0, fieldTypeId: rootId, bitfieldSize: 0 };
  }
  const accessors: Accessor[] = [{ typeId: rootId, index: raw[0]!, name: "" }];
  let bitOffset = raw[0]! * sizeOf(btf, rootId) * 8;
  let cur = rootId;
  let bitfieldSize = 0;
  for (const idx of raw.slice(1)) {
    const t = skip(btf, cur);
    if (t?.kind === "struct" || t?.kind === "union") {
      const m = (t as BtfComposite).members[idx];
      if (m === undefined) throw new Error(`member index ${idx} out of range in '${t.name || "(anon)"}'`);
      bitOffset += m.bitOffset;
      bitfieldSize = m.bitfieldSize;
      if (m.name !== "") accessors.push({ typeId: t.id, index: idx, name: m.name });
      cur = m.type;
    } else if (t?.kind === "array") {
      bitOffset += idx * sizeOf(btf, t.type) * 8;
      bitfieldSize = 0;
      accessors.push({ typeId: t.id, index: idx, name: "" });
      cur = t.type;
    } else {
      throw new Error(`cannot index into ${t?.kind ?? "void"} with '${access}'`);
    }
  }
  return { rootId, accessors, raw, bitOffset, fieldTypeId: cur, bitfieldSize };
}

/** fieldsCompatible is libbpf's `bpf_core_fields_are_compat()`. */
export function fieldsCompatible(local: Btf, localId: number, target: Btf, targetId: number, depth = 0): boolean {
  const l = skip(local, localId);
  const t = skip(target, targetId);
  if (l === undefined || t === undefined) return l === t;
  const composite = (x: BtfType) => x.kind === "struct" || x.kind === "union";
  if (composite(l) && composite(t)) return true;
  if (!kindsCompatible(l, t)) return false;
  switch (l.kind) {
    case "ptr":
    case "float":
      return true;
    case "fwd":
    case "enum":
    case "enum64":
      return l.name === "" || t.name === "" || essentialName(l.name) === essentialName(t.name);
    case "int":
      return l.offset === 0 && (t as { offset: number }).offset === 0;
    case "array":
      return depth < 32 && fieldsCompatible(local, l.type, target, (t as { type: number }).type, depth + 1);
    default:
      return false;
  }
}

/** kindsCompatible is `btf_kind_core_compat()`: same kind, or both enums. */
export function kindsCompatible(a: BtfType, b: BtfType): boolean {
  const anyEnum = (x: BtfType) => x.kind === "enum" || x.kind === "enum64";
  return a.kind === b.kind || (anyEnum(a) && anyEnum(b));
}

/** typesCompatible is a loose `bpf_core_types_are_compat()`: kinds agree all the way down pointers, arrays and prototypes. */
export function typesCompatible(local: Btf, localId: number, target: Btf, targetId: number, depth = 0): boolean {
  const l = skip(local, localId);
  const t = skip(target, targetId);
  if (l === undefined || t === undefined) return l === t;
  if (depth > 32) return false;
  if (!kindsCompatible(l, t)) return (l.kind === "fwd" && (t.kind === "struct" || t.kind === "union")) || (t.kind === "fwd" && (l.kind === "struct" || l.kind === "union"));
  switch (l.kind) {
    case "int":
      return l.offset === 0 && (t as { offset: number }).offset === 0;
    case "ptr":
      return typesCompatible(local, l.type, target, (t as { type: number }).type, depth + 1);
    case "array":
      return typesCompatible(local, l.type, target, (t as { type: number }).type, depth + 1);
    case "func_proto": {
      const tp = t as typeof l;
      if (l.params.length !== tp.params.length) return false;
      return (
        l.params.every((p, i) => typesCompatible(local, p.type, target, tp.params[i]!.type, depth + 1)) &&
        typesCompatible(local, l.returnType, target, tp.returnType, depth + 1)
      );
    }
    default:
      return true;
  }
}

/** namesMatch compares essential names; two anonymous types match, one anonymous does not. */
function namesMatch(a: string, b: string): boolean {
  return essentialName(a) === essentialName(b);
}

/**
 * typesMatch is libbpf's `bpf_core_types_match()` (BPF_CORE_TYPE_MATCHES): stricter than
 * compatibility — names agree at every level, every local member/enumerator has a namesake in
 * the target with a matching type, ints agree in size and signedness, arrays in length.
 */
export function typesMatch(local: Btf, localId: number, target: Btf, targetId: number, behindPtr = false, depth = 0): boolean {
  if (depth > 32) return false;
  const l = skip(local, localId);
  const t = skip(target, targetId);
  if (l === undefined || t === undefined) return l === t;
  if (!namesMatch(l.name, t.name)) return false;
  const composite = (x: BtfType) => x.kind === "struct" || x.kind === "union";
  if (behindPtr && (l.kind === "fwd" || t.kind === "fwd")) {
    const fwdUnion = (x: BtfType) => (x.kind === "fwd" ? x.union : x.kind === "union");
    return (l.kind === "fwd" || composite(l)) && (t.kind === "fwd" || composite(t)) && fwdUnion(l) === fwdUnion(t);
  }
  switch (l.kind) {
    case "enum":
    case "enum64": {
      if (t.kind !== "enum" && t.kind !== "enum64") return false;
      if (l.size !== t.size) return false;
      const names = new Set(t.values.map((v) => essentialName(v.name)));
      return l.values.every((v) => names.has(essentialName(v.name)));
    }
    case "struct":
    case "union": {
      if (t.kind !== l.kind) return false;
      const tm = (t as BtfComposite).members;
      if (l.members.length > tm.length) return false;
      return l.members.every((m) =>
        tm.some((x) => (m.name === "") === (x.name === "") && (m.name === "" || m.name === x.name) && typesMatch(local, m.type, target, x.type, false, depth + 1)),
      );
    }
    case "int":
      return t.kind === "int" && l.size === t.size && l.signed === t.signed && l.bool === t.bool && l.char === t.char;
    case "float":
      return t.kind === "float" && l.size === t.size;
    case "ptr":
      return t.kind === "ptr" && typesMatch(local, l.type, target, t.type, true, depth + 1);
    case "array":
      return t.kind === "array" && l.nelems === t.nelems && typesMatch(local, l.type, target, t.type, behindPtr, depth + 1);
    case "func_proto": {
      if (t.kind !== "func_proto" || l.params.length !== t.params.length) return false;
      return (
        l.params.every((p, i) => typesMatch(local, p.type, target, t.params[i]!.type, behindPtr, depth + 1)) &&
        typesMatch(local, l.returnType, target, t.returnType, behindPtr, depth + 1)
      );
    }
    default:
      return l.kind === t.kind;
  }
}
