import type { Btf } from "../btf/btf.js";
import { LoaderError } from "../errors/index.js";
import type { ResolvedExtern } from "../object/externs.js";
import { prepareProgram } from "../object/prepare.js";
import type { ObjectSpec, ProgramSpec } from "../object/spec.js";
import type { BtfFd, ProgFd, ProgramDefinition, Transport } from "../transport/transport.js";

/** REFUSED names the sections the loader does not load, and why (see docs/lifecycle.md). */
const REFUSED: Partial<Record<ProgramSpec["attach"], string>> = {
  struct_ops: "struct_ops programs load with their struct_ops map (BTF_KIND_STRUCT value, BPF_LINK_CREATE on the map), which this loader does not implement",
  ext: "freplace needs a target BPF program (attach_prog_fd) chosen at load, which this loader does not take",
};

export interface LoadProgramInput {
  readonly spec: ObjectSpec;
  readonly transport: Transport;
  /** The running kernel's BTF, parsed on first use; undefined when the object needs none. */
  readonly vmlinux: Btf | undefined;
  readonly btfFd?: BtfFd;
  readonly mapFds: ReadonlyMap<string, number>;
  /** kfuncs and typed ksyms resolved once per load (object `resolveKfuncs`). */
  readonly externs?: ReadonlyMap<string, ResolvedExtern>;
  /** Addresses of the object's typeless ksyms (/proc/kallsyms). */
  readonly kernelSymbols: ReadonlyMap<string, bigint>;
  /** Unsatisfiable CO-RE relocations throw instead of being poisoned. */
  readonly strictCore: boolean;
}

/**
 * programDefinition is what BPF_PROG_LOAD gets for one program: the spec layer's
 * `prepareProgram` (subprograms appended, CO-RE against vmlinux, maps/globals/kfuncs/ksyms
 * patched, func/line info, attach BTF id) plus what only the live layer knows — the object
 * BTF's fd, and no func/line info when that BTF could not be loaded. Sections the loader does
 * not handle, and BTF-attach sections without a target, are LoaderErrors.
 */
export function programDefinition(p: ProgramSpec, inp: LoadProgramInput): ProgramDefinition {
  const { spec } = inp;
  const place = { input: spec.input, section: p.section, symbol: p.name };
  const refuse = REFUSED[p.attach];
  if (refuse !== undefined) throw new LoaderError(`program '${p.name}' (${p.section}): ${refuse}`, place);
  if (p.attachBtfName === undefined && ["tracing", "lsm", "iter"].includes(p.attach)) {
    throw new LoaderError(`section ${p.section} needs an attach target (${p.section}/<name>)`, place);
  }
  if (p.attachBtfName !== undefined && inp.vmlinux === undefined) throw new LoaderError("BTF-attach programs need the vmlinux BTF", place);
  const prepared = prepareProgram(spec, p.name, {
    mapFds: inp.mapFds,
    ...(inp.vmlinux ? { vmlinux: inp.vmlinux } : {}),
    ...(inp.externs ? { externs: inp.externs } : {}),
    kernelSymbols: inp.kernelSymbols,
    core: inp.strictCore ? "strict" : "poison",
  });
  const { poisoned: _p, linked: _l, funcInfo, lineInfo, ...def } = prepared;
  const withBtf = inp.btfFd !== undefined;
  return {
    ...def,
    ...(withBtf ? { btfFd: inp.btfFd } : {}),
    ...(withBtf && funcInfo && funcInfo.count > 0 ? { funcInfo } : {}),
    ...(withBtf && lineInfo && lineInfo.count > 0 ? { lineInfo } : {}),
  };
}

/** loadProgram loads one program through the transport; a verifier rejection throws VerifierError with the log. */
export function loadProgram(p: ProgramSpec, inp: LoadProgramInput): ProgFd {
  return inp.transport.loadProgram(programDefinition(p, inp));
}
