import { arrayDims, flatMembers, resolve, sizeOf, type Btf } from "@bpf-skel/sdk";

/**
 * Leaves of a struct for the clang cross-check: every scalar reachable through members,
 * nested structs and array elements, with its C access path and how to reach it through
 * the generated accessors.
 */

export type Step = { prop: string } | { index: number } | { call: string; length: number };

export type LeafKind =
  | { kind: "int"; bits: number; signed: boolean }
  | { kind: "bool" }
  | { kind: "float"; size: 4 | 8 }
  | { kind: "ptr" };

export interface Leaf {
  /** C lvalue relative to `s->`: `grid[1][2]`, `nested.l`. */
  readonly c: string;
  readonly steps: readonly Step[];
  readonly kind: LeafKind;
  /** Shares bytes with another leaf (inside a union): only compare bytes-derived reads. */
  readonly overlapped: boolean;
}

/** FLEX_LENGTH is how many flexible-array elements the cross-check allocates and fills. */
export const FLEX_LENGTH = 3;

export function leaves(btf: Btf, typeId: number): Leaf[] {
  const out: Leaf[] = [];
  const walk = (id: number, c: string, steps: Step[], overlapped: boolean): void => {
    const union = resolve(btf, id)?.kind === "union";
    for (const m of flatMembers(btf, id)) {
      const mc = c === "" ? m.name : `${c}.${m.name}`;
      // A member of an anonymous union lifted into a struct overlaps its siblings too.
      const inUnion = overlapped || union || (m.path.length > 1 && anonUnionOnPath(btf, id, m.path));
      const t = resolve(btf, m.type)!;
      if (m.bitSize !== 0) {
        out.push({ c: mc, steps: [...steps, { prop: m.name }], kind: scalar(btf, m.type, m.bitSize), overlapped: inUnion });
        continue;
      }
      if (t.kind === "struct" || t.kind === "union") {
        walk(t.id, mc, [...steps, { prop: m.name }], inUnion);
        continue;
      }
      if (t.kind === "array") {
        const { dims, element } = arrayDims(btf, m.type);
        if (m.flexible) dims[0] = FLEX_LENGTH;
        const first: Step = m.flexible ? { call: m.name, length: FLEX_LENGTH } : { prop: m.name };
        const each = (d: number, cc: string, st: Step[]): void => {
          if (d === dims.length) {
            const et = resolve(btf, element)!;
            if (et.kind === "struct" || et.kind === "union") walk(et.id, cc, st, inUnion);
            else out.push({ c: cc, steps: st, kind: scalar(btf, element, 0), overlapped: inUnion });
            return;
          }
          for (let i = 0; i < dims[d]!; i++) each(d + 1, `${cc}[${i}]`, [...st, { index: i }]);
        };
        each(0, mc, [...steps, first]);
        continue;
      }
      out.push({ c: mc, steps: [...steps, { prop: m.name }], kind: scalar(btf, m.type, 0), overlapped: inUnion });
    }
  };
  walk(typeId, "", [], false);
  return out;
}

function anonUnionOnPath(btf: Btf, id: number, path: readonly number[]): boolean {
  let cur = resolve(btf, id)!;
  for (const i of path.slice(0, -1)) {
    if (cur.kind !== "struct" && cur.kind !== "union") return false;
    cur = resolve(btf, cur.members[i]!.type)!;
    if (cur.kind === "union") return true;
  }
  return false;
}

function scalar(btf: Btf, typeId: number, bitSize: number): LeafKind {
  const t = resolve(btf, typeId)!;
  if (t.kind === "int" && t.bool) return { kind: "bool" };
  if (t.kind === "ptr") return { kind: "ptr" };
  if (t.kind === "float") return { kind: "float", size: t.size as 4 | 8 };
  if (t.kind === "int" || t.kind === "enum" || t.kind === "enum64") {
    return { kind: "int", bits: bitSize || sizeOf(btf, typeId) * 8, signed: t.signed };
  }
  throw new Error(`no leaf kind for ${t.kind}`);
}

/** valueFor returns a distinct value for leaf number `k` in round `seed`: negative in signed fields, high bits in wide ones. */
export function valueFor(kind: LeafKind, k: number, seed: number): bigint | number | boolean {
  const raw = BigInt.asUintN(64, BigInt(k + 1) * 0x9e3779b97f4a7c15n + BigInt(seed) * 0xbf58476d1ce4e5b9n + BigInt(k * 7 + seed));
  switch (kind.kind) {
    case "bool":
      return (k + seed) % 2 === 0;
    case "float": {
      const v = (k % 2 === 0 ? 1 : -1) * (k + 1.25) * (seed + 1) * 1.5;
      return kind.size === 4 ? Math.fround(v) : v + 1e-9 * k;
    }
    case "ptr":
      return raw;
    case "int":
      return kind.signed ? BigInt.asIntN(kind.bits, raw) : BigInt.asUintN(kind.bits, raw);
  }
}

export function cLiteral(kind: LeafKind, v: bigint | number | boolean): string {
  switch (kind.kind) {
    case "bool":
      return v ? "1" : "0";
    case "float":
      return kind.size === 4 ? `(float)${(v as number).toPrecision(17)}` : (v as number).toPrecision(17);
    case "ptr":
      return `(uintptr_t)${v}ULL`;
    case "int": {
      const b = v as bigint;
      if (b === -(2n ** 63n)) return "(-9223372036854775807LL - 1)";
      return b < 0n ? `(${b}LL)` : `${b}ULL`;
    }
  }
}

function cPrint(leaf: Leaf): string {
  const lv = `s->${leaf.c}`;
  const k = leaf.kind;
  switch (k.kind) {
    case "bool":
      return `printf("%s=%d\\n", "${leaf.c}", (int)${lv});`;
    case "float":
      return `printf("%s=%.17g\\n", "${leaf.c}", (double)${lv});`;
    case "ptr":
      return `printf("%s=%llu\\n", "${leaf.c}", (unsigned long long)(uintptr_t)${lv});`;
    case "int":
      return k.signed
        ? `printf("%s=%lld\\n", "${leaf.c}", (long long)${lv});`
        : `printf("%s=%llu\\n", "${leaf.c}", (unsigned long long)${lv});`;
  }
}

export interface CStruct {
  /** `struct foo` / `union bar`. */
  readonly cName: string;
  /** Identifier used in output lines. */
  readonly tag: string;
  /** Non-bitfield members reachable by name (for offsetof). */
  readonly offsets: readonly string[];
  readonly leaves: readonly Leaf[];
  /** Extra bytes after sizeof for a flexible array member. */
  readonly extra: number;
}

/**
 * cProgram writes a host C program over `header`. `./prog layout` prints sizeof/_Alignof/offsetof
 * and enumerator values;
 * `./prog fill` fills each struct with round-1 values and prints `bytes TAG HEX` then every leaf;
 * `./prog read` reads `TAG HEX` lines from stdin and prints every leaf.
 */
export function cProgram(header: string, structs: readonly CStruct[], enumerators: readonly { name: string; signed: boolean }[] = []): string {
  const L: string[] = [
    "#include <stdint.h>",
    "#include <stdio.h>",
    "#include <stdlib.h>",
    "#include <string.h>",
    "#include <stddef.h>",
    `#include "${header}"`,
    "",
    "static void dump(const char *tag, const void *p, size_t n) {",
    "  const unsigned char *b = p;",
    '  printf("bytes %s ", tag);',
    '  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);',
    '  printf("\\n");',
    "}",
    "",
  ];
  for (const s of structs) {
    L.push(`static void fill_${s.tag}(${s.cName} *s) {`);
    s.leaves.forEach((leaf, k) => {
      const v = cLiteral(leaf.kind, valueFor(leaf.kind, k, 1));
      L.push(leaf.kind.kind === "ptr" ? `  s->${leaf.c} = (__typeof__(s->${leaf.c}))${v};` : `  s->${leaf.c} = ${v};`);
    });
    L.push("}", "", `static void print_${s.tag}(const ${s.cName} *s) {`);
    for (const leaf of s.leaves) L.push(`  ${cPrint(leaf)}`);
    L.push("}", "");
  }
  L.push("int main(int argc, char **argv) {", '  const char *mode = argc > 1 ? argv[1] : "";', '  if (strcmp(mode, "layout") == 0) {');
  for (const s of structs) {
    L.push(`    printf("size ${s.tag} %zu\\n", sizeof(${s.cName}));`);
    L.push(`    printf("align ${s.tag} %zu\\n", (size_t)_Alignof(${s.cName}));`);
    for (const m of s.offsets) L.push(`    printf("offset ${s.tag} ${m} %zu\\n", offsetof(${s.cName}, ${m}));`);
  }
  for (const e of enumerators) {
    L.push(e.signed ? `    printf("enum ${e.name} %lld\\n", (long long)${e.name});` : `    printf("enum ${e.name} %llu\\n", (unsigned long long)${e.name});`);
  }
  L.push("    return 0;", "  }", '  if (strcmp(mode, "fill") == 0) {');
  for (const s of structs) {
    const n = `sizeof(${s.cName}) + ${s.extra}`;
    L.push("    {", `      ${s.cName} *s = aligned_alloc(64, (${n} + 63) / 64 * 64);`, `      memset(s, 0, ${n});`);
    L.push(`      fill_${s.tag}(s);`, `      dump("${s.tag}", s, ${n});`, `      print_${s.tag}(s);`, "      free(s);", "    }");
  }
  L.push("    return 0;", "  }", '  if (strcmp(mode, "read") == 0) {', "    static char line[1 << 22];", "    while (fgets(line, sizeof line, stdin)) {");
  L.push('      char *sp = strchr(line, \' \');', "      if (!sp) continue;", "      *sp = 0;", "      const char *hex = sp + 1;");
  L.push("      size_t n = strlen(hex) / 2 + 64;", "      unsigned char *buf = aligned_alloc(64, (n + 63) / 64 * 64);", "      memset(buf, 0, (n + 63) / 64 * 64);");
  L.push("      for (size_t i = 0; hex[2 * i] && hex[2 * i] != '\\n'; i++) sscanf(hex + 2 * i, \"%2hhx\", &buf[i]);");
  for (const s of structs) L.push(`      if (strcmp(line, "${s.tag}") == 0) print_${s.tag}((const ${s.cName} *)buf);`);
  L.push("      free(buf);", "    }", "    return 0;", "  }", "  return 2;", "}", "");
  return L.join("\n");
}
