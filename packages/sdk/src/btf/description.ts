import { DescriptionError, isBtfError } from "../errors/index.js";
import { Btf } from "./btf.js";
import { layoutComposite, type MemberSpec } from "./c-layout.js";
import type { Doc } from "./json-path.js";
import type { StorageDecl } from "./storage-decl.js";
import { TypeTable, type Layout } from "./type-table.js";
import { BASE_TYPES, BUILTIN_TYPEDEFS, parseTypeExpr, type TypeExpr } from "./type-expr.js";
import type { BtfEnum64Value, BtfEnumValue } from "./types.js";
import { validateModel } from "./validate.js";

const TOP = ["$schema", "structs", "enums", "typedefs", "storage"];
const STRUCT = ["name", "kind", "packed", "align", "members"];
const MEMBER = ["name", "type", "bits", "align"];
const ENUM = ["name", "size", "values"];
const TYPEDEF = ["name", "type"];
const STORAGE = ["name", "owner", "value"];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_DEPTH = 64;

interface Decl {
  readonly space: "struct" | "union" | "enum" | "typedef";
  readonly name: string;
  readonly id: number;
  readonly doc: Doc;
  state: "todo" | "building" | "done";
}

/**
 * lowerDescription lowers a document in our description schema (docs/json-description.md)
 * to a Btf, laying structs out as clang does for BPF, plus the storage maps it declares.
 */
export function lowerDescription(doc: Doc): { btf: Btf; storage: StorageDecl[] } {
  return new Lowering(doc).run();
}

class Lowering {
  readonly table = new TypeTable();
  readonly decls = new Map<string, Decl>();
  readonly byId = new Map<number, Decl>();
  readonly paths = new Map<number, string>();

  constructor(readonly doc: Doc) {}

  run(): { btf: Btf; storage: StorageDecl[] } {
    const top = this.doc.object(TOP);
    if (top.has("$schema")) top.at("$schema").string();
    const structs = top.at("structs").items(true);
    const enums = top.at("enums").items(true);
    const typedefs = top.at("typedefs").items(true);
    for (const s of structs) {
      s.object(STRUCT);
      const kind = s.has("kind") ? s.at("kind").string() : "struct";
      if (kind !== "struct" && kind !== "union") s.at("kind").fail(`kind must be "struct" or "union", not "${kind}"`);
      this.declare(kind as "struct" | "union", s);
    }
    for (const e of enums) this.declare("enum", e.object(ENUM));
    for (const t of typedefs) this.declare("typedef", t.object(TYPEDEF));
    for (const d of this.decls.values()) this.build(d);
    const storage = top.at("storage").items(true).map((s) => this.storage(s));
    const types = this.table.done();
    try {
      validateModel(types, this.doc.input);
    } catch (e) {
      if (!isBtfError(e)) throw e;
      const path = this.paths.get(e.typeId ?? 0) ?? "/";
      throw new DescriptionError(e.reason, { input: this.doc.input, path }, { cause: e });
    }
    return { btf: new Btf(types, { input: this.doc.input }), storage };
  }

  declare(space: Decl["space"], d: Doc): void {
    const name = ident(d.at("name"));
    // C keeps struct/union/enum tags apart from typedef names; struct and union tags share one namespace.
    const key = `${space === "union" ? "struct" : space}:${name}`;
    if (this.decls.has(key)) d.at("name").fail(`${space} ${name} is declared twice`);
    const id = this.table.reserve();
    const decl: Decl = { space, name, id, doc: d, state: "todo" };
    this.decls.set(key, decl);
    this.byId.set(id, decl);
    this.paths.set(id, d.path);
  }

  build(d: Decl): void {
    if (d.state === "done") return;
    if (d.state === "building") {
      d.doc.fail(d.space === "typedef" ? `typedef ${d.name} refers to itself` : `${d.space} ${d.name} contains itself by value`);
    }
    d.state = "building";
    if (d.space === "typedef") {
      this.table.set(d.id, { kind: "typedef", name: d.name, type: this.typeOf(d.doc.at("type"), 0) }, undefined);
    } else if (d.space === "enum") this.enumType(d);
    else this.composite(d.id, d.space, d.name, d.doc, 0);
    d.state = "done";
  }

  composite(id: number, kind: "struct" | "union", name: string, d: Doc, depth: number): void {
    if (depth > MAX_DEPTH) d.fail("anonymous structs nest too deeply");
    const packed = d.has("packed") ? d.at("packed").boolean() : false;
    const align = d.has("align") ? power2(d.at("align")) : undefined;
    const items = d.at("members").items();
    const specs: MemberSpec[] = [];
    const seen = new Set<string>();
    items.forEach((m, i) => {
      m.object(MEMBER);
      const mname = m.has("name") ? m.at("name").string() : "";
      if (mname !== "" && !IDENT.test(mname)) m.at("name").fail(`"${mname}" is not a C identifier`);
      if (mname !== "" && seen.has(mname)) m.at("name").fail(`duplicate member ${mname}`);
      seen.add(mname);
      const type = this.typeOf(m.at("type"), depth + 1);
      const flexible = isFlexible(m.at("type"));
      if (flexible && (i !== items.length - 1 || kind !== "struct")) m.at("type").fail("a flexible array [] must be the last member of a struct");
      const layout = this.layoutOf(type, m.at("type"));
      const bits = m.has("bits") ? m.at("bits").integer(0, 128) : undefined;
      if (bits !== undefined) this.checkBitfield(type, bits, mname, m, layout);
      if (mname === "" && bits === undefined && !isComposite(this.table, type)) m.at("name").fail("only structs, unions and bitfields may be unnamed");
      const malign = m.has("align") ? power2(m.at("align")) : undefined;
      specs.push({ name: mname, type, layout, bits, align: malign, flexible });
    });
    const l = layoutComposite(kind, specs, packed, align);
    this.table.set(id, { kind, name, size: l.size, members: l.members }, { size: l.size, align: l.align });
    this.paths.set(id, d.path);
  }

  checkBitfield(type: number, bits: number, name: string, m: Doc, layout: Layout): void {
    const t = this.table.get(this.strip(type));
    if (t === undefined || (t.kind !== "int" && t.kind !== "enum" && t.kind !== "enum64")) return m.at("bits").fail("bitfields must have an integer or enum type");
    const max = t.kind === "int" && t.bool ? 1 : layout.size * 8;
    if (bits > max) m.at("bits").fail(`${bits}-bit bitfield ${name} is wider than its ${max}-bit type`);
    if (bits === 0 && name !== "") m.at("bits").fail("a zero-width bitfield must be unnamed");
  }

  enumType(d: Decl): void {
    const doc = d.doc;
    const entries = doc.at("values").entries();
    if (entries.length === 0) doc.at("values").fail("an enum needs at least one value");
    const values = entries.map(([name, v]) => {
      if (!IDENT.test(name)) v.fail(`"${name}" is not a C identifier`);
      return { name, value: v.bigint() };
    });
    const signed = values.some((v) => v.value < 0n);
    const fits = (size: number) =>
      values.every((v) => (signed ? BigInt.asIntN(size * 8, v.value) : BigInt.asUintN(size * 8, v.value)) === v.value);
    let size: number;
    if (doc.has("size")) {
      size = doc.at("size").integer(1, 8);
      if (![1, 2, 4, 8].includes(size)) doc.at("size").fail("enum size must be 1, 2, 4 or 8");
      if (!fits(size)) doc.at("size").fail(`values do not fit ${size} bytes`);
    } else {
      size = fits(4) ? 4 : 8;
      if (!fits(8)) doc.at("values").fail("values do not fit 64 bits");
    }
    if (size === 8) {
      const v64: BtfEnum64Value[] = values;
      this.table.set(d.id, { kind: "enum64", name: d.name, size, signed, values: v64 }, { size, align: size });
    } else {
      const v32: BtfEnumValue[] = values.map((v) => ({ name: v.name, value: Number(v.value) }));
      this.table.set(d.id, { kind: "enum", name: d.name, size, signed, values: v32 }, { size, align: size });
    }
  }

  storage(s: Doc): StorageDecl {
    s.object(STORAGE);
    const name = ident(s.at("name"));
    const owner = s.at("owner").string();
    if (owner !== "task" && owner !== "cgroup") return s.at("owner").fail(`owner must be "task" or "cgroup", not "${owner}"`);
    const value = s.at("value").string();
    if (!this.decls.has(`struct:${value}`)) s.at("value").fail(`${value} is not a declared struct or union`);
    return { name, owner, value };
  }

  /** typeOf lowers a member/typedef `type` (a type expression string or an inline struct/union). */
  typeOf(d: Doc, depth: number): number {
    if (d.isObject()) {
      d.object(STRUCT);
      if (d.has("name") && d.at("name").string() !== "") d.at("name").fail("inline structs are anonymous; declare named ones under /structs");
      const kind = d.has("kind") ? d.at("kind").string() : "struct";
      if (kind !== "struct" && kind !== "union") d.at("kind").fail(`kind must be "struct" or "union", not "${kind}"`);
      const id = this.table.reserve();
      this.composite(id, kind as "struct" | "union", "", d, depth);
      return id;
    }
    const expr = parseTypeExpr(d.string());
    if (typeof expr === "string") d.fail(`bad type "${d.value as string}": ${expr}`);
    return this.exprId(expr, d, 0);
  }

  exprId(e: TypeExpr, d: Doc, depth: number): number {
    if (depth > MAX_DEPTH) d.fail("type nests too deeply");
    switch (e.kind) {
      case "base":
        return this.qualify(e.name === "void" ? 0 : this.base(e.name), e.quals);
      case "named":
        return this.qualify(this.named(e.space, e.name, d, depth), e.quals);
      case "ptr": {
        const to = this.exprId(e.to, d, depth + 1);
        const id = this.table.shared(`ptr:${to}`, () => ({ type: { kind: "ptr", name: "", type: to }, layout: { size: 8, align: 8 } }));
        return this.qualify(id, e.quals);
      }
      case "array": {
        const of = this.exprId(e.of, d, depth + 1);
        if (of === 0) d.fail("array of void");
        const el = this.layoutOf(of, d);
        const n = e.nelems ?? 0;
        if (el.size * n > 0xffffffff) d.fail(`array of ${n} × ${el.size} bytes is too large`);
        const index = this.table.shared("index", () => ({
          type: { kind: "int", name: "__ARRAY_SIZE_TYPE__", size: 4, bits: 32, offset: 0, signed: false, char: false, bool: false },
          layout: { size: 4, align: 4 },
        }));
        return this.table.shared(`array:${of}:${e.nelems ?? "flex"}`, () => ({
          type: { kind: "array", name: "", type: of, indexType: index, nelems: n },
          layout: { size: el.size * n, align: el.align },
        }));
      }
    }
  }

  qualify(id: number, quals: readonly string[]): number {
    // `const volatile int` → CONST → VOLATILE → int, as clang emits it.
    for (const q of [...quals].reverse()) {
      const inner = id;
      id = this.table.shared(`${q}:${inner}`, () => ({ type: { kind: q as "const", name: "", type: inner }, layout: undefined }));
    }
    return id;
  }

  base(name: string): number {
    const b = BASE_TYPES[name]!;
    return this.table.shared(`base:${name}`, () => ({
      type: b.float
        ? { kind: "float", name, size: b.size }
        : { kind: "int", name, size: b.size, bits: b.size * 8, offset: 0, signed: b.signed, char: false, bool: b.bool === true },
      layout: { size: b.size, align: b.size },
    }));
  }

  named(space: "struct" | "union" | "enum" | "plain", name: string, d: Doc, depth: number): number {
    if (space === "plain") {
      for (const key of [`typedef:${name}`, `struct:${name}`, `enum:${name}`]) {
        const decl = this.decls.get(key);
        if (decl) return decl.id;
      }
      const builtin = BUILTIN_TYPEDEFS[name];
      if (builtin === undefined) return d.fail(`unknown type ${name} (declare it under /structs, /enums or /typedefs)`);
      const target = parseTypeExpr(builtin) as TypeExpr;
      const to = this.exprId(target, d, depth + 1);
      return this.table.shared(`typedef:${name}`, () => ({ type: { kind: "typedef", name, type: to }, layout: undefined }));
    }
    const decl = this.decls.get(`${space === "union" ? "struct" : space}:${name}`);
    if (decl) {
      if (decl.space !== space) d.fail(`${name} is declared as a ${decl.space}, not a ${space}`);
      return decl.id;
    }
    if (space === "enum") return d.fail(`unknown enum ${name}`);
    // An undeclared struct/union is incomplete: fine behind a pointer, an error by value (see layoutOf).
    return this.table.shared(`fwd:${space}:${name}`, () => ({ type: { kind: "fwd", name, union: space === "union" }, layout: undefined }));
  }

  /** strip follows typedefs and qualifiers, building declared types on the way. */
  strip(id: number): number {
    for (let steps = 0; id !== 0 && steps <= MAX_DEPTH; steps++) {
      const decl = this.byId.get(id);
      if (decl && decl.state === "todo") this.build(decl);
      const t = this.table.get(id);
      if (t === undefined || (t.kind !== "typedef" && t.kind !== "const" && t.kind !== "volatile")) return id;
      id = t.type;
    }
    return id;
  }

  /** layoutOf gives the size and alignment of `id`, building declared types it needs. */
  layoutOf(id: number, d: Doc): Layout {
    const inner = this.strip(id);
    const decl = this.byId.get(inner);
    if (decl && decl.state === "building") d.fail(`${decl.space} ${decl.name} contains itself by value`);
    const l = inner === 0 ? undefined : this.table.layout(inner);
    if (l === undefined) {
      const t = this.table.get(inner);
      const what = t === undefined ? "void" : `${t.kind} ${t.name || "(anon)"}`;
      return d.fail(`${what} is incomplete: only a pointer to it can be used here`);
    }
    return l;
  }
}

function ident(d: Doc): string {
  const s = d.string();
  if (!IDENT.test(s)) d.fail(`"${s}" is not a C identifier`);
  return s;
}

function power2(d: Doc): number {
  const n = d.integer(1, 1 << 29);
  if ((n & (n - 1)) !== 0) d.fail(`alignment ${n} is not a power of two`);
  return n;
}

function isFlexible(d: Doc): boolean {
  if (typeof d.value !== "string") return false;
  const e = parseTypeExpr(d.value);
  return typeof e !== "string" && e.kind === "array" && e.nelems === undefined;
}

function isComposite(table: TypeTable, id: number): boolean {
  const t = table.get(id);
  return t?.kind === "struct" || t?.kind === "union";
}
