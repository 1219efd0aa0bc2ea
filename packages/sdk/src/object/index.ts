export * from "./spec.js";
export { readObject } from "./read.js";
export { dumpObjectSpec, insnHex } from "./dump.js";
export { parseBtfExt, CORE_KIND, CORE_KIND_NAMES, type BtfExt, type FuncInfo, type LineInfo, type CoreRelocation } from "./btf-ext.js";
export { programSection, BPF_PROG_TYPE, BPF_ATTACH_TYPE, BPF_F_SLEEPABLE, type ProgramSection, type AttachKind } from "./sections.js";
export { BPF_MAP_TYPE, BPF_F, internalMapName } from "./maps.js";
export { BPF_PSEUDO, CORE_POISON, INSN_SIZE } from "./insn.js";
export { linkProgram, type LinkedProgram, type DataReference } from "./link.js";
export { applyCore, resolveCore, type CoreResult, type CorePoison, type CoreOptions } from "./core.js";
