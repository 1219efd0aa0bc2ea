import { LoaderError } from "../errors/index.js";
import type { ObjectSpec } from "../object/spec.js";
import { kallsymsAddress } from "./vmlinux.js";

/**
 * kernelSymbols reads the addresses of the object's typeless ksyms (`const void x __ksym`)
 * from /proc/kallsyms. A strong one the kernel does not list is a LoaderError; a weak one is
 * left out (the spec layer then loads it as 0).
 */
export function kernelSymbols(spec: ObjectSpec): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const e of spec.externs) {
    if (e.kind !== "ksym" || e.typed) continue;
    const addr = kallsymsAddress(e.name);
    if (addr !== undefined) out.set(e.name, addr);
    else if (!e.weak) throw new LoaderError(`extern '${e.name}': no such symbol in /proc/kallsyms`, { input: spec.input, section: ".ksyms", symbol: e.name });
  }
  return out;
}

/** needsVmlinux says whether loading `spec` looks anything up in the kernel's BTF. */
export function needsVmlinux(spec: ObjectSpec): boolean {
  if (spec.externs.some((e) => e.kind === "kfunc" || (e.kind === "ksym" && e.typed))) return true;
  const fns = [...spec.programs, ...spec.subprograms];
  return fns.some((f) => f.coreRelos.length > 0) || spec.programs.some((p) => p.attachBtfName !== undefined);
}
