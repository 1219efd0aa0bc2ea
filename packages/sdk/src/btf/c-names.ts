import { LayoutError } from "../errors/index.js";
import type { Btf } from "./btf.js";

/**
 * cTypeName spells type `id` the way C would write it in a cast: `unsigned int`,
 * `struct foo *`, `char[16]`, `u8[2][3]`, `const char *`, `int (*)(int, void *)`.
 * Anonymous structs, unions and enums read `struct {...}`. With `declarator`, the result
 * is a declaration: `cTypeName(btf, id, "comm")` → `char comm[16]`.
 */
export function cTypeName(btf: Btf, id: number, declarator = ""): string {
  return spell(btf, id, declarator, 0).trim();
}

function join(base: string, inner: string): string {
  if (inner === "") return base;
  if (inner.startsWith("[")) return base + inner;
  return `${base} ${inner}`;
}

// Suffix declarators ([n], (params)) bind tighter than a prefix `*`, so wrap pointers first.
function wrapPointer(inner: string): string {
  return inner.startsWith("*") ? `(${inner})` : inner;
}

function spell(btf: Btf, id: number, inner: string, depth: number): string {
  if (depth > 64) throw new LayoutError("type nests too deeply to spell", { input: btf.input, typeId: id });
  const t = btf.get(id);
  if (t === undefined) return join("void", inner);
  switch (t.kind) {
    case "int":
    case "float":
    case "typedef":
      return join(t.name, inner);
    case "struct":
    case "union":
      return join(t.name ? `${t.kind} ${t.name}` : `${t.kind} {...}`, inner);
    case "enum":
    case "enum64":
      return join(t.name ? `enum ${t.name}` : "enum {...}", inner);
    case "fwd":
      return join(`${t.union ? "union" : "struct"} ${t.name}`, inner);
    case "ptr":
      return spell(btf, t.type, `*${inner}`, depth + 1);
    case "array":
      return spell(btf, t.type, `${wrapPointer(inner)}[${t.nelems}]`, depth + 1);
    case "const":
    case "volatile":
    case "restrict": {
      const target = btf.get(t.type);
      // A qualified pointer puts the qualifier after the star: `char *const p`.
      if (target?.kind === "ptr") return spell(btf, t.type, inner === "" ? t.kind : `${t.kind} ${inner}`, depth + 1);
      return `${t.kind} ${spell(btf, t.type, inner, depth + 1)}`;
    }
    case "type_tag":
      return spell(btf, t.type, inner, depth + 1);
    case "func_proto": {
      const params = t.params.map((p) => (p.type === 0 && p.name === "" ? "..." : spell(btf, p.type, "", depth + 1)));
      return spell(btf, t.returnType, `${wrapPointer(inner)}(${params.length ? params.join(", ") : "void"})`, depth + 1);
    }
    case "func":
      return spell(btf, t.type, t.name, depth + 1);
    case "var":
      return spell(btf, t.type, t.name, depth + 1);
    default:
      return join(t.name || t.kind, inner);
  }
}
