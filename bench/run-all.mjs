// bench/run-all.mjs — runs every bench/*.mjs in turn (npm run bench builds first), printing
// each one's output as it comes, then a summary. A bench whose prerequisites are missing is
// skipped with the reason; benches also check their own and print "skipped" themselves.
// Nothing is asserted here: each bench prints its figures and ratios from its own run.
//   node bench/run-all.mjs [NAME…]   (names without .mjs; default: all)
// Exit code: 1 when a bench failed (non-zero exit), else 0.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const self = basename(fileURLToPath(import.meta.url));

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const vmlinux = "/sys/kernel/btf/vmlinux";
const built = ["sdk", "runtime-sim", "codegen"].every((p) => existsSync(join(root, "packages", p, "dist", "index.js")));

/** NEEDS says what a bench needs beyond a build; benches not listed only need the build. */
const NEEDS = {
  "btf-parse": ["vmlinux"],
  "gen-task-struct": ["vmlinux"],
  "kernel-lookup": ["root"],
  "loader-lifecycle": ["root"],
  "storage-kernel": ["root"],
};

/** missing returns why `name` cannot run here, or undefined. */
function missing(name) {
  if (!built) return "packages are not built (run `npx tsc -b`, or `npm run bench`)";
  for (const need of NEEDS[name] ?? []) {
    if (need === "root" && !isRoot) return "needs root for bpf(2)";
    if (need === "vmlinux" && !existsSync(vmlinux)) return `${vmlinux} not found`;
  }
  return undefined;
}

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => {
      out += b;
      process.stdout.write(b);
    });
    child.stderr.on("data", (b) => process.stderr.write(b));
    child.on("close", (code, signal) => resolve({ code: code ?? 1, signal, out }));
    child.on("error", (e) => resolve({ code: 1, signal: null, out: String(e) }));
  });
}

const wanted = process.argv.slice(2);
// Dot-files are scratch scripts, not benches.
const all = readdirSync(here).filter((f) => f.endsWith(".mjs") && f !== self && !f.startsWith(".")).sort();
const unknown = wanted.filter((w) => !all.includes(`${w}.mjs`));
if (unknown.length > 0) {
  console.error(`run-all: no bench named ${unknown.join(", ")}; have ${all.map((f) => f.replace(/\.mjs$/, "")).join(", ")}`);
  process.exit(2);
}
const files = wanted.length > 0 ? all.filter((f) => wanted.includes(f.replace(/\.mjs$/, ""))) : all;

const summary = [];
for (const f of files) {
  const name = f.replace(/\.mjs$/, "");
  console.log(`\n=== ${name} ${"=".repeat(Math.max(0, 60 - name.length))}`);
  const why = missing(name);
  if (why !== undefined) {
    console.log(`${name}: skipped, ${why}`);
    summary.push({ name, status: `skipped (${why})`, secs: 0 });
    continue;
  }
  const t0 = process.hrtime.bigint();
  const r = await run(join(here, f));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const selfSkip = /^[\w-]+: (skipped|.*; skipped)/m.exec(r.out);
  const status = r.code !== 0 ? `FAILED (${r.signal ?? `exit ${r.code}`})` : selfSkip ? `skipped (${selfSkip[0]})` : "ok";
  summary.push({ name, status, secs });
}

console.log("\n=== summary " + "=".repeat(52));
for (const s of summary) console.log(`${s.name.padEnd(20)} ${s.status.padEnd(40)} ${s.secs > 0 ? `${s.secs.toFixed(1)} s` : ""}`);
process.exitCode = summary.some((s) => s.status.startsWith("FAILED")) ? 1 : 0;
