import type { Btf } from "../btf/btf.js";
import { sizeOf } from "../btf/layout.js";
import type { BtfComposite, BtfType } from "../btf/types.js";
import { LoaderError } from "../errors/index.js";
import { CORE_KIND, CORE_KIND_NAMES, type CoreRelocation } from "./btf-ext.js";
import { essentialName, fieldsCompatible, isEnumKind, isFieldKind, kindsCompatible, parseLocalSpec, skip, typesCompatible, typesMatch, type CoreSpec } from "./core-spec.js";
import { CORE_POISON, Insns, OP_CALL } from "./insn.js";

/** CoreResult is what one CO-RE relocation resolves to. */
export interface CoreResult {
  /** Value the local BTF gives (what clang wrote into the instruction). */
  readonly local: number;
  /** Value for the target; undefined when the relocation cannot be satisfied (poison). */
  readonly target: number | undefined;
  /** Target type id of the matched root (0 when none matched). */
  readonly targetTypeId: number;
  /** Byte size of the accessed field locally / in the target (load-size fix-ups). */
  readonly localSize?: number;
  readonly targetSize?: number;
  /** Why the relocation cannot be satisfied. */
  readonly reason?: string;
  /** The local field is a bitfield (its old immediate is not checked, as in libbpf). */
  readonly bitfield?: boolean;
}

interface FieldPos {
  readonly bitOffset: number;
  readonly fieldTypeId: number;
  readonly bitfieldSize: number;
}

const candidateCache = new WeakMap<Btf, Map<string, BtfType[]>>();

/** candidates lists target types with the same essential name and a compatible kind (libbpf `bpf_core_find_cands()`). */
function candidates(target: Btf, local: BtfType): BtfType[] {
  let index = candidateCache.get(target);
  if (index === undefined) {
    index = new Map();
    for (const t of target.types) {
      if (t.name === "") continue;
      const key = essentialName(t.name);
      const list = index.get(key);
      if (list) list.push(t);
      else index.set(key, [t]);
    }
    candidateCache.set(target, index);
  }
  return (index.get(essentialName(local.name)) ?? []).filter((t) => kindsCompatible(local, t));
}

/** matchMember finds member `name` in target composite `id`, descending through anonymous members. */
function matchMember(local: Btf, localMemberType: number, name: string, target: Btf, id: number, depth = 0): { bitOffset: number; type: number; bitfieldSize: number } | undefined {
  const t = skip(target, id);
  if (t?.kind !== "struct" && t?.kind !== "union") return undefined;
  for (const m of (t as BtfComposite).members) {
    if (m.name === "" && depth < 32) {
      const inner = matchMember(local, localMemberType, name, target, m.type, depth + 1);
      if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
    } else if (m.name === name) {
      if (!fieldsCompatible(local, localMemberType, target, m.type)) return undefined;
      return { bitOffset: m.bitOffset, type: m.type, bitfieldSize: m.bitfieldSize };
    }
  }
  return undefined;
}

/** matchField walks the local spec's named accessors in the target (libbpf `bpf_core_spec_match()`). */
function matchField(local: Btf, spec: CoreSpec, target: Btf, rootId: number): FieldPos | undefined {
  let bitOffset = spec.accessors[0]!.index * sizeOf(target, rootId) * 8;
  let cur = rootId;
  let bitfieldSize = 0;
  for (const acc of spec.accessors.slice(1)) {
    if (acc.name !== "") {
      const lm = (local.type(acc.typeId) as BtfComposite).members[acc.index]!;
      const m = matchMember(local, lm.type, acc.name, target, cur);
      if (m === undefined) return undefined;
      bitOffset += m.bitOffset;
      bitfieldSize = m.bitfieldSize;
      cur = m.type;
    } else {
      const a = skip(target, cur);
      if (a?.kind !== "array") return undefined;
      const last = acc === spec.accessors[spec.accessors.length - 1];
      if (acc.index >= a.nelems && !(a.nelems === 0 && last)) return undefined;
      bitOffset += acc.index * sizeOf(target, a.type) * 8;
      bitfieldSize = 0;
      cur = a.type;
    }
  }
  return { bitOffset, fieldTypeId: cur, bitfieldSize };
}

/** fieldValue is libbpf's `bpf_core_calc_field_relo()` for a matched field. */
function fieldValue(btf: Btf, kind: number, f: FieldPos): { value: number; size: number } {
  const t = skip(btf, f.fieldTypeId);
  let byteSize: number;
  let byteOff: number;
  let bitSize: number;
  if (f.bitfieldSize > 0) {
    bitSize = f.bitfieldSize;
    byteSize = sizeOf(btf, f.fieldTypeId);
    byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    while (f.bitOffset + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new Error("bitfield does not fit in 8 bytes");
      byteSize *= 2;
      byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    }
  } else {
    if (f.bitOffset % 8 !== 0) throw new Error("field is not byte-aligned");
    byteSize = sizeOf(btf, f.fieldTypeId);
    byteOff = f.bitOffset / 8;
    bitSize = byteSize * 8;
  }
  switch (kind) {
    case CORE_KIND.FIELD_BYTE_OFFSET:
      return { value: byteOff, size: byteSize };
    case CORE_KIND.FIELD_BYTE_SIZE:
      return { value: byteSize, size: byteSize };
    case CORE_KIND.FIELD_EXISTS:
      return { value: 1, size: byteSize };
    case CORE_KIND.FIELD_SIGNED: {
      const signed = ((t?.kind === "enum" || t?.kind === "enum64") && t.signed) || (t?.kind === "int" && t.signed);
      return { value: signed ? 1 : 0, size: byteSize };
    }
    case CORE_KIND.FIELD_LSHIFT_U64:
      return { value: 64 - (f.bitOffset + bitSize - byteOff * 8), size: byteSize };
    default:
      return { value: 64 - bitSize, size: byteSize };
  }
}

/** typeValue computes type-based kinds for a matched root. */
function typeValue(btf: Btf, kind: number, id: number): number {
  if (kind === CORE_KIND.TYPE_SIZE) return sizeOf(btf, id);
  if (kind === CORE_KIND.TYPE_ID_LOCAL || kind === CORE_KIND.TYPE_ID_TARGET) return id;
  return 1;
}

/** enumValue finds the enumerator named like the local one in a target enum. */
function enumValue(local: Btf, spec: CoreSpec, target: Btf, id: number): number | undefined {
  const name = essentialName(spec.accessors[0]!.name);
  const t = skip(target, id);
  if (t?.kind !== "enum" && t?.kind !== "enum64") return undefined;
  const v = t.values.find((x) => essentialName(x.name) === name);
  return v === undefined ? undefined : Number(v.value);
}

function localValue(local: Btf, kind: number, spec: CoreSpec): { value: number; size?: number } {
  if (isFieldKind(kind)) return fieldValue(local, kind, spec);
  if (isEnumKind(kind)) {
    if (kind === CORE_KIND.ENUMVAL_EXISTS) return { value: 1 };
    const e = skip(local, spec.rootId) as unknown as { values: { value: number | bigint }[] };
    return { value: Number(e.values[spec.accessors[0]!.index]!.value) };
  }
  return { value: typeValue(local, kind, spec.rootId) };
}

/**
 * resolveCore computes one relocation against `target` (libbpf `bpf_core_calc_relo_insn()`).
 * Several matching candidates must agree. Existence kinds resolve to 0 when nothing matches;
 * other kinds come back with `target: undefined` and a reason.
 */
export function resolveCore(local: Btf, relo: CoreRelocation, target: Btf | undefined): CoreResult {
  const spec = parseLocalSpec(local, relo.typeId, relo.access, relo.kind);
  return { ...resolveSpec(local, relo, spec, target), bitfield: isFieldKind(relo.kind) && spec.bitfieldSize > 0 };
}

function resolveSpec(local: Btf, relo: CoreRelocation, spec: CoreSpec, target: Btf | undefined): CoreResult {
  const lv = localValue(local, relo.kind, spec);
  if (relo.kind === CORE_KIND.TYPE_ID_LOCAL) return { local: lv.value, target: lv.value, targetTypeId: relo.typeId };
  if (target === undefined) return { local: lv.value, target: undefined, targetTypeId: 0, reason: "no target BTF" };
  const root = skip(local, relo.typeId) ?? local.type(relo.typeId);
  if (root.name === "") return { local: lv.value, target: undefined, targetTypeId: 0, reason: "anonymous root type cannot be matched by name" };
  const results: { value: number; size?: number; id: number }[] = [];
  for (const cand of candidates(target, root)) {
    if (isFieldKind(relo.kind)) {
      const f = matchField(local, spec, target, cand.id);
      if (f) results.push({ ...fieldValue(target, relo.kind, f), id: cand.id });
    } else if (isEnumKind(relo.kind)) {
      const v = enumValue(local, spec, target, cand.id);
      if (v !== undefined) results.push({ value: relo.kind === CORE_KIND.ENUMVAL_EXISTS ? 1 : v, id: cand.id });
    } else if (relo.kind === CORE_KIND.TYPE_MATCHES ? typesMatch(local, relo.typeId, target, cand.id) : typesCompatible(local, relo.typeId, target, cand.id)) {
      results.push({ value: typeValue(target, relo.kind, cand.id), id: cand.id });
    }
  }
  const exists = relo.kind === CORE_KIND.FIELD_EXISTS || relo.kind === CORE_KIND.TYPE_EXISTS || relo.kind === CORE_KIND.ENUMVAL_EXISTS || relo.kind === CORE_KIND.TYPE_MATCHES;
  if (results.length === 0) {
    if (exists) return { local: lv.value, target: 0, targetTypeId: 0 };
    return { local: lv.value, target: undefined, targetTypeId: 0, reason: `no '${essentialName(root.name)}' in the target BTF has this ${isFieldKind(relo.kind) ? "field" : isEnumKind(relo.kind) ? "enumerator" : "type"}` };
  }
  const first = results[0]!;
  // TYPE_ID_TARGET legitimately differs per candidate only if they are duplicates; libbpf errors too.
  if (results.some((r) => r.value !== first.value)) {
    return { local: lv.value, target: undefined, targetTypeId: 0, reason: `ambiguous: candidates give ${results.map((r) => `${r.value} (id ${r.id})`).join(", ")}` };
  }
  return { local: lv.value, target: first.value, targetTypeId: first.id, localSize: lv.size, targetSize: first.size };
}

/** CoreOptions: `strict` turns unsatisfiable relocations into LoaderErrors instead of poison. */
export interface CoreOptions {
  readonly strict?: boolean;
  readonly input?: string;
  readonly program?: string;
}

/** CorePoison records a relocation that was poisoned (`call 0xbad2310`). */
export interface CorePoison {
  readonly insn: number;
  readonly access: string;
  readonly kind: string;
  readonly type: string;
  readonly message: string;
}

const SIZE_BITS: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };

/**
 * applyCore patches `insns` (one function, instruction indexes as in `relos`) for `target`
 * (libbpf `bpf_core_patch_insn()`): ALU immediates, load/store offsets (with load-size
 * fix-ups), and both halves of ld_imm64. Unsatisfiable relocations are poisoned, as libbpf
 * does, so code guarded by bpf_core_field_exists() still loads; `strict` throws instead.
 */
export function applyCore(insns: Uint8Array, relos: readonly CoreRelocation[], local: Btf, target: Btf | undefined, options: CoreOptions = {}): CorePoison[] {
  const view = new Insns(insns);
  const poisoned: CorePoison[] = [];
  for (const relo of relos) {
    const rootName = describeType(local, relo.typeId);
    const place = { input: options.input, symbol: options.program, typeId: relo.typeId };
    const what = `${options.program ?? "program"} insn ${relo.insn}: CO-RE ${CORE_KIND_NAMES[relo.kind]} '${relo.access}' on ${rootName}`;
    if (relo.insn >= view.count) throw new LoaderError(`${what}: instruction out of range`, place);
    let r: CoreResult;
    try {
      r = resolveCore(local, relo, target);
    } catch (e) {
      if (e instanceof LoaderError) throw e;
      throw new LoaderError(`${what}: ${(e as Error).message}`, place, { cause: e });
    }
    const i = relo.insn;
    if (r.target === undefined) {
      const message = `${what} cannot be satisfied: ${r.reason}`;
      if (options.strict) throw new LoaderError(message, place);
      poison(view, i);
      poisoned.push({ insn: i, access: relo.access, kind: CORE_KIND_NAMES[relo.kind]!, type: rootName, message });
      continue;
    }
    const cls = view.code(i) & 0x07;
    if (view.isLdImm64(i)) {
      if (i + 1 >= view.count) throw new LoaderError(`${what}: ld_imm64 is truncated`, place);
      // ld_imm64 carries 64 bits (enum values can be negative or wider than 32 bits).
      const old = (BigInt.asUintN(32, BigInt(view.imm(i + 1))) << 32n) | BigInt.asUintN(32, BigInt(view.imm(i)));
      if (!r.bitfield && old !== BigInt.asUintN(64, BigInt(r.local))) throw new LoaderError(`${what}: ld_imm64 holds ${old}, expected ${r.local}`, place);
      const v = BigInt.asUintN(64, BigInt(r.target));
      view.setImm(i, Number(BigInt.asIntN(32, v)));
      view.setImm(i + 1, Number(BigInt.asIntN(32, v >> 32n)));
    } else if (cls === 0x04 || cls === 0x07) {
      if ((view.code(i) & 0x08) !== 0) throw new LoaderError(`${what}: ALU instruction has a register source`, place);
      // A mismatch means the record does not describe this instruction (libbpf "unexpected insn").
      if (!r.bitfield && view.imm(i) !== r.local) throw new LoaderError(`${what}: instruction holds ${view.imm(i)}, expected ${r.local}`, place);
      view.setImm(i, r.target);
    } else if (cls === 0x01 || cls === 0x02 || cls === 0x03) {
      if (relo.kind !== CORE_KIND.FIELD_BYTE_OFFSET) throw new LoaderError(`${what}: load/store patched by a non-offset relocation`, place);
      if (!r.bitfield && view.off(i) !== r.local) throw new LoaderError(`${what}: instruction offset is ${view.off(i)}, expected ${r.local}`, place);
      if (r.target > 0x7fff) throw new LoaderError(`${what}: offset ${r.target} does not fit in 16 bits`, place);
      view.setOff(i, r.target);
      if (r.localSize !== r.targetSize && cls === 0x01 && r.targetSize !== undefined) {
        const bits = SIZE_BITS[r.targetSize];
        if (bits === undefined) throw new LoaderError(`${what}: cannot load a ${r.targetSize}-byte field`, place);
        view.setCode(i, (view.code(i) & ~0x18) | bits);
      }
    } else {
      throw new LoaderError(`${what}: cannot patch opcode 0x${view.code(i).toString(16)}`, place);
    }
  }
  return poisoned;
}

function poison(view: Insns, i: number): void {
  const both = view.isLdImm64(i) && i + 1 < view.count;
  for (const at of both ? [i + 1, i] : [i]) {
    view.setCode(at, OP_CALL);
    view.bytes[at * 8 + 1] = 0;
    view.setOff(at, 0);
    view.setImm(at, CORE_POISON);
  }
}

function describeType(btf: Btf, id: number): string {
  try {
    const t = btf.type(id);
    return `${t.kind} ${t.name || "(anon)"} (id ${id})`;
  } catch {
    return `type id ${id}`;
  }
}
