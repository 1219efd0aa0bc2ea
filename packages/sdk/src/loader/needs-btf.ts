import type { Btf } from "../btf/btf.js";
import { resolveId } from "../btf/layout.js";
import type { ObjectSpec } from "../object/spec.js";

/**
 * needsBtf says why an object cannot load without its BTF, or undefined when going on without
 * it (libbpf's fallback when the kernel refuses the object's BTF) is safe.
 */
export function needsBtf(spec: ObjectSpec): string | undefined {
  const storage = spec.maps.find((m) => [24, 28, 29, 32].includes(m.type));
  if (storage) return `map '${storage.name}' is local storage, which the kernel only creates with BTF`;
  const global = spec.subprograms.find((f) => f.global && !f.hidden);
  if (global) return `global function '${global.name}' is verified on its own, which needs func_info`;
  const special = spec.btf && spec.maps.find((m) => m.btfValueTypeId !== 0 && hasSpecialField(spec.btf!, m.btfValueTypeId));
  if (special) return `map '${special.name}' has a spin lock, timer or kptr in its value, which needs BTF`;
  return undefined;
}

const SPECIAL = new Set(["bpf_spin_lock", "bpf_timer", "bpf_wq", "bpf_list_head", "bpf_rb_root", "bpf_refcount", "bpf_res_spin_lock"]);

function hasSpecialField(btf: Btf, id: number, depth = 0): boolean {
  if (depth > 8) return false;
  const t = btf.get(resolveId(btf, id));
  if (t === undefined) return false;
  if (t.kind === "struct" || t.kind === "union") return SPECIAL.has(t.name) || t.members.some((m) => hasSpecialField(btf, m.type, depth + 1));
  if (t.kind === "array") return hasSpecialField(btf, t.type, depth + 1);
  return false;
}
