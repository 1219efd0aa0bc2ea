#!/usr/bin/env node
// Builds every test/fixtures/**/*.bpf.c into the .bpf.o next to it (or under --out-dir,
// mirroring the tree) with clang-19 -g -O2 -target bpf. Output is deterministic: clang runs
// in the source's folder on a relative path with -fdebug-compilation-dir=., so no absolute
// path reaches DWARF or .BTF; two builds from different checkouts give the same bytes.
// Usage: node scripts/build-fixtures.mjs [--out-dir DIR] [PATH...]  (PATHs limit the build)
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "test", "fixtures");
const clang = process.env.CLANG ?? "clang-19";

/** sources lists every *.bpf.c under test/fixtures, sorted. */
export function sources() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".bpf.c")) out.push(p);
    }
  };
  walk(fixtures);
  return out.sort();
}

/** build compiles one fixture source to `out`. */
export function build(src, out) {
  mkdirSync(dirname(out), { recursive: true });
  const dir = dirname(src);
  const name = src.slice(dir.length + 1);
  // The SDK's BPF C headers (<bpf-skel/...>), on a relative path so no absolute path leaks.
  const include = relative(dir, join(root, "packages", "sdk", "include")) || ".";
  execFileSync(clang, ["-g", "-O2", "-target", "bpf", "-fdebug-compilation-dir=.", "-I", include, "-c", name, "-o", out], {
    cwd: dir,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

function main(argv) {
  const i = argv.indexOf("--out-dir");
  const outDir = i >= 0 ? resolve(argv[i + 1]) : undefined;
  // Optional paths (files or folders) limit the build: `npm run fixtures -- test/fixtures/accessors`.
  const only = argv.filter((a, j) => !a.startsWith("--") && (i < 0 || j !== i + 1)).map((p) => resolve(p));
  const wanted = (src) => only.length === 0 || only.some((p) => src === p || src.startsWith(`${p}/`));
  for (const src of sources().filter(wanted)) {
    const rel = relative(fixtures, src).replace(/\.c$/, ".o");
    const out = outDir ? join(outDir, rel) : join(fixtures, rel);
    build(src, out);
    console.log(`built ${relative(root, out)}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
