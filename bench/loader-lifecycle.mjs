#!/usr/bin/env node
// bench/loader-lifecycle.mjs — what one open → load → attach → close of a real object costs
// with the live loader, phase by phase, against libbpf doing the same load in C
// (`bpftool prog loadall`, minus the cost of spawning bpftool, measured as `bpftool version`).
// Prints figures and ratios measured in this run; nothing is asserted.
//   node bench/loader-lifecycle.mjs   (root; after tsc -b)
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { isBpfSyscallError } from "@bpf-skel/sdk/errors";
import { BpfObject, vmlinuxBtf } from "@bpf-skel/sdk/loader";

if (process.getuid?.() !== 0) {
  console.log("loader-lifecycle: needs root for bpf(2); skipped");
  process.exit(0);
}

const root = join(import.meta.dirname, "..");
const OBJECTS = ["test/fixtures/lifecycle/lifecycle.bpf.o", "test/fixtures/storage-kernel/task_ctx.bpf.o"];
const ROUNDS = 30;

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (f) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

let t0 = performance.now();
vmlinuxBtf();
console.log(`vmlinux BTF parse (once per process): ${(performance.now() - t0).toFixed(0)} ms`);

/**
 * arenaRefusal loads `file` once and returns the kernel's refusal of its arena (some kernels
 * answer EPERM to every BPF arena, see docs/kernel-transport.md), or undefined when it loads.
 * Any other failure is thrown: the bench is about objects that load.
 */
function arenaRefusal(file) {
  const obj = BpfObject.open(file, { pinRoot: null });
  try {
    obj.load();
    return undefined;
  } catch (e) {
    if (isBpfSyscallError(e) && e.command === "BPF_MAP_CREATE" && /BPF_MAP_TYPE_ARENA/.test(e.message)) return e.message;
    throw e;
  } finally {
    obj.close();
  }
}

const spawnCost = median(Array.from({ length: 10 }, () => ms(() => execFileSync("bpftool", ["version"], { stdio: "ignore" }))));
for (const rel of OBJECTS) {
  const file = join(root, rel);
  const refused = arenaRefusal(file);
  if (refused !== undefined) {
    console.log(`\n${rel}\n  skipped: ${refused}`);
    continue;
  }
  const phases = { open: [], load: [], attach: [], close: [] };
  for (let i = 0; i < ROUNDS + 3; i++) {
    let obj;
    const o = ms(() => (obj = BpfObject.open(file, { pinRoot: null })));
    const l = ms(() => obj.load());
    const a = ms(() => obj.attach());
    const c = ms(() => obj.close());
    if (i < 3) continue; // warm-up
    phases.open.push(o);
    phases.load.push(l);
    phases.attach.push(a);
    phases.close.push(c);
  }
  const pin = `/sys/fs/bpf/bench_loadall_${process.pid}`;
  const f = (x) => x.toFixed(2).padStart(7);
  console.log(`\n${rel}`);
  console.log(`  open ${f(median(phases.open))} ms  load ${f(median(phases.load))} ms  attach ${f(median(phases.attach))} ms  close ${f(median(phases.close))} ms  (medians of ${ROUNDS})`);
  let libbpf;
  try {
    libbpf = median(
      Array.from({ length: 10 }, () => {
        const t = ms(() => execFileSync("bpftool", ["prog", "loadall", file, pin], { stdio: "pipe" }));
        rmSync(pin, { recursive: true, force: true });
        return t - spawnCost;
      }),
    );
  } catch (e) {
    rmSync(pin, { recursive: true, force: true });
    const why = String(e.stderr ?? e).split("\n").find((l) => l.startsWith("libbpf:")) ?? String(e);
    console.log(`  libbpf baseline unavailable: ${why}`);
    continue;
  }
  // libbpf parses vmlinux BTF in every process; we parse it once per process (printed above).
  const ours = median(phases.open) + median(phases.load);
  console.log(`  libbpf (bpftool prog loadall − spawn ${spawnCost.toFixed(1)} ms, includes its vmlinux parse): ${f(libbpf)} ms`);
  console.log(`  open+load vs libbpf open+load+pin: ${(ours / Math.max(libbpf, 0.01)).toFixed(2)}×`);
}
