import type { Btf } from "../btf/btf.js";
import { LoaderError } from "../errors/index.js";
import { applyCore } from "../object/core.js";
import { linkProgram } from "../object/link.js";
import { BPF_F_SLEEPABLE } from "../object/sections.js";
import type { ObjectSpec, ProgramSpec } from "../object/spec.js";
import type { BtfFd, ProgFd, ProgramDefinition, Transport } from "../transport/transport.js";
import type { ResolvedExtern } from "./externs.js";
import { encodeFuncInfo, encodeLineInfo, patchReferences } from "./patch.js";

/** REFUSED names the sections the loader does not load, and why (see docs/lifecycle.md). */
const REFUSED: Partial<Record<ProgramSpec["attach"], string>> = {
  struct_ops: "struct_ops programs load with their struct_ops map (BTF_KIND_STRUCT value, BPF_LINK_CREATE on the map), which this loader does not implement",
  ext: "freplace needs a target BPF program (attach_prog_fd) chosen at load, which this loader does not take",
};

export interface LoadProgramInput {
  readonly spec: ObjectSpec;
  readonly transport: Transport;
  /** The running kernel's BTF, parsed on first use. */
  readonly vmlinux: () => Btf;
  readonly btfFd?: BtfFd;
  readonly mapFd: (name: string) => number | undefined;
  readonly externs: ReadonlyMap<string, ResolvedExtern>;
  /** Unsatisfiable CO-RE relocations throw instead of being poisoned. */
  readonly strictCore: boolean;
}

/**
 * programDefinition turns one program spec into what BPF_PROG_LOAD takes: subprograms
 * appended (bpf-to-bpf calls, callbacks), CO-RE applied against vmlinux function by function,
 * maps/globals/kfuncs/ksyms patched, func_info and line_info when the object's BTF loaded,
 * the sleepable flag, and attach_btf_id for BTF-attach sections (`btf_trace_<tp>` typedef for
 * tp_btf, the FUNC for fentry/fexit/fmod_ret, `bpf_lsm_<hook>` for lsm, `bpf_iter_<target>`
 * for iterators).
 */
export function programDefinition(p: ProgramSpec, inp: LoadProgramInput): ProgramDefinition {
  const { spec } = inp;
  const refuse = REFUSED[p.attach];
  if (refuse !== undefined) throw new LoaderError(`program '${p.name}' (${p.section}): ${refuse}`, { input: spec.input, section: p.section, symbol: p.name });
  const local = spec.btf;
  const linked = linkProgram(spec, p.name, {
    patch: (fn, insns) => {
      if (fn.coreRelos.length === 0) return insns;
      if (local === undefined) throw new LoaderError("CO-RE relocations without BTF", { input: spec.input, symbol: fn.name });
      applyCore(insns, fn.coreRelos, local, inp.vmlinux(), { strict: inp.strictCore, input: spec.input, program: p.name });
      return insns;
    },
  });
  const insns = patchReferences(linked, { input: spec.input, mapFd: inp.mapFd, externs: inp.externs });
  let attachBtfId: number | undefined;
  if (p.attachBtfName !== undefined) {
    const t = inp.vmlinux().find(p.attachBtfName, p.attachBtfKind);
    if (t === undefined) {
      throw new LoaderError(`attach target ${p.attachBtfKind} '${p.attachBtfName}' is not in vmlinux BTF`, {
        input: spec.input, section: p.section, symbol: p.name,
      });
    }
    attachBtfId = t.id;
  } else if (["tracing", "lsm", "iter"].includes(p.attach) && p.type !== 28 /* EXT */) {
    throw new LoaderError(`section ${p.section} needs an attach target (${p.section}/<name>)`, { input: spec.input, section: p.section, symbol: p.name });
  }
  const withBtf = inp.btfFd !== undefined;
  return {
    name: p.name,
    type: p.type,
    expectedAttachType: p.expectedAttachType,
    insns,
    license: spec.license,
    flags: p.sleepable ? BPF_F_SLEEPABLE : 0,
    ...(attachBtfId !== undefined ? { attachBtfId } : {}),
    ...(withBtf ? { btfFd: inp.btfFd } : {}),
    ...(withBtf && linked.funcInfo.length > 0 ? { funcInfo: encodeFuncInfo(linked.funcInfo) } : {}),
    ...(withBtf && linked.lineInfo.length > 0 ? { lineInfo: encodeLineInfo(linked.lineInfo) } : {}),
  };
}

/** loadProgram loads one program through the transport; a verifier rejection throws VerifierError with the log. */
export function loadProgram(p: ProgramSpec, inp: LoadProgramInput): ProgFd {
  return inp.transport.loadProgram(programDefinition(p, inp));
}
