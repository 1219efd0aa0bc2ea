import { buildPlan, findType, generateAccessors } from "@bpf-skel/codegen";
import { arrayDims, flatMembers, sizeOf, type Btf, type StructClass } from "@bpf-skel/sdk";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";
import { root } from "../../packages/codegen/test/fixture-list.js";
import { clangPath } from "../support/env.js";
import { FLEX_LENGTH, cProgram, leaves, valueFor, type CStruct, type Leaf, type Step } from "./c-program.js";

/**
 * The clang-19 cross-check, shared by the fixture suite and the random-struct suite:
 * `prepare` generates accessors and a host C program for a set of types; the three
 * checks compare layout, C-written values and accessor-written values.
 */

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
  // A _Bool sharing bytes with other union members can hold any byte: reading it is
  // undefined in C (clang takes the low bit at -O0, the whole byte at -O1), while the
  // accessor reads any non-zero byte as true. Only canonical bools are comparable.
  if (leaf.overlapped) return true;
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

/** Prepared is one generated module plus the host C program for the same types. */
export interface Prepared {
  readonly mod: Module;
  readonly structs: CStruct[];
  readonly classes: Map<string, StructClass>;
  readonly prog: string;
  readonly enumerators: { name: string; signed: boolean; enumName: string }[];
}

/** prepare generates accessors for `fx.types` (header: absolute path) and compiles the host program into `work`. */
export async function prepare(btf: Btf, fx: { name: string; header: string; types: readonly string[] }, work: string): Promise<Prepared> {
    // Generated modules must sit inside the repository so `@bpf-skel/sdk` resolves.
  const genDir = resolve(root, ".tmp", "clang");
  mkdirSync(genDir, { recursive: true });
  const file = join(genDir, `${fx.name}.ts`);
  writeFileSync(file, generateAccessors(btf, { types: fx.types, input: `${fx.name}.bpf.o` }));
  const mod = (await import(pathToFileURL(file).href)) as Module;

  const plan = buildPlan(btf, fx.types.map((t) => findType(btf, t)!.id));
  const classes = new Map<string, StructClass>();
  const structs: CStruct[] = [];
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
  const enumerators = plan.enums.flatMap((e) => e.values.map((v) => ({ name: v.name, signed: e.signed, enumName: e.name })));
  writeFileSync(src, cProgram(fx.header, structs, enumerators));
  const prog = join(work, fx.name);
  // -O0: a union's _Bool holding a byte other than 0/1 is undefined behaviour, and the
  // optimiser uses that to skip sign-extending a bitfield that shares the byte.
  execFileSync(clangPath(), ["-std=gnu11", "-O0", "-Wno-everything", "-o", prog, src], { stdio: "inherit" });
  return { mod, structs, classes, prog, enumerators };
}

/** checkLayout: sizeof, _Alignof, offsetof and enumerator values from clang match the generated module. */
export function checkLayout({ mod, structs, classes, prog, enumerators }: Prepared, alignUnknown: ReadonlySet<string> = new Set()): void {
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
    if (what === "align" && !alignUnknown.has(tag!.replace("_", " "))) expect(cls.align, `${tag} align`).toBe(Number(rest[0]));
    if (what === "offset") {
      const f = cls.fields.find((x) => x.name === rest[0])!;
      expect(f.bitOffset / 8, `${tag}.${rest[0]} offset`).toBe(Number(rest[1]));
    }
    checked.push(line);
  }
  expect(checked.length).toBeGreaterThan(structs.length * 2);
  expect(new Set(checked.filter((l) => l.startsWith("size")).map((l) => l.split(" ")[1]))).toEqual(new Set(classes.keys()));
}

/** checkCToJs: values C wrote read back exactly through the accessors. */
export function checkCToJs({ structs, classes, prog }: Prepared): void {
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
}

/** checkJsToC: values written through the accessors read back exactly in C. */
export function checkJsToC({ structs, classes, prog }: Prepared): void {
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
}
