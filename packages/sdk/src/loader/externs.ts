import type { Btf } from "../btf/btf.js";
import { LoaderError } from "../errors/index.js";
import type { ExternSpec, ObjectSpec } from "../object/spec.js";
import { kallsymsAddress } from "./vmlinux.js";

/**
 * ResolvedExtern is what one `__ksym` extern became on this kernel:
 * - `btf`: a vmlinux BTF id (kfunc FUNC, or typed ksym VAR)
 * - `addr`: an address from /proc/kallsyms (typeless ksym)
 * - `missing`: a weak extern the kernel lacks (calls are poisoned, loads give 0)
 */
export type ResolvedExtern =
  | { readonly kind: "btf"; readonly id: number }
  | { readonly kind: "addr"; readonly addr: bigint }
  | { readonly kind: "missing" };

/**
 * resolveExterns looks every kfunc and ksym up in vmlinux BTF (libbpf
 * `bpf_object__resolve_ksyms_btf_id()`): kfuncs and typed ksyms by name and kind, typeless
 * ksyms in /proc/kallsyms. A strong extern the kernel lacks is a LoaderError naming it.
 */
export function resolveExterns(spec: ObjectSpec, vmlinux: () => Btf): Map<string, ResolvedExtern> {
  const out = new Map<string, ResolvedExtern>();
  for (const e of spec.externs) {
    if (e.kind === "kconfig") continue;
    out.set(e.name, resolveOne(spec, e, vmlinux));
  }
  return out;
}

function resolveOne(spec: ObjectSpec, e: ExternSpec, vmlinux: () => Btf): ResolvedExtern {
  const missing = (why: string): ResolvedExtern => {
    if (e.weak) return { kind: "missing" };
    throw new LoaderError(`extern '${e.name}': ${why}`, { input: spec.input, section: ".ksyms", symbol: e.name });
  };
  if (e.kind === "kfunc") {
    const f = vmlinux().find(e.name, "func");
    return f === undefined ? missing("no such kernel function (kfunc) in vmlinux BTF") : { kind: "btf", id: f.id };
  }
  if (e.typed) {
    const v = vmlinux().all(e.name, "var")[0];
    return v === undefined ? missing("no such kernel variable in vmlinux BTF") : { kind: "btf", id: v.id };
  }
  const addr = kallsymsAddress(e.name);
  return addr === undefined ? missing("no such symbol in /proc/kallsyms") : { kind: "addr", addr };
}
