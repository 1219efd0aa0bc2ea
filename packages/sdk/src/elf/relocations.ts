import { ElfError } from "../errors/index.js";
import { SHT, type ElfFile, type ElfSection } from "./reader.js";
import { safe, view, type ElfSymbol } from "./symbols.js";

/** R_BPF_* relocation types (Documentation/bpf/llvm_reloc.rst). */
export const R_BPF = { NONE: 0, R_64_64: 1, ABS64: 2, ABS32: 3, NODYLD32: 4, R_64_32: 10 } as const;

const REL_SIZE = 16;

/** ElfRelocation is one Elf64_Rel entry with its symbol looked up. */
export interface ElfRelocation {
  /** r_offset: byte offset inside the target section. */
  readonly offset: number;
  /** R_BPF_* type (r_info & 0xffffffff). */
  readonly type: number;
  readonly symbol: ElfSymbol;
}

/** RelocationSection is an SHT_REL section and the section (sh_info) it applies to. */
export interface RelocationSection {
  readonly section: ElfSection;
  readonly target: ElfSection;
  readonly relocations: readonly ElfRelocation[];
}

/**
 * readRelocations decodes the SHT_REL section `rel` against `symbols` (from readSymbols).
 * SHT_RELA is refused: clang's BPF backend never emits it and libbpf rejects it too.
 */
export function readRelocations(elf: ElfFile, rel: ElfSection, symbols: readonly ElfSymbol[]): RelocationSection {
  const fail = (reason: string, offset?: number): never => {
    throw new ElfError(reason, { input: elf.input, section: rel.name, ...(offset === undefined ? {} : { offset }) });
  };
  if (rel.type === SHT.RELA) fail("SHT_RELA relocations are not supported (BPF objects use SHT_REL)");
  if (rel.type !== SHT.REL) fail(`section type ${rel.type} is not SHT_REL`);
  if (rel.entsize !== REL_SIZE) fail(`relocation entry size ${rel.entsize}, want ${REL_SIZE}`);
  if (rel.data.length % REL_SIZE !== 0) fail(`relocation section size ${rel.data.length} is not a multiple of ${REL_SIZE}`);
  const target = elf.sections[rel.info];
  if (target === undefined || rel.info === 0) fail(`sh_info ${rel.info} names no section`);
  const t = target as ElfSection;
  const dv = view(rel.data);
  const le = elf.littleEndian;
  const relocations: ElfRelocation[] = [];
  for (let at = 0; at < rel.data.length; at += REL_SIZE) {
    const offset = safe(dv.getBigUint64(at, le), () => fail("r_offset too large", at));
    const info = dv.getBigUint64(at + 8, le);
    const symIndex = Number(info >> 32n);
    const type = Number(info & 0xffffffffn);
    const symbol = symbols[symIndex];
    if (symbol === undefined) fail(`relocation names symbol ${symIndex}, table has ${symbols.length}`, at);
    if (t.type !== SHT.NOBITS && offset >= t.size) fail(`r_offset 0x${offset.toString(16)} outside ${t.name} (${t.size} bytes)`, at);
    relocations.push({ offset, type, symbol: symbol as ElfSymbol });
  }
  return { section: rel, target: t, relocations };
}
