import { execFileSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "../../../..");

/** fixture is the path of a committed fixture object (`lifecycle/task_counter.bpf.o`). */
export function fixture(rel: string): string {
  return join(root, "test", "fixtures", rel);
}

export { fdCount } from "../../../../test/support/leaks.js";

/** u32s / u64 read little-endian numbers out of bytes. */
export function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}
export function u64(b: Uint8Array, off: number): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}

/** procStat reads pid, comm and ppid from /proc/<pid>/stat (comm may hold spaces and parens). */
export function procStat(pid: number): { pid: number; comm: string; ppid: number } {
  const text = execFileSync("cat", [`/proc/${pid}/stat`], { encoding: "utf8" });
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const rest = text.slice(close + 2).split(" ");
  return { pid: Number(text.slice(0, open - 1)), comm: text.slice(open + 1, close), ppid: Number(rest[1]) };
}

/** bpftoolJson runs `bpftool -j ARGS` (the independent view of kernel objects). */
export function bpftoolJson(...args: string[]): unknown {
  return JSON.parse(execFileSync("bpftool", ["-j", ...args], { encoding: "utf8" }));
}

export function cstr(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}
