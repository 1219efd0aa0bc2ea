import { readFileSync } from "node:fs";
import type { Btf } from "../btf/btf.js";
import { parseBtf } from "../btf/parse.js";
import { LoaderError } from "../errors/index.js";

/** VMLINUX_BTF is where the running kernel publishes its BTF. */
export const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";

let vmlinux: Btf | undefined;

/**
 * vmlinuxBtf parses the running kernel's BTF on first use and keeps it for the process:
 * parsing takes long compared with a load, and the kernel's types do not change while we run.
 */
export function vmlinuxBtf(): Btf {
  if (vmlinux !== undefined) return vmlinux;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(VMLINUX_BTF));
  } catch (e) {
    throw new LoaderError("cannot read the kernel's BTF (CONFIG_DEBUG_INFO_BTF=y is needed)", { input: VMLINUX_BTF }, { cause: e });
  }
  vmlinux = parseBtf(bytes, { input: "vmlinux" });
  return vmlinux;
}

let kallsyms: Map<string, bigint> | undefined;

/**
 * kallsymsAddress returns the address of kernel symbol `name` from /proc/kallsyms (typeless
 * `__ksym` externs), or undefined. Addresses read as 0 without CAP_SYSLOG, which is an error.
 */
export function kallsymsAddress(name: string): bigint | undefined {
  if (kallsyms === undefined) {
    const map = new Map<string, bigint>();
    for (const line of readFileSync("/proc/kallsyms", "utf8").split("\n")) {
      const parts = line.split(" ");
      // "addr type name", or "addr type name\t[module]": module symbols are not vmlinux's.
      if (parts.length !== 3 || parts[2]!.includes("\t")) continue;
      if (!map.has(parts[2]!)) map.set(parts[2]!, BigInt(`0x${parts[0]}`));
    }
    kallsyms = map;
  }
  const addr = kallsyms.get(name);
  if (addr === 0n) throw new LoaderError("/proc/kallsyms shows zero addresses (needs CAP_SYSLOG / kptr_restrict)", { input: "/proc/kallsyms", symbol: name });
  return addr;
}
