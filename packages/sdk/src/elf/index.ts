export { readElf, isElf, cString, SHT, SHF, EM_BPF, type ElfFile, type ElfSection } from "./reader.js";
