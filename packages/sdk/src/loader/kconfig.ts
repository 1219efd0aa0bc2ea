import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";
import type { Btf } from "../btf/btf.js";
import { resolve } from "../btf/layout.js";
import { LoaderError } from "../errors/index.js";
import type { DataVariable, ExternSpec } from "../object/spec.js";

let config: Map<string, string> | undefined;

/** kernelConfig reads the running kernel's config (/proc/config.gz, else /boot/config-$(uname -r)) once. */
export function kernelConfig(): Map<string, string> {
  if (config !== undefined) return config;
  let text: string | undefined;
  try {
    text = gunzipSync(readFileSync("/proc/config.gz")).toString("utf8");
  } catch {
    try {
      text = readFileSync(`/boot/config-${release()}`, "utf8");
    } catch {
      text = undefined;
    }
  }
  const out = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const eq = line.indexOf("=");
    if (line.startsWith("CONFIG_") && eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  config = out;
  return out;
}

/** linuxKernelVersion is KERNEL_VERSION(a, b, c) of `uname -r`, with c capped at 255 as the kernel does. */
export function linuxKernelVersion(rel = release()): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(rel);
  if (m === null) return 0;
  return (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(Number(m[3] ?? 0), 255);
}

/**
 * fillKconfig writes every `__kconfig` extern into `value` (the `.kconfig` map's bytes), as
 * libbpf's `bpf_object__resolve_externs()`: LINUX_KERNEL_VERSION from uname, CONFIG_* from
 * the kernel config (y/m/n as 1/2/0 for bool and char tristates, numbers, quoted strings into
 * char arrays). A missing strong extern is a LoaderError; a missing weak one stays 0.
 */
export function fillKconfig(value: Uint8Array, vars: readonly DataVariable[], externs: readonly ExternSpec[], btf: Btf, input: string): void {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  for (const v of vars) {
    const ext = externs.find((e) => e.kind === "kconfig" && e.name === v.name);
    const weak = ext?.weak ?? false;
    const fail = (reason: string): never => {
      throw new LoaderError(`kconfig extern '${v.name}': ${reason}`, { input, section: ".kconfig", symbol: v.name });
    };
    let raw: string | undefined;
    if (v.name === "LINUX_KERNEL_VERSION") raw = String(linuxKernelVersion());
    else if (v.name.startsWith("CONFIG_")) raw = kernelConfig().get(v.name);
    else if (!weak) fail("unknown (only LINUX_KERNEL_VERSION and CONFIG_* are provided)");
    if (raw === undefined) {
      if (!weak) fail("not set in the kernel config");
      continue;
    }
    const t = resolve(btf, v.typeId);
    if (t?.kind === "array") {
      if (!raw.startsWith('"')) fail(`value ${raw} is not a string`);
      const bytes = new TextEncoder().encode(raw.slice(1, -1)).subarray(0, v.size - 1);
      value.set(bytes, v.offset);
      continue;
    }
    let n: bigint;
    if (raw === "y" || raw === "n" || raw === "m") {
      const isBool = t?.kind === "int" && t.bool;
      const isChar = t?.kind === "int" && t.char;
      const isEnum = t?.kind === "enum";
      if (!isBool && !isChar && !isEnum) fail(`tristate '${raw}' needs a bool, char or enum libbpf_tristate`);
      if (raw === "m" && isBool) fail("'m' does not fit a bool");
      n = raw === "y" ? 1n : raw === "m" ? 2n : 0n;
    } else {
      try {
        n = BigInt(raw);
      } catch {
        return fail(`value ${raw} is not a number`);
      }
    }
    switch (v.size) {
      case 1: dv.setUint8(v.offset, Number(BigInt.asUintN(8, n))); break;
      case 2: dv.setUint16(v.offset, Number(BigInt.asUintN(16, n)), true); break;
      case 4: dv.setUint32(v.offset, Number(BigInt.asUintN(32, n)), true); break;
      case 8: dv.setBigUint64(v.offset, BigInt.asUintN(64, n), true); break;
      default: fail(`cannot store a number in ${v.size} bytes`);
    }
  }
}
