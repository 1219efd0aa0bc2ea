import { buildPlan, findType, generateAccessors, readTypes } from "@bpf-skel/codegen";
import { readElf, readSymbols, type Btf, type StructClass } from "@bpf-skel/sdk";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ACCESSOR_FIXTURES, root } from "../../packages/codegen/test/fixture-list.js";
import { clang19Missing, clangPath, requirement } from "../support/env.js";
import { cLiteral, leaves, valueFor, type Leaf, type Step } from "./c-program.js";
import { randomStructs } from "./random-structs.js";

// Both byte orders without running BPF code: clang-19 compiles the fixture structs as
// initialised globals for bpfel and bpfeb, so .data holds the bytes clang lays out for that
// target. Accessors generated from the same object's BTF (LE = false for bpfeb) must read
// the initialisers back, and writing the same values into zeroed memory must give the
// same bytes.

const SEED = 3;
const RANDOM_SEEDS = Number(process.env.BPF_SKEL_RANDOM_SEEDS ?? 4);

function navigate(view: unknown, steps: readonly Step[]): Record<string, unknown> {
  let cur = view as Record<string, unknown>;
  for (const s of steps) {
    if ("prop" in s) cur = cur[s.prop] as Record<string, unknown>;
    else if ("index" in s) cur = (cur as unknown as { get(i: number): Record<string, unknown> }).get(s.index);
  }
  return cur;
}

function initialised(ls: readonly Leaf[]): [Leaf, number][] {
  // Union members share bytes and flexible arrays cannot be initialised statically: leave them zero.
  return ls.map((l, k) => [l, k] as [Leaf, number]).filter(([l]) => !l.overlapped && !l.steps.some((s) => "call" in s));
}

function jsValue(leaf: Leaf, k: number): unknown {
  const v = valueFor(leaf.kind, k, SEED);
  return leaf.kind.kind === "int" && leaf.kind.bits <= 32 ? Number(v) : v;
}

/**
 * staticInitCheck compiles `types` from `header` as initialised globals for `target` and
 * checks the accessors generated from that object's BTF against clang's bytes. `probe` is
 * BTF of the same types (any target) used to enumerate the leaves.
 */
async function staticInitCheck(
  probe: Btf,
  fx: { name: string; header: string; types: readonly string[] },
  target: "bpfel" | "bpfeb",
  work: string,
): Promise<void> {
  // 1. The structs as initialised globals, compiled for `target`.
  const plan = buildPlan(probe, fx.types.map((t) => findType(probe, t)!.id));
  const named = plan.classes.filter((c) => !c.cName.endsWith("{...}"));
  const lines = ["typedef __UINTPTR_TYPE__ uintptr_t;", `#include "${fx.header}"`];
  for (const c of named) {
    const tag = c.cName.replace(" ", "_");
    const inits = initialised(leaves(probe, c.id)).map(([l, k]) => {
      const lit = cLiteral(l.kind, valueFor(l.kind, k, SEED));
      const v = l.kind.kind === "ptr" ? `(__typeof__(((${c.cName} *)0)->${l.c}))${lit}` : lit;
      return `\t.${l.c} = ${v},`;
    });
    lines.push(`${c.cName} ${tag}_v = {`, ...inits, "};");
  }
  const src = join(work, `${fx.name}-${target}.c`);
  const obj = join(work, `${fx.name}-${target}.o`);
  writeFileSync(src, `${lines.join("\n")}\n`);
  execFileSync(clangPath(), ["-g", "-O2", "-target", target, "-Wno-everything", "-c", src, "-o", obj], { stdio: "inherit" });

  // 2. Accessors from that object's own BTF.
  const bytes = new Uint8Array(readFileSync(obj));
  const { btf } = readTypes(bytes, `${fx.name}-${target}.o`);
  expect(btf.byteOrder).toBe(target === "bpfeb" ? "big" : "little");
  const genDir = resolve(root, ".tmp", "endian");
  mkdirSync(genDir, { recursive: true });
  const file = join(genDir, `${fx.name}_${target}.ts`);
  const code = generateAccessors(btf, { types: fx.types, input: `${fx.name}-${target}.o` });
  expect(code).toContain(`const LE = ${target === "bpfel"};`);
  writeFileSync(file, code);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, StructClass & { wrap(b: Uint8Array): unknown }>;

  // 3. Read the initialisers out of the object, then write them into zeroed memory.
  const elf = readElf(bytes, obj);
  const symbols = readSymbols(elf);
  const btfPlan = buildPlan(btf, fx.types.map((t) => findType(btf, t)!.id));
  for (const c of btfPlan.classes.filter((x) => !x.cName.endsWith("{...}"))) {
    const tag = c.cName.replace(" ", "_");
    const sym = symbols.find((s) => s.name === `${tag}_v`)!;
    const cls = mod[c.name]!;
    // A global with nothing to initialise (a union: all members overlap) lands in .bss.
    const section = elf.sections[sym.shndx]!;
    const cBytes = section.data.length > 0 ? section.data.subarray(sym.value, sym.value + cls.size) : new Uint8Array(cls.size);
    const view = cls.wrap(cBytes);
    const fresh = new Uint8Array(cls.size);
    const mine = cls.wrap(fresh);
    for (const [leaf, k] of initialised(leaves(btf, c.id))) {
      const want = jsValue(leaf, k);
      const last = leaf.steps.at(-1)!;
      const got = "prop" in last ? navigate(view, leaf.steps.slice(0, -1))[last.prop] : navigate(view, leaf.steps);
      expect(got, `${target} ${tag}.${leaf.c}`).toEqual(leaf.kind.kind === "bool" ? Boolean(want) : want);
      const parent = navigate(mine, leaf.steps.slice(0, -1));
      if ("prop" in last) parent[last.prop] = want;
      else if ("index" in last) (parent as unknown as { set(i: number, v: unknown): void }).set(last.index, want);
    }
    expect(Buffer.from(fresh).toString("hex"), `${target} ${tag}: bytes written through accessors`).toBe(Buffer.from(cBytes).toString("hex"));
  }
}

describe.skipIf(requirement(clang19Missing()))("clang-19 static initialisers, both byte orders", () => {
  const work = mkdtempSync(join(tmpdir(), "bpf-skel-endian-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const target of ["bpfel", "bpfeb"] as const) {
    for (const fx of ACCESSOR_FIXTURES) {
      it(`${fx.name} on ${target}: accessors read clang's initialisers and write the same bytes`, async () => {
        const probe = readTypes(new Uint8Array(readFileSync(resolve(root, fx.object))), fx.object).btf;
        await staticInitCheck(probe, { ...fx, header: resolve(root, fx.header) }, target, work);
      });
    }
    for (let seed = 1; seed <= RANDOM_SEEDS; seed++) {
      it(`random structs (seed ${seed}) on ${target}`, async () => {
        const { header, names } = randomStructs(seed, 12);
        const h = join(work, `rnd${seed}-${target}.h`);
        writeFileSync(h, header);
        const src = join(work, `rnd${seed}-${target}-probe.c`);
        const obj = join(work, `rnd${seed}-${target}-probe.o`);
        writeFileSync(src, `#include "${h}"\n${names.map((n, i) => `${n} g${i};`).join("\n")}\n`);
        execFileSync(clangPath(), ["-g", "-O2", "-target", target, "-Wno-everything", "-c", src, "-o", obj], { stdio: "inherit" });
        const probe = readTypes(new Uint8Array(readFileSync(obj)), `rnd${seed}.o`).btf;
        try {
          await staticInitCheck(probe, { name: `rnd${seed}`, header: h, types: names }, target, work);
        } catch (e) {
          (e as Error).message += `\n--- random structs (seed ${seed}) ---\n${header}`;
          throw e;
        }
      });
    }
  }
});
