import { LoaderError } from "../errors/index.js";
import type { FuncInfo, LineInfo } from "../object/btf-ext.js";
import { BPF_PSEUDO, Insns, OP_CALL } from "../object/insn.js";
import type { LinkedProgram } from "../object/link.js";
import type { ResolvedExtern } from "./externs.js";

/** POISON_CALL_KFUNC_BASE is libbpf's poison for calls of weak kfuncs the kernel lacks. */
export const POISON_CALL_KFUNC_BASE = 2002000000;

/** PatchTargets are the live values a linked program's references resolve to. */
export interface PatchTargets {
  readonly input: string;
  /** Map fd by map name (BTF maps by their name, data maps by section). */
  mapFd(name: string): number | undefined;
  readonly externs: ReadonlyMap<string, ResolvedExtern>;
}

/**
 * patchReferences writes fds and kernel ids into a copy of `linked.insns` (libbpf
 * `bpf_object__relocate_data()` + `bpf_program_fixup_func_info()`'s extern half): maps as
 * BPF_PSEUDO_MAP_FD, global data and arena globals as BPF_PSEUDO_MAP_VALUE with the offset in
 * the second half, kfuncs as BPF_PSEUDO_KFUNC_CALL with their vmlinux BTF id, typed ksyms as
 * BPF_PSEUDO_BTF_ID, typeless ksyms as their address. A weak kfunc the kernel lacks becomes a
 * poisoned call (the verifier only complains if it is reachable); a weak ksym loads as 0.
 */
export function patchReferences(linked: LinkedProgram, t: PatchTargets): Uint8Array {
  const insns = linked.insns.slice();
  const v = new Insns(insns);
  const name = linked.program.name;
  let poisonIdx = 0;
  for (const r of linked.references) {
    const i = r.insn;
    switch (r.kind) {
      case "map":
      case "map_value": {
        const fd = t.mapFd(r.map);
        if (fd === undefined) throw new LoaderError(`program '${name}' uses map '${r.map}', which was not created`, { input: t.input, symbol: name });
        v.setSrc(i, r.kind === "map" ? BPF_PSEUDO.MAP_FD : BPF_PSEUDO.MAP_VALUE);
        v.setImm(i, fd);
        v.setImm(i + 1, r.kind === "map" ? 0 : r.offset);
        break;
      }
      case "kfunc": {
        const e = t.externs.get(r.name);
        if (e?.kind === "btf") {
          v.setSrc(i, BPF_PSEUDO.KFUNC_CALL);
          v.setOff(i, 0);
          v.setImm(i, e.id);
        } else {
          v.setCode(i, OP_CALL);
          v.bytes[i * 8 + 1] = 0;
          v.setOff(i, 0);
          v.setImm(i, POISON_CALL_KFUNC_BASE + poisonIdx++);
        }
        break;
      }
      case "ksym": {
        const e = t.externs.get(r.name);
        if (e?.kind === "btf") {
          v.setSrc(i, BPF_PSEUDO.BTF_ID);
          v.setImm(i, e.id);
          v.setImm(i + 1, 0);
        } else {
          const addr = e?.kind === "addr" ? e.addr : 0n;
          v.setSrc(i, 0);
          v.setImm(i, Number(BigInt.asIntN(32, addr & 0xffffffffn)));
          v.setImm(i + 1, Number(BigInt.asIntN(32, addr >> 32n)));
        }
        break;
      }
    }
  }
  return insns;
}

/** FUNC_INFO_SIZE and LINE_INFO_SIZE are sizeof(struct bpf_func_info / bpf_line_info). */
export const FUNC_INFO_SIZE = 8;
export const LINE_INFO_SIZE = 16;

/** encodeFuncInfo packs func_info records (insn_off in instructions, as BPF_PROG_LOAD wants). */
export function encodeFuncInfo(records: readonly FuncInfo[]): { recSize: number; data: Uint8Array; count: number } {
  const data = new Uint8Array(records.length * FUNC_INFO_SIZE);
  const dv = new DataView(data.buffer);
  records.forEach((r, k) => {
    dv.setUint32(k * FUNC_INFO_SIZE, r.insn, true);
    dv.setUint32(k * FUNC_INFO_SIZE + 4, r.typeId, true);
  });
  return { recSize: FUNC_INFO_SIZE, data, count: records.length };
}

/** encodeLineInfo packs line_info records (line_col = line << 10 | column). */
export function encodeLineInfo(records: readonly LineInfo[]): { recSize: number; data: Uint8Array; count: number } {
  const data = new Uint8Array(records.length * LINE_INFO_SIZE);
  const dv = new DataView(data.buffer);
  records.forEach((r, k) => {
    const o = k * LINE_INFO_SIZE;
    dv.setUint32(o, r.insn, true);
    dv.setUint32(o + 4, r.fileNameOff, true);
    dv.setUint32(o + 8, r.lineOff, true);
    dv.setUint32(o + 12, ((r.line << 10) | (r.column & 0x3ff)) >>> 0, true);
  });
  return { recSize: LINE_INFO_SIZE, data, count: records.length };
}
