import { SHF, SHT, type ElfSection } from "./reader.js";

/**
 * SectionKind is what a BPF object section is for (libbpf `bpf_object__elf_collect()`):
 * - program: executable PROGBITS with code (`.text` holds subprograms)
 * - license / version / maps (BTF `.maps`) / legacy-maps (`maps`, refused by libbpf ≥1.0)
 * - data / rodata / bss: global data that becomes an internal ARRAY map
 * - arena: `.addr_space.1`, the initial image of `__arena` globals
 * - struct-ops: `.struct_ops` / `.struct_ops.link`
 * - btf / btf-ext / symtab / strtab / rel
 * - other: debug info and the like, skipped
 */
export type SectionKind =
  | "program"
  | "license"
  | "version"
  | "maps"
  | "legacy-maps"
  | "data"
  | "rodata"
  | "bss"
  | "arena"
  | "struct-ops"
  | "btf"
  | "btf-ext"
  | "symtab"
  | "strtab"
  | "rel"
  | "other";

/** classifySection says what `s` is for; zero-size sections still get a kind, callers skip them. */
export function classifySection(s: ElfSection): SectionKind {
  const n = s.name;
  if (s.type === SHT.SYMTAB) return "symtab";
  if (s.type === SHT.STRTAB) return "strtab";
  if (s.type === SHT.REL || s.type === SHT.RELA) return "rel";
  if (n === "license") return "license";
  if (n === "version") return "version";
  if (n === "maps") return "legacy-maps";
  if (n === ".maps") return "maps";
  if (n === ".BTF") return "btf";
  if (n === ".BTF.ext") return "btf-ext";
  if (s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0) return "program";
  if (n === ".addr_space.1") return "arena";
  if (/^\??\.struct_ops(\.link)?$/.test(n)) return "struct-ops";
  if (s.type === SHT.PROGBITS && (n === ".data" || n.startsWith(".data."))) return "data";
  if (s.type === SHT.PROGBITS && (n === ".rodata" || n.startsWith(".rodata."))) return "rodata";
  if (s.type === SHT.NOBITS && (n === ".bss" || n.startsWith(".bss."))) return "bss";
  return "other";
}
