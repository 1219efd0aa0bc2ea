import type { Btf } from "../btf/btf.js";
import type { BtfFunc, BtfVar } from "../btf/types.js";
import { LoaderError } from "../errors/index.js";
import { typesCompatible } from "./core-spec.js";
import type { ObjectSpec } from "./spec.js";

/** ResolvedExtern is a kfunc or typed ksym found in vmlinux BTF (btfId 0: a weak one that is absent). */
export interface ResolvedExtern {
  readonly name: string;
  readonly kind: "kfunc" | "ksym";
  /** vmlinux BTF id of the FUNC (kfunc) or VAR (typed ksym); 0 when weak and missing. */
  readonly btfId: number;
}

/**
 * resolveKfuncs looks every kfunc and typed ksym of `spec` up in `vmlinux` by name (libbpf
 * `bpf_object__resolve_ksyms_btf_id()`) and checks that the prototypes or variable types are
 * compatible. A missing non-weak extern is a LoaderError naming the symbol. Typeless ksyms
 * (`const void x __ksym`) are not here: their addresses come from /proc/kallsyms at load time.
 */
export function resolveKfuncs(spec: ObjectSpec, vmlinux: Btf): Map<string, ResolvedExtern> {
  const out = new Map<string, ResolvedExtern>();
  for (const e of spec.externs) {
    if (e.kind === "kconfig" || (e.kind === "ksym" && !e.typed)) continue;
    const place = { input: spec.input, symbol: e.name };
    const local = spec.btf!.type(e.btfId);
    const wantKind = e.kind === "kfunc" ? "func" : "var";
    const found = vmlinux.all(e.name, wantKind)[0];
    if (found === undefined) {
      if (e.weak) {
        out.set(e.name, { name: e.name, kind: e.kind, btfId: 0 });
        continue;
      }
      throw new LoaderError(`${e.kind === "kfunc" ? "kfunc" : "kernel variable"} '${e.name}' not found in ${vmlinux.input}`, place);
    }
    const lt = (local as BtfFunc | BtfVar).type;
    const tt = (found as BtfFunc | BtfVar).type;
    if (!typesCompatible(spec.btf!, lt, vmlinux, tt)) {
      throw new LoaderError(`'${e.name}' is declared with a type incompatible with the kernel's (${vmlinux.input} id ${found.id})`, place);
    }
    out.set(e.name, { name: e.name, kind: e.kind, btfId: found.id });
  }
  return out;
}
