#!/usr/bin/env node
// Times `bpf-skel gen /sys/kernel/btf/vmlinux --type task_struct` in-process: parse the raw
// BTF, then generate accessors for task_struct and everything it holds by value.
// Goal (issue #2): ≤ 2 s end to end. Baseline in the same run, when bpftool is present:
// `bpftool btf dump file vmlinux format c` (C header for all of vmlinux).
// Run after `tsc -b` (npm run bench does it).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as codegen from "../packages/codegen/dist/index.js";

const input = process.argv[2] ?? "/sys/kernel/btf/vmlinux";
const type = process.argv[3] ?? "task_struct";
const runs = 5;
if (!existsSync(input)) {
  console.log(`gen-task-struct: skipped, ${input} not found`);
  process.exit(0);
}
if (typeof codegen.readTypes !== "function") {
  console.log("gen-task-struct: skipped, @bpf-skel/codegen has no readTypes");
  process.exit(0);
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function once() {
  const t0 = process.hrtime.bigint();
  const bytes = readFileSync(input);
  const { btf } = codegen.readTypes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), "vmlinux");
  const parsed = ms(t0);
  const t1 = process.hrtime.bigint();
  const out = codegen.generateAccessors(btf, { types: [type], input: "vmlinux", source: "raw BTF" });
  const generated = ms(t1);
  return { parsed, generated, total: ms(t0), out };
}

const cold = once();
const warm = Array.from({ length: runs }, once);
const classes = (cold.out.match(/^export class /gm) ?? []).length;
const enums = (cold.out.match(/^export const /gm) ?? []).length;
const lines = cold.out.split("\n").length;

console.log(`gen ${type} from ${input}: ${classes} classes, ${enums} enums, ${lines} lines`);
console.log(`  cold (first run): parse ${cold.parsed.toFixed(0)} ms + generate ${cold.generated.toFixed(0)} ms = ${cold.total.toFixed(0)} ms`);
console.log(
  `  warm (median of ${runs}): parse ${median(warm.map((r) => r.parsed)).toFixed(0)} ms + generate ${median(warm.map((r) => r.generated)).toFixed(0)} ms = ${median(warm.map((r) => r.total)).toFixed(0)} ms`,
);
console.log(`  goal ≤ 2000 ms (cold, end to end): ${cold.total <= 2000 ? "met" : "MISSED"}`);

// What a user sees: the CLI in a fresh process (node start-up and module loading included).
{
  const dir = mkdtempSync(join(tmpdir(), "bpf-skel-bench-"));
  const bin = fileURLToPath(new URL("../packages/codegen/bin/bpf-skel.js", import.meta.url));
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, [bin, "gen", input, "--type", type, "-o", join(dir, "out")], { stdio: "ignore" });
    times.push(ms(t0));
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`  bpf-skel gen CLI process (median of 3): ${median(times).toFixed(0)} ms`);
}

let bpftool;
try {
  execFileSync("bpftool", ["version"], { stdio: "ignore" });
  bpftool = "bpftool";
} catch {
  console.log("  baseline: bpftool not found, no ratio");
}
if (bpftool) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(bpftool, ["btf", "dump", "file", input, "format", "c"], { maxBuffer: 1 << 30, stdio: ["ignore", "ignore", "ignore"] });
    times.push(ms(t0));
  }
  const base = median(times);
  console.log(`  baseline bpftool btf dump format c (whole vmlinux): ${base.toFixed(0)} ms; ours (cold) / bpftool = ${(cold.total / base).toFixed(2)}x`);
}
