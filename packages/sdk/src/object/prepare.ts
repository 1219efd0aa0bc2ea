import type { Btf } from "../btf/btf.js";
import { LoaderError } from "../errors/index.js";
import type { ProgramDefinition } from "../transport/transport.js";
import type { FuncInfo, LineInfo } from "./btf-ext.js";
import { loadableBtf } from "./btf-fixup.js";
import { applyCore, type CorePoison } from "./core.js";
import { resolveKfuncs, type ResolvedExtern } from "./externs.js";
import { BPF_PSEUDO, Insns, OP_CALL } from "./insn.js";
import { linkProgram, type LinkedProgram } from "./link.js";
import { kernelName } from "./maps.js";
import { BPF_F_SLEEPABLE } from "./sections.js";
import type { ObjectSpec } from "./spec.js";

/** libbpf's POISON_CALL_KFUNC_BASE: an absent weak kfunc becomes `call 2002000000 + i`, rejected only if reachable. */
export const KFUNC_POISON_BASE = 2002000000;

/** PrepareOptions: what the live layer knows once maps exist. */
export interface PrepareOptions {
  /** Map fd by map name (`.data`, `.rodata`, `.kconfig`, `arena`, BTF map names). */
  readonly mapFds: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** vmlinux BTF: needed for CO-RE, kfuncs, typed ksyms and attach BTF ids. Unset: none of those may occur (attachBtfId stays unset). */
  readonly vmlinux?: Btf;
  /** Addresses of typeless ksyms (from /proc/kallsyms); unset means none are known. */
  readonly kernelSymbols?: ReadonlyMap<string, bigint>;
  /** Externs already resolved by `resolveKfuncs` (saves a lookup per program). */
  readonly externs?: ReadonlyMap<string, ResolvedExtern>;
  /** "poison" (default, libbpf's behaviour) or "strict": throw on an unsatisfiable CO-RE relocation. */
  readonly core?: "poison" | "strict";
}

/** PreparedProgram is a ProgramDefinition minus the fds only the live layer has (btfFd), plus what happened on the way. */
export interface PreparedProgram extends Omit<ProgramDefinition, "btfFd" | "sim" | "fdArray"> {
  readonly insns: Uint8Array;
  /** Unsatisfied CO-RE relocations that were poisoned; the verifier rejects them only if reachable. */
  readonly poisoned: readonly CorePoison[];
  readonly linked: LinkedProgram;
}

/** encodeFuncInfo writes bpf_func_info records (8 bytes: insn_off in instructions, type_id). */
export function encodeFuncInfo(list: readonly FuncInfo[]): { recSize: number; data: Uint8Array; count: number } {
  const data = new Uint8Array(list.length * 8);
  const dv = new DataView(data.buffer);
  list.forEach((f, i) => {
    dv.setUint32(i * 8, f.insn, true);
    dv.setUint32(i * 8 + 4, f.typeId, true);
  });
  return { recSize: 8, data, count: list.length };
}

/** encodeLineInfo writes bpf_line_info records (16 bytes). */
export function encodeLineInfo(list: readonly LineInfo[]): { recSize: number; data: Uint8Array; count: number } {
  const data = new Uint8Array(list.length * 16);
  const dv = new DataView(data.buffer);
  list.forEach((l, i) => {
    dv.setUint32(i * 16, l.insn, true);
    dv.setUint32(i * 16 + 4, l.fileNameOff, true);
    dv.setUint32(i * 16 + 8, l.lineOff, true);
    dv.setUint32(i * 16 + 12, ((l.line << 10) | (l.column & 0x3ff)) >>> 0, true);
  });
  return { recSize: 16, data, count: list.length };
}

/** remapLines points line_info string offsets into the loadable BTF's string table. */
function remapLines(spec: ObjectSpec, lines: readonly LineInfo[]): LineInfo[] {
  if (lines.length === 0 || spec.btf === undefined) return [...lines];
  const { strings } = loadableBtf(spec);
  return lines.map((l) => ({ ...l, fileNameOff: strings.get(l.fileNameOff) ?? 0, lineOff: strings.get(l.lineOff) ?? 0 }));
}

/**
 * prepareProgram turns program `name` into what BPF_PROG_LOAD takes: CO-RE applied per
 * function against `vmlinux`, subprograms appended, map fds patched (`BPF_PSEUDO_MAP_FD`,
 * or `BPF_PSEUDO_MAP_VALUE` with the offset in `insns[i+1].imm`), kfunc calls and typed
 * ksyms given vmlinux BTF ids, typeless ksyms their addresses, func/line info encoded
 * (line_info string offsets point into `loadableBtf(spec).bytes`, the BTF to load with it).
 * Pure: the fds are numbers the caller passes; nothing is opened.
 */
export function prepareProgram(spec: ObjectSpec, name: string, options: PrepareOptions): PreparedProgram {
  const program = spec.programs.find((p) => p.name === name);
  const place = { input: spec.input, symbol: name };
  if (program === undefined) throw new LoaderError(`no program named '${name}'`, place);
  const fds = options.mapFds instanceof Map ? options.mapFds : new Map(Object.entries(options.mapFds));
  const poisoned: CorePoison[] = [];
  const linked = linkProgram(spec, name, {
    patch: (fn, insns) => {
      if (fn.coreRelos.length === 0) return insns;
      if (options.vmlinux === undefined) {
        throw new LoaderError(`${fn.name} has ${fn.coreRelos.length} CO-RE relocations; pass the vmlinux BTF`, { ...place, section: fn.section });
      }
      poisoned.push(...applyCore(insns, fn.coreRelos, spec.btf!, options.vmlinux, { strict: options.core === "strict", input: spec.input, program: name }));
      return insns;
    },
  });
  const insns = new Insns(linked.insns);
  let externs = options.externs;
  const ext = (n: string): ResolvedExtern | undefined => {
    if (externs === undefined) {
      if (options.vmlinux === undefined) throw new LoaderError(`'${n}' needs the vmlinux BTF to resolve`, { ...place, symbol: n });
      externs = resolveKfuncs(spec, options.vmlinux);
    }
    return externs.get(n);
  };
  for (const r of linked.references) {
    const i = r.insn;
    switch (r.kind) {
      case "map":
      case "map_value": {
        const fd = fds.get(r.map);
        if (fd === undefined) throw new LoaderError(`no fd for map '${r.map}' (referenced at insn ${i})`, place);
        insns.setSrc(i, r.kind === "map" ? BPF_PSEUDO.MAP_FD : BPF_PSEUDO.MAP_VALUE);
        insns.setImm(i, fd);
        insns.setImm(i + 1, r.kind === "map" ? 0 : r.offset);
        break;
      }
      case "kfunc": {
        const id = ext(r.name)?.btfId ?? 0;
        if (id === 0) {
          insns.setSrc(i, 0);
          insns.setImm(i, KFUNC_POISON_BASE + spec.externs.findIndex((e) => e.name === r.name));
        } else {
          insns.setSrc(i, BPF_PSEUDO.KFUNC_CALL);
          insns.setImm(i, id);
        }
        insns.setOff(i, 0);
        break;
      }
      case "ksym": {
        if (r.typed) {
          const id = ext(r.name)?.btfId ?? 0;
          insns.setSrc(i, id === 0 ? 0 : BPF_PSEUDO.BTF_ID);
          insns.setImm(i, id);
          insns.setImm(i + 1, 0);
          break;
        }
        const addr = options.kernelSymbols?.get(r.name);
        if (addr === undefined && !r.weak) throw new LoaderError(`no address for kernel symbol '${r.name}' (typeless ksyms need /proc/kallsyms)`, { ...place, symbol: r.name });
        const a = addr ?? 0n;
        insns.setSrc(i, 0);
        insns.setImm(i, Number(BigInt.asIntN(32, a)));
        insns.setImm(i + 1, Number(BigInt.asIntN(32, a >> 32n)));
        break;
      }
    }
  }
  for (let i = 0; i < insns.count; i++) if (insns.code(i) === OP_CALL && insns.src(i) > BPF_PSEUDO.KFUNC_CALL) throw new LoaderError(`bad call at insn ${i}`, place);
  let attachBtfId: number | undefined;
  if (program.attachBtfName !== undefined && options.vmlinux !== undefined) {
    const t = options.vmlinux.all(program.attachBtfName, program.attachBtfKind)[0];
    if (t === undefined) {
      throw new LoaderError(`attach target ${program.attachBtfKind} '${program.attachBtfName}' not found in ${options.vmlinux.input}`, { ...place, section: program.section });
    }
    attachBtfId = t.id;
  }
  return {
    name: kernelName(name),
    type: program.type,
    expectedAttachType: program.expectedAttachType,
    insns: linked.insns,
    license: spec.license,
    flags: program.sleepable ? BPF_F_SLEEPABLE : 0,
    ...(attachBtfId !== undefined ? { attachBtfId } : {}),
    ...(spec.btfExt ? { funcInfo: encodeFuncInfo(linked.funcInfo), lineInfo: encodeLineInfo(remapLines(spec, linked.lineInfo)) } : {}),
    poisoned,
    linked,
  };
}
