import type { Btf } from "../btf/btf.js";
import { parseBtf } from "../btf/parse.js";
import { classifySection } from "../elf/classify.js";
import { EM_BPF, readElf, SHF, type ElfSection } from "../elf/reader.js";
import { readRelocations, type ElfRelocation } from "../elf/relocations.js";
import { readSymbols, SHN, STB, STT } from "../elf/symbols.js";
import { BpfSkelError, ElfError, LoaderError } from "../errors/index.js";
import { btfStrings, parseBtfExt, type BtfExt } from "./btf-ext.js";
import { classifyExterns, dataMap, datasec, sectionVariables } from "./data.js";
import { cutFunctions, type Targets } from "./functions.js";
import { BPF_MAP_TYPE, mapFromBtf } from "./maps.js";
import type { ArenaSpec, FunctionSpec, InsnReference, MapSpec, ObjectSpec, ProgramSpec } from "./spec.js";

const ET_REL = 1;
const PAGE_SIZE = 4096;

/**
 * readObject parses a clang-built BPF object (`clang -g -O2 -target bpf -c`) into an
 * ObjectSpec: programs by SEC(), BTF-defined maps, global data maps, arena globals, externs,
 * BTF and .BTF.ext, and every code relocation as a symbolic reference. It is pure: the same
 * bytes give the same spec on any machine. Malformed ELF gives an ElfError, malformed BTF a
 * BtfError, and an object we cannot load (unknown SEC, bad relocation) a LoaderError.
 */
export function readObject(bytes: Uint8Array, input: string): ObjectSpec {
  try {
    return read(bytes, input);
  } catch (e) {
    if (e instanceof BpfSkelError) throw e;
    // Every read is bounds-checked; this turns a bug of ours into an error with a place.
    throw new ElfError(`malformed object: ${(e as Error)?.message ?? String(e)}`, { input }, { cause: e });
  }
}

function read(bytes: Uint8Array, input: string): ObjectSpec {
  const elf = readElf(bytes, input);
  if (!elf.littleEndian) throw new ElfError("big-endian BPF objects are not supported on this host", { input, offset: 5 });
  if (elf.machine !== EM_BPF) throw new ElfError(`e_machine ${elf.machine} is not EM_BPF (${EM_BPF})`, { input, offset: 18 });
  if (elf.type !== ET_REL) throw new ElfError(`e_type ${elf.type} is not ET_REL (a relocatable object)`, { input, offset: 16 });
  const objectName = baseName(input);
  const symbols = readSymbols(elf);
  const kinds = elf.sections.map((s) => classifySection(s));
  const byKind = (k: string) => elf.sections.filter((s, i) => kinds[i] === k && s.size > 0);
  if (byKind("legacy-maps").length > 0) {
    throw new LoaderError("legacy 'maps' section (struct bpf_map_def) is not supported; use BTF-defined maps in .maps", { input, section: "maps" });
  }

  const structOps = byKind("struct-ops")[0];
  if (structOps !== undefined) {
    throw new LoaderError("struct_ops maps are not supported by the spec layer yet", { input, section: structOps.name });
  }
  const license = one(byKind("license"), (s) => cstr(s.data));
  const kernVersion = one(byKind("version"), (s) => {
    if (s.size !== 4) throw new ElfError(`version section has ${s.size} bytes, want 4`, { input, section: s.name });
    return new DataView(s.data.buffer, s.data.byteOffset, 4).getUint32(0, true);
  });

  const btfSec = byKind("btf")[0];
  const btf: Btf | undefined = btfSec ? parseBtf(btfSec.data, { input: `${input} (.BTF)` }) : undefined;
  const extSec = byKind("btf-ext")[0];
  let btfExt: BtfExt | undefined;
  if (extSec !== undefined && btfSec !== undefined) btfExt = parseBtfExt(extSec.data, btfStrings(btfSec.data, input), input);

  // BTF-defined maps: identity is the symbol's offset inside .maps.
  const mapsSec = byKind("maps")[0];
  const maps: MapSpec[] = [];
  const mapsByOffset = new Map<number, MapSpec>();
  if (mapsSec !== undefined) {
    const ds = datasec(btf, ".maps");
    if (btf === undefined || ds === undefined) throw new LoaderError(".maps needs BTF (compile with -g)", { input, section: ".maps" });
    for (const vsi of ds.vars) {
      const v = btf.type(vsi.type);
      if (v.kind !== "var") throw new LoaderError(".maps DATASEC entry is not a VAR", { input, section: ".maps", typeId: v.id });
      if (v.linkage !== "global") throw new LoaderError(`map '${v.name}' must be a global (not static/extern)`, { input, section: ".maps", symbol: v.name });
      const sym = symbols.find((s) => s.shndx === mapsSec.index && s.name === v.name && s.type === STT.OBJECT);
      if (sym === undefined) throw new LoaderError(`map '${v.name}' has no ELF symbol in .maps`, { input, section: ".maps", symbol: v.name });
      const m = mapFromBtf(btf, v.name, v.type, sym.value, { input });
      maps.push(m);
      mapsByOffset.set(sym.value, m);
    }
    maps.sort((a, b) => a.sectionOffset - b.sectionOffset);
  }

  // Global data: one internal ARRAY map per non-empty section.
  const dataMaps = new Map<number, string>();
  for (const kind of ["data", "rodata", "bss"] as const) {
    for (const s of byKind(kind)) {
      const m = dataMap(objectName, kind, s, btf, symbols, input);
      maps.push(m);
      dataMaps.set(s.index, m.name);
    }
  }

  const externSyms = symbols.filter((s) => s.shndx === SHN.UNDEF && s.index !== 0 && (s.bind === STB.GLOBAL || s.bind === STB.WEAK) && s.type === STT.NOTYPE);
  const { externs, kconfig } = classifyExterns(objectName, btf, externSyms, input);
  if (kconfig !== undefined) maps.push(kconfig);

  const arena = arenaSpec(byKind("arena")[0], maps, btf, symbols, input);

  const text = elf.sections.find((s) => s.name === ".text" && kinds[s.index] === "program");
  const targets: Targets = {
    input,
    sections: elf.sections,
    mapsSection: mapsSec?.index,
    mapsByOffset,
    dataMaps,
    arena: arena ? { section: byKind("arena")[0]!.index, map: arena.map } : undefined,
    externs: new Map(externs.map((e) => [e.name, e])),
    textSection: text?.index,
  };
  const relocs = relocationsByTarget(elf.sections, kinds, symbols, elf, input);
  const programs: ProgramSpec[] = [];
  let subprograms: FunctionSpec[] = [];
  for (const s of byKind("program")) {
    const cut = cutFunctions(s, symbols, relocs.get(s.index) ?? [], targets, btfExt);
    programs.push(...cut.programs);
    subprograms.push(...cut.subprograms);
  }
  const textByInsn = new Map(subprograms.map((f) => [`@${f.sectionInsn}`, f.name]));
  const named = <F extends FunctionSpec>(f: F): F => ({
    ...f,
    references: f.references.map((r): InsnReference => {
      if (r.kind !== "call" && r.kind !== "func_addr") return r;
      if (!r.target.startsWith("@")) return r;
      const name = textByInsn.get(r.target);
      if (name === undefined) {
        throw new LoaderError(`${f.name}: call at insn ${r.insn} lands inside a .text function (insn ${r.target.slice(1)}), not at its start`, { input, section: f.section, symbol: f.name });
      }
      return { ...r, target: name };
    }),
  });
  subprograms = subprograms.map(named);
  const sectionSizes: Record<string, number> = {};
  // Every allocated non-code section may have a DATASEC whose size the BTF fix-up fills in.
  for (const s of elf.sections) if ((s.flags & SHF.ALLOC) !== 0 && kinds[s.index] !== "program") sectionSizes[s.name] = s.size;
  const symbolOffsets: Record<string, number> = {};
  for (const s of symbols) {
    if (s.type === STT.OBJECT && s.bind !== STB.LOCAL && s.shndx !== SHN.UNDEF && s.shndx < SHN.LORESERVE) symbolOffsets[s.name] = s.value;
  }
  return {
    input,
    license: license ?? "",
    kernVersion: kernVersion ?? 0,
    programs: programs.map(named),
    subprograms,
    maps,
    ...(arena ? { arena } : {}),
    externs,
    ...(btf ? { btf, btfBytes: btfSec!.data.slice() } : {}),
    ...(btfExt ? { btfExt } : {}),
    symbolOffsets,
    sectionSizes,
  };
}

/** arenaSpec ties `.addr_space.1` to the object's single ARENA map (libbpf `init_arena_map_data()`). */
function arenaSpec(sec: ElfSection | undefined, maps: readonly MapSpec[], btf: Btf | undefined, symbols: Parameters<typeof sectionVariables>[2], input: string): ArenaSpec | undefined {
  if (sec === undefined) return undefined;
  const arenas = maps.filter((m) => m.type === BPF_MAP_TYPE.ARENA);
  if (arenas.length !== 1) {
    throw new LoaderError(`__arena globals need exactly one ARENA map in .maps, found ${arenas.length}`, { input, section: sec.name });
  }
  const a = arenas[0]!;
  const need = Math.ceil(sec.size / PAGE_SIZE) * PAGE_SIZE;
  if (need > a.maxEntries * PAGE_SIZE) {
    throw new LoaderError(`arena '${a.name}' (${a.maxEntries} pages) is too small for ${sec.size} bytes of __arena globals`, { input, section: sec.name, symbol: a.name });
  }
  return { map: a.name, initial: sec.data.slice(), variables: sectionVariables(btf, sec, symbols, input) };
}

/** relocationsByTarget reads the SHT_REL sections that apply to code; the rest (.rel.BTF, debug) is skipped as libbpf does. */
function relocationsByTarget(
  sections: readonly ElfSection[],
  kinds: readonly string[],
  symbols: ReturnType<typeof readSymbols>,
  elf: ReturnType<typeof readElf>,
  input: string,
): Map<number, readonly ElfRelocation[]> {
  const out = new Map<number, readonly ElfRelocation[]>();
  for (const s of sections) {
    if (kinds[s.index] !== "rel") continue;
    const target = sections[s.info];
    if (target !== undefined && (kinds[target.index] === "maps" || kinds[target.index] === "struct-ops")) {
      // Initial slots of map-in-map / prog arrays and struct_ops members are not in this spec yet.
      throw new LoaderError(`relocations against ${target.name} (initial map-in-map/prog-array slots or struct_ops members) are not supported`, { input, section: s.name });
    }
    if (target === undefined || kinds[target.index] !== "program") continue;
    if (out.has(target.index)) throw new ElfError(`second relocation section for ${target.name}`, { input, section: s.name });
    out.set(target.index, readRelocations(elf, s, symbols).relocations);
  }
  return out;
}

function one<T>(list: readonly ElfSection[], f: (s: ElfSection) => T): T | undefined {
  return list.length === 0 ? undefined : f(list[0]!);
}

function cstr(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}

/** baseName is libbpf's object name: the file name up to its first dot. */
function baseName(input: string): string {
  const file = input.slice(input.lastIndexOf("/") + 1);
  const dot = file.indexOf(".");
  return dot <= 0 ? file : file.slice(0, dot);
}
