import { CORE_POISON } from "./insn.js";
import { KFUNC_POISON_BASE, type PreparedProgram } from "./prepare.js";
import type { ObjectSpec } from "./spec.js";

/**
 * explainRejection reads a verifier log for the poison `prepareProgram` left behind and says
 * what it stands for: a reachable CO-RE relocation that could not be satisfied
 * (`call unknown#195896080`, libbpf's 0xbad2310) or a weak kfunc the kernel lacks
 * (`call unknown#2002000000+i`). Returns undefined when the rejection is about something else.
 */
export function explainRejection(spec: ObjectSpec, prepared: Pick<PreparedProgram, "poisoned">, log: string): string | undefined {
  const m = /invalid func unknown#(\d+)/.exec(log);
  if (m === null) return undefined;
  const id = Number(m[1]);
  if (id === CORE_POISON) {
    // The verifier prints the instruction before complaining: "12: (85) call unknown#195896080".
    const at = [...log.matchAll(/^(\d+): \(85\) call unknown#195896080/gm)].pop();
    const insn = at ? Number(at[1]) : undefined;
    const hit = prepared.poisoned.find((p) => p.insn === insn) ?? prepared.poisoned[0];
    if (hit === undefined) return `reachable poisoned CO-RE relocation${insn === undefined ? "" : ` at insn ${insn}`}`;
    return `${hit.message} (and the instruction is reachable: guard it with bpf_core_field_exists()/bpf_core_type_exists())`;
  }
  const ext = spec.externs[id - KFUNC_POISON_BASE];
  if (id >= KFUNC_POISON_BASE && ext !== undefined) {
    return `weak kfunc '${ext.name}' is not in this kernel and its call is reachable (guard it with bpf_ksym_exists())`;
  }
  return undefined;
}
