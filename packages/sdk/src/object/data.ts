import type { Btf } from "../btf/btf.js";
import { alignOf, resolveId, sizeOf } from "../btf/layout.js";
import type { BtfDatasec, BtfVar } from "../btf/types.js";
import type { ElfSection } from "../elf/reader.js";
import type { ElfSymbol } from "../elf/symbols.js";
import { STT, STV } from "../elf/symbols.js";
import { LoaderError } from "../errors/index.js";
import { BPF_F, BPF_MAP_TYPE, internalMapName } from "./maps.js";
import type { DataVariable, ExternSpec, MapKind, MapSpec } from "./spec.js";

/** MAX_DATA_SECTION bounds one global data section (1 GiB). */
export const MAX_DATA_SECTION = 1 << 30;

/** datasec returns the DATASEC named `name`, if the object's BTF has one. */
export function datasec(btf: Btf | undefined, name: string): BtfDatasec | undefined {
  const t = btf?.find(name, "datasec");
  return t?.kind === "datasec" ? t : undefined;
}

/**
 * sectionVariables lists the variables of data section `sec` from its DATASEC. clang leaves
 * DATASEC offsets of globals at 0, so offsets come from the ELF symbols (libbpf
 * `btf_fixup_datasec()` does the same before BPF_BTF_LOAD).
 */
export function sectionVariables(btf: Btf | undefined, sec: ElfSection, symbols: readonly ElfSymbol[], input?: string): DataVariable[] {
  const ds = datasec(btf, sec.name);
  if (ds === undefined || btf === undefined) return [];
  const bySym = new Map<string, ElfSymbol>();
  for (const s of symbols) if (s.shndx === sec.index && s.type === STT.OBJECT) bySym.set(s.name, s);
  const out = ds.vars.map((vsi): DataVariable => {
    const v = btf.type(vsi.type);
    if (v.kind !== "var") {
      throw new LoaderError(`DATASEC ${sec.name} entry is a ${v.kind}, not a VAR`, { input, section: sec.name, typeId: vsi.type });
    }
    const sym = bySym.get(v.name);
    // A hidden global is static to everyone but this object (libbpf marks its VAR static).
    const hidden = sym !== undefined && (sym.visibility === STV.HIDDEN || sym.visibility === STV.INTERNAL);
    return { name: v.name, offset: sym?.value ?? vsi.offset, size: vsi.size, typeId: v.type, linkage: hidden && v.linkage === "global" ? "static" : v.linkage };
  });
  return out.sort((a, b) => a.offset - b.offset || a.name.localeCompare(b.name));
}

/**
 * dataMap builds the internal ARRAY map for a `.data*`/`.rodata*`/`.bss*` section (libbpf
 * `bpf_object__init_internal_map()`): one element holding the whole section, read-only for
 * programs when it is rodata, mmapable when a non-static variable lives there.
 */
export function dataMap(objectName: string, kind: MapKind, sec: ElfSection, btf: Btf | undefined, symbols: readonly ElfSymbol[], input?: string): MapSpec {
  const variables = sectionVariables(btf, sec, symbols, input);
  let flags = 0;
  if (kind === "rodata") flags |= BPF_F.RDONLY_PROG;
  if (variables.some((v) => v.linkage !== "static")) flags |= BPF_F.MMAPABLE;
  // value_size is a u32 and the kernel caps array values well below 4 GiB; refuse before allocating anything.
  if (sec.size > MAX_DATA_SECTION) {
    throw new LoaderError(`global data section of ${sec.size} bytes is larger than ${MAX_DATA_SECTION}`, { input, section: sec.name });
  }
  // Every data map gets an image, .bss a zeroed one, so it can be edited before load like the others.
  const initial = kind === "bss" ? new Uint8Array(sec.size) : sec.data.slice();
  return {
    name: sec.name,
    kind,
    section: sec.name,
    sectionOffset: 0,
    type: BPF_MAP_TYPE.ARRAY,
    keySize: 4,
    valueSize: sec.size,
    maxEntries: 1,
    flags,
    mapExtra: 0n,
    numaNode: 0,
    pinning: 0,
    btfKeyTypeId: 0,
    btfValueTypeId: datasec(btf, sec.name)?.id ?? 0,
    initial,
    variables,
    kernelName: internalMapName(objectName, sec.name),
  };
}

/** Extern is an extern symbol classified through the object's `.ksyms`/`.kconfig` DATASECs. */
export interface ClassifiedExterns {
  readonly externs: ExternSpec[];
  /** `.kconfig` map, when the object has kconfig externs. */
  readonly kconfig?: MapSpec;
}

/**
 * classifyExterns sorts `extern` symbols into kfuncs, ksyms and kconfig values using the
 * DATASEC each one's BTF lives in, and lays out the `.kconfig` map as libbpf does
 * (`cmp_externs`: alignment descending, size ascending, then name).
 */
export function classifyExterns(
  objectName: string,
  btf: Btf | undefined,
  externSymbols: readonly ElfSymbol[],
  input: string,
): ClassifiedExterns {
  if (externSymbols.length === 0) return { externs: [] };
  const fail = (reason: string, symbol: string): never => {
    throw new LoaderError(reason, { input, symbol });
  };
  if (btf === undefined) fail("extern symbols need the object's BTF (compile with -g)", externSymbols[0]!.name);
  const where = new Map<string, { sec: ".ksyms" | ".kconfig"; id: number }>();
  for (const sec of [".ksyms", ".kconfig"] as const) {
    for (const vsi of datasec(btf, sec)?.vars ?? []) where.set(btf!.type(vsi.type).name, { sec, id: vsi.type });
  }
  const ksyms: ExternSpec[] = [];
  const kcfg: { name: string; weak: boolean; id: number; size: number; align: number }[] = [];
  for (const sym of externSymbols) {
    const w = where.get(sym.name);
    const weak = sym.bind === 2;
    if (w === undefined) fail(`extern '${sym.name}' is in neither .ksyms nor .kconfig (use __ksym or __kconfig)`, sym.name);
    const t = btf!.type(w!.id);
    if (w!.sec === ".ksyms") {
      if (t.kind === "func") ksyms.push({ name: sym.name, kind: "kfunc", weak, btfId: t.id });
      else ksyms.push({ name: sym.name, kind: "ksym", weak, btfId: t.id, typed: resolveId(btf!, (t as BtfVar).type) !== 0 });
      continue;
    }
    if (t.kind !== "var") fail(`kconfig extern '${sym.name}' is not a variable`, sym.name);
    const vt = (t as BtfVar).type;
    kcfg.push({ name: sym.name, weak, id: t.id, size: sizeOf(btf!, vt), align: alignOf(btf!, vt) });
  }
  kcfg.sort((a, b) => b.align - a.align || a.size - b.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let off = 0;
  const kconfigExterns: ExternSpec[] = kcfg.map((k) => {
    off = Math.ceil(off / k.align) * k.align;
    const e: ExternSpec = { name: k.name, kind: "kconfig", weak: k.weak, btfId: k.id, offset: off, size: k.size };
    off += k.size;
    return e;
  });
  const externs = [...kconfigExterns, ...ksyms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
  if (kconfigExterns.length === 0) return { externs };
  const kconfig: MapSpec = {
    name: ".kconfig",
    kind: "kconfig",
    section: ".kconfig",
    sectionOffset: 0,
    type: BPF_MAP_TYPE.ARRAY,
    keySize: 4,
    valueSize: off,
    maxEntries: 1,
    flags: BPF_F.RDONLY_PROG | BPF_F.MMAPABLE,
    mapExtra: 0n,
    numaNode: 0,
    pinning: 0,
    btfKeyTypeId: 0,
    btfValueTypeId: datasec(btf, ".kconfig")?.id ?? 0,
    initial: new Uint8Array(off),
    variables: kconfigExterns.map((e) => ({
      name: e.name,
      offset: e.offset!,
      size: e.size!,
      typeId: (btf!.type(e.btfId) as BtfVar).type,
      linkage: "extern" as const,
    })),
    kernelName: internalMapName(objectName, ".kconfig"),
  };
  return { externs, kconfig };
}
