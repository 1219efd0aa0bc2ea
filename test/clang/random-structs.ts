/**
 * randomStructs writes a C header of random struct/union definitions for the clang
 * cross-check: scalars of every kind, bitfields (signed, unsigned, wide, _Bool), 1–3
 * dimensional arrays, nested and anonymous structs/unions, enums with negative and 64-bit
 * values, packed and over-aligned types, flexible array members. Deterministic per seed.
 */

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [
  "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned int", "long",
  "unsigned long", "long long", "unsigned long long", "_Bool", "float", "double", "void *", "const char *",
];
const BITFIELD_TYPES: [string, number][] = [
  ["unsigned char", 8], ["signed char", 8], ["unsigned short", 16], ["short", 16], ["unsigned int", 32], ["int", 32],
  ["unsigned long long", 64], ["long long", 64], ["_Bool", 1],
];

/**
 * `alignUnknown` lists the types whose alignment BTF cannot show: those with packed/aligned
 * attributes (when the layout happens to match natural alignment, nothing in BTF differs)
 * and everything that embeds one. Their sizes and offsets are still exact.
 */
export function randomStructs(seed: number, count: number): { header: string; names: string[]; alignUnknown: Set<string> } {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out: string[] = [`/* random structs, seed ${seed} */`];
  const enums = [`rnd${seed}_e0`, `rnd${seed}_e1`];
  out.push(`enum ${enums[0]} { E${seed}_A = -${int(1, 1000)}, E${seed}_B = ${int(0, 1000)} };`);
  out.push(`enum ${enums[1]} { E${seed}_C = 0x${int(1, 0xffff).toString(16)}00000000ULL, E${seed}_D = 3 };`);
  const embeddable: string[] = [];
  const names: string[] = [];
  const alignUnknown = new Set<string>();
  let anon = 0;

  const member = (name: string, depth: number): string => {
    const r = rnd();
    if (r < 0.45) return `${pick(SCALARS)} ${name};`;
    if (r < 0.55) return `enum ${pick(enums)} ${name};`;
    if (r < 0.72) {
      if (rnd() < 0.1) return `enum ${enums[0]} ${name} : ${int(2, 32)};`;
      const [t, bits] = pick(BITFIELD_TYPES);
      return `${t} ${name} : ${int(1, bits)};`;
    }
    if (r < 0.84) {
      const dims = Array.from({ length: int(1, 3) }, () => `[${int(1, 3)}]`).join("");
      const el = embeddable.length > 0 && rnd() < 0.3 ? pick(embeddable) : pick(SCALARS.filter((s) => !s.includes("*") || rnd() < 0.5));
      return `${el} ${name}${dims};`;
    }
    if (r < 0.93 && embeddable.length > 0) return `${pick(embeddable)} ${name};`;
    if (depth > 1) return `int ${name};`;
    // An anonymous struct/union member, or a named member of an anonymous type.
    const kind = rnd() < 0.5 ? "union" : "struct";
    const inner = Array.from({ length: int(1, 3) }, () => `\t\t${member(`a${anon++}`, depth + 1)}`).join("\n");
    return `${kind} {\n${inner}\n\t}${rnd() < 0.5 ? "" : ` ${name}`};`;
  };

  for (let i = 0; i < count; i++) {
    const name = `rnd${seed}_s${i}`;
    const kind = rnd() < 0.15 ? "union" : "struct";
    const attrs: string[] = [];
    if (rnd() < 0.2) attrs.push("packed");
    if (rnd() < 0.15) attrs.push(`aligned(${pick([2, 4, 8, 16, 32])})`);
    const n = int(1, 7);
    const lines = Array.from({ length: n }, (_, j) => `\t${member(`m${j}`, 0)}`);
    const flexible = kind === "struct" && rnd() < 0.15;
    if (flexible) lines.push(`\t${pick(["unsigned int", "long long", "char", "short"])} tail[];`);
    const attr = attrs.length ? ` __attribute__((${attrs.join(", ")}))` : "";
    const body = lines.join("\n");
    out.push(`${kind}${attr} ${name} {\n${body}\n};`);
    names.push(`${kind} ${name}`);
    const embedsUnknown = [...alignUnknown].some((u) => new RegExp(`\\b${u}\\b`).test(body));
    if (attrs.length > 0 || embedsUnknown) alignUnknown.add(`${kind} ${name}`);
    if (!flexible) embeddable.push(`${kind} ${name}`);
  }
  return { header: `${out.join("\n\n")}\n`, names, alignUnknown };
}
