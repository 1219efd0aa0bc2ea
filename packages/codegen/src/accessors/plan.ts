import {
  LayoutError, alignOf, arrayDims, cTypeName, flatMembers, isPacked, resolve, resolveId,
  type Btf, type BtfType, type FlatMember,
} from "@bpf-skel/sdk";
import { Namer, pascalCase, propertyName } from "./names.js";

/**
 * The plan is everything the emitter needs, worked out from BTF once: which classes and
 * enums to emit, their names, and how each member is read and written. Keeping BTF
 * analysis here leaves emit.ts a plain printer.
 */

/** Scalar is how a whole (non-bitfield) value is stored. */
export type Scalar =
  | { kind: "int"; size: 1 | 2 | 4 | 8; signed: boolean }
  | { kind: "bigint"; size: number; signed: boolean }
  | { kind: "bool" }
  | { kind: "float"; size: 4 | 8 }
  | { kind: "ptr" }
  | { kind: "enum"; size: number; signed: boolean; enumName: string };

/** Element is the innermost element of an array. */
export type ArrayElement = { kind: "scalar"; scalar: Scalar; char: boolean } | { kind: "struct"; className: string };

export type Access =
  | { kind: "scalar"; scalar: Scalar }
  | { kind: "bitfield"; width: number; signed: boolean; bool: boolean; enumName?: string }
  | { kind: "struct"; className: string; size: number }
  | { kind: "array"; dims: number[]; element: ArrayElement; flexible: boolean };

export interface MemberPlan {
  /** C member name. */
  readonly name: string;
  /** JS accessor name (the C name unless reserved, see names.ts). */
  readonly prop: string;
  /** C type in cast form (`char[16]`), for `fields`. */
  readonly cType: string;
  /** C declaration (`char comm[16]`, `int b:5`), for comments. */
  readonly decl: string;
  readonly bitOffset: number;
  readonly bitSize: number;
  readonly size: number;
  readonly access: Access;
}

export interface ClassPlan {
  readonly id: number;
  readonly name: string;
  /** `struct task_ctx`, or `struct {...}` for an anonymous one. */
  readonly cName: string;
  /** Dotted C path used in error messages: `task_ctx`, `layouts.nested`. */
  readonly label: string;
  readonly size: number;
  readonly align: number;
  readonly packed: boolean;
  members: MemberPlan[];
}

export interface EnumPlan {
  readonly id: number;
  readonly name: string;
  readonly cName: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: { name: string; value: number | bigint }[];
}

/** StoragePlan is one declared storage map: its typed wrapper class and handle type. */
export interface StoragePlan {
  /** Map name, e.g. `task_ctx_stor`. */
  readonly mapName: string;
  readonly owner: "task" | "cgroup";
  /** Class of the value type (a class of this plan). */
  readonly valueClass: string;
  /** `struct task_ctx`, for comments. */
  readonly cValue: string;
  /** Wrapper class name: `TaskCtxStorStorage`. */
  readonly className: string;
  /** Handle type name: `TaskCtxStorHandle`. */
  readonly handleName: string;
  /** Module-private base class name (see emit.ts: isolated declarations need an annotated const). */
  readonly baseName: string;
}

/** StorageRoot is a storage declaration whose value type was found: `valueId` is its struct/union type id. */
export interface StorageRoot {
  readonly name: string;
  readonly owner: "task" | "cgroup";
  readonly valueId: number;
}

export interface Plan {
  readonly classes: ClassPlan[];
  readonly enums: EnumPlan[];
  readonly storage: StoragePlan[];
  readonly littleEndian: boolean;
}

type Named = { id: number; kind: "class" | "enum"; base: string; suffix: string; label: string };

/**
 * findType looks up a type to generate: `task_ctx`, `struct task_ctx`, `union foo`, `enum bar`
 * or a typedef name. With `scan`, it walks the types instead of using (and building) the name index.
 */
export function findType(btf: Btf, spec: string, scan = false): BtfType | undefined {
  const m = /^(struct|union|enum)\s+(\S+)$/.exec(spec.trim());
  const name = m ? m[2]! : spec.trim();
  // A scan beats building the name index (~100k names in vmlinux) for a handful of lookups.
  const candidates = scan ? btf.types.filter((t) => t.name === name) : btf.all(name);
  const wanted = (t: BtfType | undefined): t is BtfType => {
    if (t === undefined) return false;
    if (!m) return t.kind === "struct" || t.kind === "union" || t.kind === "enum" || t.kind === "enum64";
    if (m[1] === "enum") return t.kind === "enum" || t.kind === "enum64";
    return t.kind === m[1];
  };
  // Without a keyword, a struct wins over a union, a union over an enum (C has one tag namespace per kind).
  const rank = (t: BtfType) => ["struct", "union", "enum", "enum64"].indexOf(t.kind);
  const direct = candidates.filter(wanted).sort((a, b) => rank(a) - rank(b))[0];
  if (direct) return direct;
  if (m) return undefined;
  for (const t of candidates) {
    if (t.kind !== "typedef") continue;
    const r = resolve(btf, t.id);
    if (wanted(r)) return r;
  }
  return undefined;
}

/**
 * buildPlan works out the classes and enums for `roots` (type ids) and everything they hold by
 * value, then a wrapper per storage map (whose value types must be among the roots). Storage
 * names are handed out after every type name, so declaring storage never renames a type.
 */
export function buildPlan(
  btf: Btf,
  roots: readonly number[],
  aliasNames: ReadonlyMap<number, string> = new Map(),
  storage: readonly StorageRoot[] = [],
): Plan {
  const namer = new Namer();
  const names = new Map<number, string>();
  const labels = new Map<number, string>();
  const order: Named[] = [];
  const queue: Named[] = [];

  const enqueue = (id: number, contextName: string, label: string): void => {
    const t = btf.type(id);
    if (names.has(id)) return;
    const isEnum = t.kind === "enum" || t.kind === "enum64";
    const base = t.name ? pascalCase(t.name) : contextName;
    const suffix = isEnum ? "Enum" : t.kind === "union" ? "Union" : "Struct";
    const item: Named = { id, kind: isEnum ? "enum" : "class", base, suffix, label: t.name || label };
    queue.push(item);
    names.set(id, namer.take(item.base, item.suffix));
    labels.set(id, item.label);
  };

  for (const root of roots) {
    const t = btf.type(root);
    enqueue(root, pascalCase(aliasNames.get(root) ?? (t.name || "anon")), aliasNames.get(root) ?? (t.name || "anon"));
  }

  // Breadth-first over by-value members, so names are handed out nearest-first.
  const members = new Map<number, FlatMember[]>();
  for (let i = 0; i < queue.length; i++) {
    const item = queue[i]!;
    order.push(item);
    if (item.kind === "enum") continue;
    const flat = flatMembers(btf, item.id);
    members.set(item.id, flat);
    for (const m of flat) {
      const ctx = names.get(item.id)! + pascalCase(m.name);
      const label = `${labels.get(item.id)}.${m.name}`;
      const target = valueTarget(btf, m.type);
      if (target !== undefined) {
        const named = typedefName(btf, m.type);
        enqueue(target, named ? pascalCase(named) : ctx, named ?? label);
      }
    }
  }

  const classes: ClassPlan[] = [];
  const enums: EnumPlan[] = [];
  for (const item of order) {
    const t = btf.type(item.id);
    if (t.kind === "enum" || t.kind === "enum64") {
      enums.push(enumPlan(btf, t, names.get(item.id)!));
      continue;
    }
    if (t.kind !== "struct" && t.kind !== "union") continue;
    const cName = t.name ? `${t.kind} ${t.name}` : `${t.kind} {...}`;
    const label = labels.get(item.id)!;
    classes.push({
      id: t.id,
      name: names.get(item.id)!,
      cName,
      label,
      size: t.size,
      align: alignOf(btf, t.id),
      packed: isPacked(btf, t.id),
      members: members.get(item.id)!.map((m) => memberPlan(btf, m, names)),
    });
  }
  const stores = storage.map((s): StoragePlan => {
    const t = btf.type(s.valueId);
    const valueClass = names.get(s.valueId);
    if (valueClass === undefined || (t.kind !== "struct" && t.kind !== "union")) {
      throw new LayoutError(`storage ${s.name}: value type id ${s.valueId} is not a planned struct or union`, { input: btf.input, typeId: s.valueId });
    }
    const base = pascalCase(s.name);
    return {
      mapName: s.name,
      owner: s.owner,
      valueClass,
      cValue: t.name ? `${t.kind} ${t.name}` : `${t.kind} {...}`,
      className: namer.take(`${base}Storage`, ""),
      handleName: namer.take(`${base}Handle`, ""),
      baseName: namer.take(`${base}StorageBase`, ""),
    };
  });
  return { classes, enums, storage: stores, littleEndian: btf.byteOrder === "little" };
}

// valueTarget returns the struct/union/enum a member holds by value (through arrays), if any.
function valueTarget(btf: Btf, typeId: number): number | undefined {
  const { element } = arrayDims(btf, typeId);
  const id = resolveId(btf, element);
  const t = btf.get(id);
  if (t && (t.kind === "struct" || t.kind === "union" || t.kind === "enum" || t.kind === "enum64")) return id;
  return undefined;
}

// typedefName names an anonymous struct/enum after the typedef that reaches it (`typedef struct {...} foo_t`).
function typedefName(btf: Btf, typeId: number): string | undefined {
  let id = arrayDims(btf, typeId).element;
  for (let steps = 0; steps < 64; steps++) {
    const t = btf.get(id);
    if (!t) return undefined;
    if (t.kind === "typedef") {
      const r = resolve(btf, t.id);
      if (r && r.name === "") return t.name;
    }
    if (t.kind !== "typedef" && t.kind !== "const" && t.kind !== "volatile" && t.kind !== "restrict" && t.kind !== "type_tag") return undefined;
    id = t.type;
  }
  return undefined;
}

function enumPlan(btf: Btf, t: BtfType & { kind: "enum" | "enum64" }, name: string): EnumPlan {
  const values = t.values.map((v) => {
    let value: number | bigint = v.value;
    // 32-bit enum values arrive as s32; an unsigned enum means them unsigned.
    if (typeof value === "number" && !t.signed && value < 0) value += 2 ** (t.size * 8);
    if (typeof value === "bigint" && value >= -(2n ** 53n) + 1n && value <= 2n ** 53n - 1n) value = Number(value);
    return { name: v.name, value };
  });
  return { id: t.id, name, cName: t.name ? `enum ${t.name}` : "enum {...}", size: t.size, signed: t.signed, values };
}

function scalarOf(btf: Btf, typeId: number, names: ReadonlyMap<number, string>, where: () => string): Scalar {
  const t = resolve(btf, typeId);
  const fail = (why: string): never => {
    throw new LayoutError(`${where()}: ${why}`, { input: btf.input, typeId });
  };
  if (t === undefined) return fail("void member");
  switch (t.kind) {
    case "int":
      if (t.bool) return { kind: "bool" };
      if (t.size === 1 || t.size === 2 || t.size === 4 || t.size === 8) return { kind: "int", size: t.size, signed: t.signed };
      return { kind: "bigint", size: t.size, signed: t.signed };
    case "float":
      if (t.size === 4 || t.size === 8) return { kind: "float", size: t.size };
      return fail(`unsupported ${t.size}-byte float`);
    case "ptr":
      return { kind: "ptr" };
    case "enum":
    case "enum64":
      return { kind: "enum", size: t.size, signed: t.signed, enumName: names.get(t.id)! };
    default:
      return fail(`unsupported member type ${t.kind}`);
  }
}

function isChar(btf: Btf, typeId: number): boolean {
  const t = resolve(btf, typeId);
  return t?.kind === "int" && t.size === 1 && (t.char || t.name === "char");
}

function memberPlan(btf: Btf, m: FlatMember, names: ReadonlyMap<number, string>): MemberPlan {
  const where = () => `member ${m.name}`;
  const t = resolve(btf, m.type)!;
  const base = { name: m.name, prop: propertyName(m.name), bitOffset: m.bitOffset, bitSize: m.bitSize, size: m.size };
  const cType = cTypeName(btf, m.type);
  if (m.bitSize !== 0) {
    const s = scalarOf(btf, m.type, names, where);
    const signed = (s.kind === "int" || s.kind === "bigint" || s.kind === "enum") && s.signed;
    return {
      ...base,
      cType,
      decl: `${cTypeName(btf, m.type, m.name)}:${m.bitSize}`,
      access: { kind: "bitfield", width: m.bitSize, signed, bool: s.kind === "bool", ...(s.kind === "enum" ? { enumName: s.enumName } : {}) },
    };
  }
  let decl = cTypeName(btf, m.type, m.name);
  if (t.kind === "struct" || t.kind === "union") {
    return { ...base, cType, decl, access: { kind: "struct", className: names.get(t.id)!, size: t.size } };
  }
  if (t.kind === "array") {
    const { dims, element } = arrayDims(btf, m.type);
    // C spells a flexible array member `items[]`, not `items[0]`.
    const flex = (s: string) => (m.flexible ? s.replace(/\[0\]$/, "[]") : s);
    decl = flex(decl);
    const et = resolve(btf, element);
    const el: ArrayElement =
      et && (et.kind === "struct" || et.kind === "union")
        ? { kind: "struct", className: names.get(et.id)! }
        : { kind: "scalar", scalar: scalarOf(btf, element, names, where), char: isChar(btf, element) };
    return { ...base, cType: flex(cType), decl, access: { kind: "array", dims, element: el, flexible: m.flexible } };
  }
  return { ...base, cType, decl, access: { kind: "scalar", scalar: scalarOf(btf, m.type, names, where) } };
}
