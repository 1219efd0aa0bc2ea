import { readTypes } from "@bpf-skel/codegen";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { clang19Missing, clangPath, requirement } from "../support/env.js";
import { checkCToJs, checkJsToC, checkLayout, prepare } from "./harness.js";
import { randomStructs } from "./random-structs.js";

// Random struct definitions through the whole pipeline: clang-19 -target bpf → .BTF →
// generated accessors, cross-checked against the same definitions compiled for the host.

// BPF_SKEL_RANDOM_SEEDS=200 runs more (seeds 1..N); each seed is 12 random types.
const SEEDS = Array.from({ length: Number(process.env.BPF_SKEL_RANDOM_SEEDS ?? 8) }, (_, i) => i + 1);
const STRUCTS_PER_SEED = 12;

describe.skipIf(requirement(clang19Missing()))("clang-19 cross-check on random structs", () => {
  const work = mkdtempSync(join(tmpdir(), "bpf-skel-random-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const seed of SEEDS) {
    it(`seed ${seed}: layout, C → accessors and accessors → C agree`, async () => {
      const { header, names, alignUnknown } = randomStructs(seed, STRUCTS_PER_SEED);
      const h = join(work, `rnd${seed}.h`);
      writeFileSync(h, header);
      const globals = names.map((n, i) => `${n} g${i};`).join("\n");
      const src = join(work, `rnd${seed}.bpf.c`);
      writeFileSync(src, `#include "${h}"\n${globals}\n`);
      const obj = join(work, `rnd${seed}.bpf.o`);
      try {
        execFileSync(clangPath(), ["-g", "-O2", "-target", "bpf", "-Wno-everything", "-c", src, "-o", obj], { stdio: "pipe" });
      } catch (e) {
        throw new Error(`clang rejected random structs (seed ${seed}):\n${header}\n${String((e as { stderr?: Buffer }).stderr)}`);
      }
      const { btf } = readTypes(new Uint8Array(readFileSync(obj)), `rnd${seed}.bpf.o`);
      const p = await prepare(btf, { name: `rnd${seed}`, header: h, types: names }, work);
      try {
        checkLayout(p, alignUnknown);
        checkCToJs(p);
        checkJsToC(p);
      } catch (e) {
        (e as Error).message += `\n--- random structs (seed ${seed}) ---\n${header}`;
        throw e;
      }
    });
  }
});
