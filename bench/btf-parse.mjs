#!/usr/bin/env node
// Times parseBtf on /sys/kernel/btf/vmlinux (read + parse, in-process) against the time of
// `bpftool btf dump file /sys/kernel/btf/vmlinux format c > /dev/null` (a whole process:
// read, parse, dedup-free C dump), measured in the same run, alternating so machine load
// hits both alike. Goal (issue #2): ours ≤ 0.5 × bpftool. Run after `tsc -b`
// (`npm run bench:btf` does it). Usage: node bench/btf-parse.mjs [FILE] [RUNS]
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { parseBtf } from "../packages/sdk/dist/btf/index.js";

const input = process.argv[2] ?? "/sys/kernel/btf/vmlinux";
const runs = Number(process.argv[3] ?? 11);
if (!existsSync(input)) {
  console.log(`btf-parse: skipped, ${input} not found`);
  process.exit(0);
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let bpftool = true;
try {
  execFileSync("bpftool", ["version"], { stdio: "ignore" });
} catch {
  bpftool = false;
}
const devnull = openSync("/dev/null", "w");

function ours() {
  const t0 = process.hrtime.bigint();
  const file = readFileSync(input);
  const t1 = process.hrtime.bigint();
  const btf = parseBtf(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), { input });
  return { total: ms(t0), parse: ms(t1), types: btf.types.length };
}

function theirs() {
  const t0 = process.hrtime.bigint();
  execFileSync("bpftool", ["btf", "dump", "file", input, "format", "c"], { stdio: ["ignore", devnull, "ignore"] });
  return ms(t0);
}

const cold = ours();
const warm = [];
const base = [];
for (let i = 0; i < runs; i++) {
  warm.push(ours());
  if (bpftool) base.push(theirs());
}
closeSync(devnull);

const total = median(warm.map((r) => r.total));
const parse = median(warm.map((r) => r.parse));
console.log(`parseBtf ${input}: ${cold.types} types`);
console.log(`  cold (first run): ${cold.total.toFixed(1)} ms read + parse`);
console.log(`  warm (median of ${runs}): ${total.toFixed(1)} ms read + parse (${parse.toFixed(1)} ms parse only)`);
if (!bpftool) {
  console.log("  baseline: bpftool not found (apt-get install -y bpftool), no ratio");
} else {
  const b = median(base);
  const ratio = total / b;
  console.log(`  bpftool btf dump file ${input} format c > /dev/null (median of ${runs}): ${b.toFixed(1)} ms`);
  console.log(`  ratio ours / bpftool: ${ratio.toFixed(2)} (goal ≤ 0.50: ${ratio <= 0.5 ? "met" : "MISSED"})`);
}
