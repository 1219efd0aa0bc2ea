import { SHN, STB, STT, STV, type ElfSymbol } from "../elf/symbols.js";
import type { ElfSection } from "../elf/reader.js";
import type { ElfRelocation } from "../elf/relocations.js";
import { LoaderError } from "../errors/index.js";
import type { BtfExt } from "./btf-ext.js";
import { BPF_PSEUDO, INSN_SIZE, Insns } from "./insn.js";
import { programSection } from "./sections.js";
import type { ExternSpec, FunctionSpec, InsnReference, MapSpec, ProgramSpec } from "./spec.js";

/** Targets says what each relocation symbol's section stands for. */
export interface Targets {
  readonly input: string;
  readonly sections: readonly ElfSection[];
  /** `.maps` section index and its maps by offset. */
  readonly mapsSection?: number;
  readonly mapsByOffset: ReadonlyMap<number, MapSpec>;
  /** Data section index → internal map name. */
  readonly dataMaps: ReadonlyMap<number, string>;
  /** `.addr_space.1` index and the arena map name. */
  readonly arena?: { readonly section: number; readonly map: string };
  readonly externs: ReadonlyMap<string, ExternSpec>;
  readonly textSection?: number;
}

interface Cut {
  readonly sym: ElfSymbol;
  readonly start: number;
  readonly end: number;
}

/**
 * cutFunctions splits executable section `sec` into its STT_FUNC symbols and turns the
 * section's relocations into symbolic references (libbpf `bpf_program__record_reloc()`):
 * nothing is patched here, so the spec stays independent of fds and of the kernel.
 */
export function cutFunctions(
  sec: ElfSection,
  symbols: readonly ElfSymbol[],
  relocations: readonly ElfRelocation[],
  t: Targets,
  btfExt: BtfExt | undefined,
): { programs: ProgramSpec[]; subprograms: FunctionSpec[] } {
  const fail = (reason: string, extra: { offset?: number; symbol?: string } = {}): never => {
    throw new LoaderError(reason, { input: t.input, section: sec.name, ...extra });
  };
  if (sec.size % INSN_SIZE !== 0) fail(`code size ${sec.size} is not a multiple of ${INSN_SIZE}`);
  const isText = sec.name === ".text";
  const insns = new Insns(sec.data);
  const cuts: Cut[] = symbols
    .filter((s) => s.shndx === sec.index && s.type === STT.FUNC)
    .map((sym) => {
      if (sym.value % INSN_SIZE !== 0 || sym.size % INSN_SIZE !== 0 || sym.value + sym.size > sec.size || sym.size === 0) {
        fail(`function '${sym.name}' [${sym.value}, +${sym.size}) is not instruction-aligned inside the section`, { symbol: sym.name });
      }
      return { sym, start: sym.value / INSN_SIZE, end: (sym.value + sym.size) / INSN_SIZE };
    })
    .sort((a, b) => a.start - b.start);
  if (cuts.length === 0) fail("code without any function symbol (stripped object?)");
  for (let i = 1; i < cuts.length; i++) {
    if (cuts[i]!.start < cuts[i - 1]!.end) fail(`functions '${cuts[i - 1]!.sym.name}' and '${cuts[i]!.sym.name}' overlap`);
  }
  const owner = (insn: number, offset: number): Cut =>
    cuts.find((c) => insn >= c.start && insn < c.end) ?? fail(`relocation at insn ${insn} is outside every function`, { offset });

  const refs = new Map<Cut, InsnReference[]>(cuts.map((c) => [c, []]));
  const relocated = new Set<number>();
  for (const r of relocations) {
    if (r.offset % INSN_SIZE !== 0) fail(`relocation offset 0x${r.offset.toString(16)} is not instruction-aligned`, { offset: r.offset });
    const insn = r.offset / INSN_SIZE;
    const c = owner(insn, r.offset);
    relocated.add(insn);
    refs.get(c)!.push(reference(insns, insn, insn - c.start, r.symbol, r.offset, t, fail));
  }
  // Calls between static functions of one section may come without a relocation.
  for (const c of cuts) {
    for (let i = c.start; i < c.end; i++) {
      const pseudoCall = insns.isCall(i) && insns.src(i) === BPF_PSEUDO.CALL;
      const pseudoFunc = insns.isLdImm64(i) && insns.src(i) === BPF_PSEUDO.FUNC;
      if ((pseudoCall || pseudoFunc) && !relocated.has(i)) {
        const targetInsn = pseudoCall ? i + insns.imm(i) + 1 : insns.imm(i) / INSN_SIZE;
        const target = cuts.find((x) => x.start === targetInsn);
        if (!isText || target === undefined) fail(`call at insn ${i} has no relocation and no subprogram in .text at insn ${targetInsn}`, { offset: i * INSN_SIZE });
        refs.get(c)!.push({ insn: i - c.start, kind: pseudoCall ? "call" : "func_addr", target: target!.sym.name });
      }
      if (insns.isLdImm64(i)) i++;
    }
  }

  const programs: ProgramSpec[] = [];
  const subprograms: FunctionSpec[] = [];
  for (const c of cuts) {
    const inRange = <T extends { insn: number }>(list: readonly T[] | undefined): T[] =>
      (list ?? []).filter((x) => x.insn >= c.start && x.insn < c.end).map((x) => ({ ...x, insn: x.insn - c.start }));
    const fn: FunctionSpec = {
      name: c.sym.name,
      section: sec.name,
      sectionInsn: c.start,
      insns: sec.data.slice(c.start * INSN_SIZE, c.end * INSN_SIZE),
      references: refs.get(c)!.sort((a, b) => a.insn - b.insn),
      funcInfo: inRange(btfExt?.funcInfo[sec.name]),
      lineInfo: inRange(btfExt?.lineInfo[sec.name]),
      coreRelos: inRange(btfExt?.coreRelos[sec.name]),
      global: c.sym.bind === STB.GLOBAL || c.sym.bind === STB.WEAK,
      hidden: c.sym.visibility === STV.HIDDEN || c.sym.visibility === STV.INTERNAL,
    };
    if (isText) {
      subprograms.push(fn);
      continue;
    }
    if (!fn.global) fail(`program '${fn.name}' is static; entry programs must be global`, { symbol: fn.name });
    const s = programSection(sec.name, { input: t.input, symbol: fn.name });
    programs.push({
      ...fn,
      type: s.progType,
      expectedAttachType: s.expectedAttachType,
      sleepable: s.sleepable,
      autoload: s.autoload,
      attach: s.attach,
      attachTo: s.attachTo,
      ...(s.attachBtfName !== undefined ? { attachBtfName: s.attachBtfName, attachBtfKind: s.attachBtfKind } : {}),
    });
  }
  return { programs, subprograms };
}

/** reference classifies one relocation by its instruction and its symbol's section. */
function reference(
  insns: Insns,
  insn: number,
  rel: number,
  sym: ElfSymbol,
  offset: number,
  t: Targets,
  fail: (r: string, extra?: { offset?: number; symbol?: string }) => never,
): InsnReference {
  const call = insns.isCall(insn);
  const ld = insns.isLdImm64(insn);
  if (!call && !ld) fail(`relocation against '${sym.name}' at insn ${insn} with opcode 0x${insns.code(insn).toString(16)} (want call or ld_imm64)`, { offset, symbol: sym.name });
  if (ld && insn + 1 >= insns.count) fail(`ld_imm64 at insn ${insn} is truncated`, { offset, symbol: sym.name });
  if (sym.shndx === SHN.UNDEF) {
    const ext = t.externs.get(sym.name) ?? fail(`relocation against unknown extern '${sym.name}'`, { offset, symbol: sym.name });
    if (ext.kind === "kfunc" && call) return { insn: rel, kind: "kfunc", name: ext.name, weak: ext.weak };
    if (ext.kind === "kfunc") return { insn: rel, kind: "ksym", name: ext.name, weak: ext.weak, typed: true };
    if (call) fail(`call of extern variable '${sym.name}'`, { offset, symbol: sym.name });
    if (ext.kind === "ksym") return { insn: rel, kind: "ksym", name: ext.name, weak: ext.weak, typed: ext.typed ?? false };
    return { insn: rel, kind: "map_value", map: ".kconfig", offset: ext.offset! };
  }
  if (sym.shndx >= SHN.LORESERVE) fail(`relocation against special section 0x${sym.shndx.toString(16)} for '${sym.name}' (uninitialised global?)`, { offset, symbol: sym.name });
  const target = t.sections[sym.shndx] ?? fail(`symbol '${sym.name}' names section ${sym.shndx}, which does not exist`, { offset });
  const imm = insns.imm(insn);
  if (call) {
    if (insns.src(insn) !== BPF_PSEUDO.CALL) fail(`call at insn ${insn} relocated against '${sym.name}' is not a bpf-to-bpf call`, { offset, symbol: sym.name });
    return { insn: rel, kind: "call", target: subprogAt(sym.value + (imm + 1) * INSN_SIZE, sym, target, t, fail) };
  }
  if (sym.shndx === t.textSection) {
    if (imm % INSN_SIZE !== 0) fail(`callback address at insn ${insn} is not instruction-aligned`, { offset });
    return { insn: rel, kind: "func_addr", target: subprogAt(sym.value + imm, sym, target, t, fail) };
  }
  if (sym.shndx === t.mapsSection) {
    if (sym.bind === STB.LOCAL && sym.type !== STT.SECTION) fail(`map '${sym.name}' is static; BTF maps must be global`, { symbol: sym.name });
    const m = t.mapsByOffset.get(sym.value + (sym.type === STT.SECTION ? imm : 0)) ?? fail(`no map at .maps offset ${sym.value}`, { offset, symbol: sym.name });
    return { insn: rel, kind: "map", map: m.name };
  }
  const data = t.dataMaps.get(sym.shndx);
  if (data !== undefined) return { insn: rel, kind: "map_value", map: data, offset: imm + sym.value };
  if (t.arena !== undefined && sym.shndx === t.arena.section) return { insn: rel, kind: "map_value", map: t.arena.map, offset: imm + sym.value };
  return fail(`relocation against '${sym.name}' in section '${target.name}', which is neither code, maps nor data`, { offset, symbol: sym.name });
}

/** subprogAt names the .text function starting at byte `byteOff`; calls must land on one. */
function subprogAt(
  byteOff: number,
  sym: ElfSymbol,
  target: ElfSection,
  t: Targets,
  fail: (r: string, extra?: { offset?: number; symbol?: string }) => never,
): string {
  if (target.index !== t.textSection) fail(`call into '${target.name}': subprograms must be in .text`, { symbol: sym.name });
  // Resolved against the symbol table again by the caller's cut of .text.
  return `@${byteOff / INSN_SIZE}`;
}
