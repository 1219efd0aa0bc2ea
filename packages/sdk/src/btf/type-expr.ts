/**
 * Type expressions of JSON descriptions, written as in C: `unsigned int`, `u32`,
 * `struct task_ctx *`, `const char *`, `u8[2][3]`, `char[]`. Function pointers are not
 * expressible (declare a `void *` or a u64 instead).
 */

export type TypeExpr =
  | { readonly kind: "base"; readonly name: string; readonly quals: readonly Qual[] }
  | { readonly kind: "named"; readonly space: "struct" | "union" | "enum" | "plain"; readonly name: string; readonly quals: readonly Qual[] }
  | { readonly kind: "ptr"; readonly to: TypeExpr; readonly quals: readonly Qual[] }
  | { readonly kind: "array"; readonly of: TypeExpr; readonly nelems: number | undefined };

export type Qual = "const" | "volatile";

/** C_BASE_WORDS are the keywords a C base type is spelled with. */
const C_WORDS = new Set(["signed", "unsigned", "char", "short", "int", "long", "_Bool", "bool", "float", "double", "void"]);

/**
 * parseTypeExpr parses `text`; it returns a reason string on a syntax error. A `[]`
 * (flexible array) is only accepted as the outermost dimension.
 */
export function parseTypeExpr(text: string): TypeExpr | string {
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|0x[0-9a-fA-F]+|\d+|\*|\[|\]|\S/g) ?? [];
  let i = 0;
  const quals: Qual[] = [];
  const words: string[] = [];
  let space: "struct" | "union" | "enum" | undefined;
  let name: string | undefined;
  while (i < tokens.length && /^[A-Za-z_]/.test(tokens[i]!)) {
    const w = tokens[i++]!;
    if (w === "const" || w === "volatile") {
      if (!quals.includes(w)) quals.push(w);
    } else if (w === "struct" || w === "union" || w === "enum") {
      if (space !== undefined || words.length > 0 || name !== undefined) return `unexpected "${w}"`;
      space = w;
      const n = tokens[i++];
      if (n === undefined || !/^[A-Za-z_]/.test(n)) return `${w} needs a name`;
      name = n;
    } else if (C_WORDS.has(w)) {
      if (space !== undefined || name !== undefined) return `unexpected "${w}"`;
      words.push(w);
    } else {
      if (space !== undefined || name !== undefined || words.length > 0) return `unexpected "${w}"`;
      name = w;
    }
  }
  let t: TypeExpr;
  if (space !== undefined) t = { kind: "named", space, name: name!, quals };
  else if (name !== undefined) t = { kind: "named", space: "plain", name, quals };
  else if (words.length > 0) {
    const base = canonicalBase(words);
    if (base === undefined) return `"${words.join(" ")}" is not a C type`;
    t = { kind: "base", name: base, quals };
  } else return tokens.length === 0 ? "empty type" : `unexpected "${tokens[0]}"`;

  while (tokens[i] === "*") {
    i++;
    const pq: Qual[] = [];
    while (tokens[i] === "const" || tokens[i] === "volatile") pq.push(tokens[i++] as Qual);
    t = { kind: "ptr", to: t, quals: pq };
  }
  const dims: (number | undefined)[] = [];
  while (tokens[i] === "[") {
    i++;
    let n: number | undefined;
    if (tokens[i] !== "]") {
      const tok = tokens[i++];
      if (tok === undefined || !/^(0x[0-9a-fA-F]+|\d+)$/.test(tok)) return `bad array size "${tok ?? ""}"`;
      n = Number(tok);
      if (!Number.isSafeInteger(n) || n > 0xffffffff) return `array size ${tok} is too large`;
    }
    if (tokens[i++] !== "]") return `missing "]"`;
    if (n === undefined && dims.length > 0) return "only the first dimension may be [] (flexible)";
    dims.push(n);
  }
  if (i < tokens.length) return `unexpected "${tokens[i]}"`;
  for (let d = dims.length - 1; d >= 0; d--) t = { kind: "array", of: t, nelems: dims[d] };
  return t;
}

/** canonicalBase spells a C base type the way clang names it in BTF, or undefined if the words are not one. */
export function canonicalBase(words: readonly string[]): string | undefined {
  const count = (w: string) => words.filter((x) => x === w).length;
  const signed = count("signed");
  const unsigned = count("unsigned");
  const char = count("char");
  const short = count("short");
  const int = count("int");
  const long = count("long");
  const rest = words.length - signed - unsigned - char - short - int - long;
  if (signed + unsigned > 1 || int > 1 || char > 1 || short > 1 || long > 2) return undefined;
  if (rest > 0) {
    if (words.length !== 1) return undefined;
    const w = words[0]!;
    return w === "bool" ? "_Bool" : w;
  }
  if (char) return short || int || long ? undefined : signed ? "signed char" : unsigned ? "unsigned char" : "char";
  if (short) return long ? undefined : unsigned ? "unsigned short" : "short";
  if (long === 2) return unsigned ? "unsigned long long" : "long long";
  if (long === 1) return unsigned ? "unsigned long" : "long";
  return unsigned ? "unsigned int" : "int";
}

/** BASE_TYPES: size and BTF int encoding of each canonical base type (BPF and x86-64, LP64). */
export const BASE_TYPES: Record<string, { size: number; signed: boolean; bool?: boolean; float?: boolean }> = {
  char: { size: 1, signed: true },
  "signed char": { size: 1, signed: true },
  "unsigned char": { size: 1, signed: false },
  short: { size: 2, signed: true },
  "unsigned short": { size: 2, signed: false },
  int: { size: 4, signed: true },
  "unsigned int": { size: 4, signed: false },
  long: { size: 8, signed: true },
  "unsigned long": { size: 8, signed: false },
  "long long": { size: 8, signed: true },
  "unsigned long long": { size: 8, signed: false },
  _Bool: { size: 1, signed: false, bool: true },
  float: { size: 4, signed: true, float: true },
  double: { size: 8, signed: true, float: true },
};

/** BUILTIN_TYPEDEFS: kernel and <stdint.h> names every description may use, as chains of typedefs. */
export const BUILTIN_TYPEDEFS: Record<string, string> = {
  __u8: "unsigned char",
  __s8: "signed char",
  __u16: "unsigned short",
  __s16: "short",
  __u32: "unsigned int",
  __s32: "int",
  __u64: "unsigned long long",
  __s64: "long long",
  u8: "__u8",
  s8: "__s8",
  u16: "__u16",
  s16: "__s16",
  u32: "__u32",
  s32: "__s32",
  u64: "__u64",
  s64: "__s64",
  int8_t: "signed char",
  uint8_t: "unsigned char",
  int16_t: "short",
  uint16_t: "unsigned short",
  int32_t: "int",
  uint32_t: "unsigned int",
  int64_t: "long",
  uint64_t: "unsigned long",
};
