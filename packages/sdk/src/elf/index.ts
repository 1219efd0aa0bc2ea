export { readElf, isElf, cString, SHT, SHF, EM_BPF, type ElfFile, type ElfSection } from "./reader.js";
export { readSymbols, STB, STT, STV, SHN, type ElfSymbol } from "./symbols.js";
export { readRelocations, R_BPF, type ElfRelocation, type RelocationSection } from "./relocations.js";
export { classifySection, type SectionKind } from "./classify.js";
