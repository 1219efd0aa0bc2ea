import { LoaderError } from "../errors/index.js";
import type { CoreRelocation, FuncInfo, LineInfo } from "./btf-ext.js";
import { BPF_PSEUDO, INSN_SIZE, Insns } from "./insn.js";
import type { FunctionSpec, InsnReference, ObjectSpec, ProgramSpec } from "./spec.js";

/** DataReference is a reference the live layer still has to patch (maps, globals, kernel symbols). */
export type DataReference = Exclude<InsnReference, { kind: "call" | "func_addr" }>;

/** LinkedProgram is one entry program with every subprogram it reaches appended. */
export interface LinkedProgram {
  readonly program: ProgramSpec;
  /** Final instruction stream; bpf-to-bpf call and callback offsets are patched. */
  readonly insns: Uint8Array;
  /** Map, global-data and kernel-symbol references, `insn` in the final stream. */
  readonly references: readonly DataReference[];
  readonly funcInfo: readonly FuncInfo[];
  readonly lineInfo: readonly LineInfo[];
  /** CO-RE records with `insn` in the final stream (for kernel-side CO-RE, or for reporting). */
  readonly coreRelos: readonly CoreRelocation[];
  /** Where each function landed: the program at 0, then subprograms in append order. */
  readonly layout: readonly { readonly name: string; readonly start: number; readonly count: number }[];
}

/** LinkOptions: `patch` rewrites one function's instructions before it is placed (CO-RE). */
export interface LinkOptions {
  readonly patch?: (fn: FunctionSpec, insns: Uint8Array) => Uint8Array;
}

/**
 * linkProgram makes program `name` self-contained, as libbpf's `bpf_object__reloc_code()`:
 * walking references in instruction order, the first call or callback load of a subprogram
 * appends it (depth first), and each call's `imm` becomes `callee_start - call_insn - 1`.
 * func_info, line_info and CO-RE records move with their code.
 */
export function linkProgram(spec: ObjectSpec, name: string, options: LinkOptions = {}): LinkedProgram {
  const program = spec.programs.find((p) => p.name === name);
  if (program === undefined) throw new LoaderError(`no program named '${name}'`, { input: spec.input, symbol: name });
  const subs = new Map(spec.subprograms.map((f) => [f.name, f]));
  const layout: { name: string; start: number; count: number; fn: FunctionSpec; insns: Uint8Array }[] = [];
  const placed = new Map<string, number>();
  let total = 0;
  const place = (fn: FunctionSpec): number => {
    const start = total;
    const insns = (options.patch ? options.patch(fn, fn.insns.slice()) : fn.insns.slice()) as Uint8Array;
    const count = insns.length / INSN_SIZE;
    placed.set(fn.name, start);
    layout.push({ name: fn.name, start, count, fn, insns });
    total += count;
    const view = new Insns(insns);
    for (const r of fn.references) {
      if (r.kind !== "call" && r.kind !== "func_addr") continue;
      let callee = placed.get(r.target);
      if (callee === undefined) {
        const sub = subs.get(r.target);
        if (sub === undefined) {
          throw new LoaderError(`${fn.name}: call at insn ${r.insn} to '${r.target}', which is not a subprogram in .text`, {
            input: spec.input,
            section: fn.section,
            symbol: program.name,
          });
        }
        callee = place(sub);
      }
      if (r.kind === "func_addr") view.setSrc(r.insn, BPF_PSEUDO.FUNC);
      view.setImm(r.insn, callee - (start + r.insn) - 1);
    }
    return start;
  };
  place(program);

  const insns = new Uint8Array(total * INSN_SIZE);
  const references: DataReference[] = [];
  const funcInfo: FuncInfo[] = [];
  const lineInfo: LineInfo[] = [];
  const coreRelos: CoreRelocation[] = [];
  for (const l of layout) {
    insns.set(l.insns, l.start * INSN_SIZE);
    const shift = <T extends { insn: number }>(x: T): T => ({ ...x, insn: x.insn + l.start });
    for (const r of l.fn.references) if (r.kind !== "call" && r.kind !== "func_addr") references.push(shift(r as DataReference));
    funcInfo.push(...l.fn.funcInfo.map(shift));
    lineInfo.push(...l.fn.lineInfo.map(shift));
    coreRelos.push(...l.fn.coreRelos.map(shift));
  }
  return {
    program,
    insns,
    references,
    funcInfo,
    lineInfo,
    coreRelos,
    layout: layout.map(({ name: n, start, count }) => ({ name: n, start, count })),
  };
}
