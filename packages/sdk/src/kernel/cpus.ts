import { readFileSync } from "node:fs";
import { LoaderError } from "../errors/index.js";

/**
 * parseCpuList parses a kernel CPU list ("0-3,8,10-11") into CPU numbers; throws LoaderError
 * naming `input` on anything else.
 */
export function parseCpuList(text: string, input = "<cpu list>"): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new LoaderError(`bad cpu list '${text.trim()}'`, { input });
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new LoaderError(`bad cpu range '${part}'`, { input });
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

let possible: number | undefined;

/**
 * possibleCpus is the number of possible CPUs (/sys/devices/system/cpu/possible): per-CPU map
 * values hold one `round_up(value_size, 8)` slot per possible CPU, online or not.
 */
export function possibleCpus(): number {
  if (possible !== undefined) return possible;
  const path = "/sys/devices/system/cpu/possible";
  const cpus = parseCpuList(readFileSync(path, "utf8"), path);
  return (possible = Math.max(...cpus) + 1);
}

/** perCpuValueSize is the user-space buffer size for one per-CPU map value. */
export function perCpuValueSize(valueSize: number): number {
  return Math.ceil(valueSize / 8) * 8 * possibleCpus();
}
