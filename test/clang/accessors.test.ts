import { buildPlan, findType, generateAccessors } from "@bpf-skel/codegen";
import { arrayDims, flatMembers, sizeOf, type Btf, type StructClass } from "@bpf-skel/sdk";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESSOR_FIXTURES, root } from "../../packages/codegen/test/fixture-list.js";
import { loadFixture } from "../../packages/codegen/test/load.js";
import { clang19Missing, clangPath, requirement } from "../support/env.js";
import { FLEX_LENGTH, cProgram, leaves, valueFor, type CStruct, type Leaf, type Step } from "./c-program.js";

// Cross-check generated accessors against clang-19 on the host: sizes, alignments and
// offsets from the compiler, values written by C and read by the accessors, and back.

type Value = bigint | number | boolean;
type Module = Record<string, unknown>;

function navigate(view: unknown, steps: readonly Step[]): unknown {
  let cur = view as Record<string, unknown>;
  for (const s of steps) {
    if ("prop" in s) cur = cur[s.prop] as Record<string, unknown>;
    else if ("index" in s) cur = (cur as unknown as { get(i: number): Record<string, unknown> }).get(s.index);
    else cur = (cur[s.call] as (n: number) => Record<string, unknown>).call(cur, s.length);
  }
  return cur;
}

function read(view: unknown, leaf: Leaf): Value {
  return navigate(view, leaf.steps) as Value;
}

function write(view: unknown, leaf: Leaf, v: Value): void {
  const last = leaf.steps.at(-1)!;
  const parent = navigate(view, leaf.steps.slice(0, -1)) as Record<string, unknown> & { set(i: number, v: unknown): void };
  const value = leaf.kind.kind === "int" && leaf.kind.bits <= 32 ? Number(v) : v;
  if ("prop" in last) parent[last.prop] = value;
  else if ("index" in last) parent.set(last.index, value);
}

/** spell prints a value the way the C program does. */
function spell(v: Value): string {
  if (typeof v === "boolean") return v ? "1" : "0";
  return String(v);
}

function same(leaf: Leaf, c: string, ts: Value): boolean {
  if (leaf.kind.kind === "float") return Number(c) === ts || (Number.isNaN(Number(c)) && Number.isNaN(ts as number));
  if (leaf.kind.kind === "ptr" || leaf.kind.kind === "int") return BigInt(c) === BigInt(ts as bigint | number);
  return c === spell(ts);
}

function parseLeaves(out: string, tag: string, structs: readonly CStruct[]): Map<string, string> {
  const m = new Map<string, string>();
  const s = structs.find((x) => x.tag === tag)!;
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`bytes ${tag} `));
  const from = start >= 0 ? start + 1 : 0;
  for (let i = from; i < from + s.leaves.length; i++) {
    const line = lines[i]!;
    const eq = line.indexOf("=");
    m.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return m;
}

describe.skipIf(requirement(clang19Missing()))("clang-19 cross-check of generated accessors", () => {
  const work = mkdtempSync(join(tmpdir(), "bpf-skel-clang-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const fx of ACCESSOR_FIXTURES) {
    describe(fx.name, () => {
      let btf: Btf;
      let mod: Module;
      let structs: CStruct[];
      let classes: Map<string, StructClass>;
      let prog: string;
      let enumerators: { name: string; signed: boolean; enumName: string }[] = [];

      beforeAll(async () => {
        btf = await loadFixture(fx.object);
        // Generated modules must sit inside the repository so `@bpf-skel/sdk` resolves.
        const genDir = resolve(root, ".tmp", "clang");
        mkdirSync(genDir, { recursive: true });
        const file = join(genDir, `${fx.name}.ts`);
        writeFileSync(file, generateAccessors(btf, { types: fx.types, input: `${fx.name}.bpf.o` }));
        mod = (await import(pathToFileURL(file).href)) as Module;

        const plan = buildPlan(btf, fx.types.map((t) => findType(btf, t)!.id));
        classes = new Map();
        structs = [];
        for (const c of plan.classes) {
          if (c.cName.endsWith("{...}")) continue;
          const tag = c.cName.replace(" ", "_");
          classes.set(tag, mod[c.name] as StructClass);
          const ls = leaves(btf, c.id);
          const flex = flatMembers(btf, c.id).find((m) => m.flexible);
          const extra = flex ? FLEX_LENGTH * sizeOf(btf, arrayDims(btf, flex.type).element) : 0;
          structs.push({
            cName: c.cName,
            tag,
            offsets: c.members.filter((m) => m.bitSize === 0).map((m) => m.name),
            leaves: ls,
            extra,
          });
        }
        const src = join(work, `${fx.name}.c`);
        enumerators = plan.enums.flatMap((e) => e.values.map((v) => ({ name: v.name, signed: e.signed, enumName: e.name })));
        writeFileSync(src, cProgram(resolve(root, fx.header), structs, enumerators));
        prog = join(work, fx.name);
        execFileSync(clangPath(), ["-std=gnu11", "-O1", "-Wno-everything", "-o", prog, src], { stdio: "inherit" });
      });

      it("reports the sizes, alignments and offsets clang computes", () => {
        const out = execFileSync(prog, ["layout"]).toString();
        const checked: string[] = [];
        for (const line of out.trim().split("\n")) {
          const [what, tag, ...rest] = line.split(" ");
          if (what === "enum") {
            const e = enumerators.find((x) => x.name === tag)!;
            const got = (mod[e.enumName] as Record<string, number | bigint>)[tag!]!;
            expect(BigInt(got), `enum constant ${tag}`).toBe(BigInt(rest[0]!));
            expect(typeof got === "number" || !Number.isSafeInteger(Number(got)), `${tag} is a number when safe`).toBe(true);
            checked.push(line);
            continue;
          }
          const cls = classes.get(tag!)!;
          if (what === "size") expect(cls.size, `${tag} size`).toBe(Number(rest[0]));
          if (what === "align") expect(cls.align, `${tag} align`).toBe(Number(rest[0]));
          if (what === "offset") {
            const f = cls.fields.find((x) => x.name === rest[0])!;
            expect(f.bitOffset / 8, `${tag}.${rest[0]} offset`).toBe(Number(rest[1]));
          }
          checked.push(line);
        }
        expect(checked.length).toBeGreaterThan(structs.length * 2);
        expect(new Set(checked.filter((l) => l.startsWith("size")).map((l) => l.split(" ")[1]))).toEqual(new Set(classes.keys()));
      });

      it("reads back exactly the values C wrote", () => {
        const out = execFileSync(prog, ["fill"]).toString();
        for (const s of structs) {
          const hex = out.split("\n").find((l) => l.startsWith(`bytes ${s.tag} `))!.split(" ")[2]!;
          const bytes = Buffer.from(hex, "hex");
          const cls = classes.get(s.tag)! as StructClass & { wrap(b: Uint8Array): unknown };
          const v = cls.wrap(new Uint8Array(bytes));
          const cVals = parseLeaves(out, s.tag, structs);
          s.leaves.forEach((leaf, k) => {
            const got = read(v, leaf);
            expect(same(leaf, cVals.get(leaf.c)!, got), `${s.tag}.${leaf.c}: C ${cVals.get(leaf.c)} vs accessor ${spell(got)}`).toBe(true);
            if (!leaf.overlapped) {
              const want = valueFor(leaf.kind, k, 1);
              expect(same(leaf, spell(want), got), `${s.tag}.${leaf.c}: wrote ${spell(want)}, read ${spell(got)}`).toBe(true);
            }
          });
        }
      });

      it("writes values that C reads back", () => {
        const input: string[] = [];
        const expected = new Map<string, Map<string, Value>>();
        for (const s of structs) {
          const cls = classes.get(s.tag)! as StructClass & { wrap(b: Uint8Array): unknown };
          const bytes = new Uint8Array(cls.size + s.extra);
          const v = cls.wrap(bytes);
          s.leaves.forEach((leaf, k) => write(v, leaf, valueFor(leaf.kind, k, 2)));
          const reads = new Map<string, Value>();
          s.leaves.forEach((leaf, k) => {
            reads.set(leaf.c, read(v, leaf));
            if (!leaf.overlapped) expect(same(leaf, spell(valueFor(leaf.kind, k, 2)), read(v, leaf)), leaf.c).toBe(true);
          });
          expected.set(s.tag, reads);
          input.push(`${s.tag} ${Buffer.from(bytes).toString("hex")}`);
        }
        const out = execFileSync(prog, ["read"], { input: `${input.join("\n")}\n` }).toString();
        // Output is the structs in input order, each printing all its leaves.
        let i = 0;
        const lines = out.split("\n");
        for (const s of structs) {
          for (const leaf of s.leaves) {
            const line = lines[i++]!;
            const [path, c] = [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)];
            expect(path).toBe(leaf.c);
            const ts = expected.get(s.tag)!.get(leaf.c)!;
            expect(same(leaf, c, ts), `${s.tag}.${leaf.c}: accessor wrote ${spell(ts)}, C read ${c}`).toBe(true);
          }
        }
      });
    });
  }
});
