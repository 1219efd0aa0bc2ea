import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { parseDescription, parseDescriptionText } from "../../src/btf/json.js";
import { sizeOf } from "../../src/btf/layout.js";
import { parseBtf } from "../../src/btf/parse.js";
import type { BtfComposite, BtfType } from "../../src/btf/types.js";
import { isDescriptionError } from "../../src/errors/index.js";
import { clang19Missing, requirement } from "../../../../test/support/env.js";
import { CASES, KERNEL_TYPEDEFS } from "./descriptions.js";
import { ALL_KINDS } from "./sources.js";
import { bpftoolMissing, compileBpf, vmlinuxMissing, type Compiled } from "./support.js";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** shape describes a type the way layout cares about: sizes, offsets, bitfields, values, recursively through anonymous members. */
function shape(btf: Btf, id: number, depth = 0): unknown {
  let t: BtfType | undefined = btf.get(id);
  while (t && (t.kind === "typedef" || t.kind === "const" || t.kind === "volatile")) t = btf.get(t.type);
  if (t === undefined) return "void";
  switch (t.kind) {
    case "struct":
    case "union":
      return {
        kind: t.kind,
        size: t.size,
        members: t.members.map((m) => ({
          name: m.name,
          bitOffset: m.bitOffset,
          bitfieldSize: m.bitfieldSize,
          size: sizeOf(btf, m.type),
          type: m.name === "" || depth > 2 ? shape(btf, m.type, depth + 1) : kindOf(btf, m.type),
        })),
      };
    case "enum":
    case "enum64":
      return { kind: t.kind, size: t.size, signed: t.signed, values: t.values.map((v) => `${v.name}=${v.value}`) };
    default:
      return kindOf(btf, id);
  }
}

function kindOf(btf: Btf, id: number): string {
  const t = btf.get(id);
  if (t === undefined) return "void";
  if (t.kind === "ptr") return `ptr(${kindOf(btf, t.type)})`;
  if (t.kind === "array") return `${kindOf(btf, t.type)}[${t.nelems}]`;
  if (t.kind === "typedef" || t.kind === "const" || t.kind === "volatile") return `${t.kind} ${t.name} ${kindOf(btf, t.type)}`;
  return `${t.kind} ${t.name}`;
}

describe.skipIf(requirement(clang19Missing()))("JSON descriptions lay out like clang-19", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ours = parseDescription(c.json, "case.json").btf;
      const compiled = compileBpf(KERNEL_TYPEDEFS + c.c);
      try {
        const theirs = parseBtf(compiled.btf);
        const named = ours.types.filter((t) => (t.kind === "struct" || t.kind === "union" || t.kind === "enum" || t.kind === "enum64") && t.name !== "");
        expect(named.length).toBeGreaterThan(0);
        for (const t of named) {
          const kind = t.kind === "enum64" ? undefined : t.kind;
          const other = theirs.types.find((x) => x.name === t.name && (kind === undefined || x.kind === kind || x.kind === "enum64"));
          expect(other, `${t.kind} ${t.name} in clang's BTF`).toBeDefined();
          expect(shape(ours, t.id), `${t.kind} ${t.name}`).toEqual(shape(theirs, other!.id));
        }
      } finally {
        compiled.dispose();
      }
    });
  }
});

describe.skipIf(requirement(clang19Missing()))("bpftool JSON lowering", () => {
  let obj: Compiled;
  beforeAll(() => {
    obj = compileBpf(ALL_KINDS);
  });
  afterAll(() => obj?.dispose());

  it.skipIf(requirement(bpftoolMissing()))("lowers bpftool's dump of a clang object to exactly the parsed .BTF", () => {
    const text = execFileSync("bpftool", ["btf", "dump", "file", obj.path, "format", "raw", "-j"], { encoding: "utf8" });
    const lowered = parseDescriptionText(text, "dump.json");
    expect(lowered.storage).toEqual([]);
    const parsed = parseBtf(obj.btf);
    // bpftool does not print decl_tag/type_tag kind_flag; clang-19 never sets them.
    expect(lowered.btf.types).toEqual(parsed.types);
  });
});

describe.skipIf(requirement(vmlinuxMissing()))("bpftool JSON lowering of vmlinux", () => {
  it.skipIf(requirement(bpftoolMissing()))("equals parseBtf of /sys/kernel/btf/vmlinux, type for type", () => {
    const text = execFileSync("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw", "-j"], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    const lowered = parseDescriptionText(text, "vmlinux.json").btf;
    const file = readFileSync("/sys/kernel/btf/vmlinux");
    const parsed = parseBtf(new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
    expect(lowered.types.length).toBe(parsed.types.length);
    // bpftool does not print the kind_flag of tags, so compare those without it.
    const plain = (t: BtfType) => {
      // Same key order for both sides, whatever order each producer wrote them in.
      const o: Record<string, unknown> = t.kind === "decl_tag" ? { ...t, attribute: false } : t.kind === "type_tag" ? { ...t, attribute: undefined } : { ...t };
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    };
    const text2 = (t: BtfType) => JSON.stringify(plain(t), (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
    const mismatches = parsed.types.filter((t, i) => text2(lowered.types[i]!) !== text2(t)).map(text2);
    expect(mismatches.slice(0, 3)).toEqual([]);
  });
});

describe("our schema", () => {
  it("returns the declared storage maps", () => {
    const r = parseDescription(CASES[0]!.json, "x.json");
    expect(r.storage).toEqual([{ name: "task_ctx_stor", owner: "task", value: "task_ctx" }]);
  });

  it("lays out the seed's task_ctx (size and offsets worked out by hand)", () => {
    const btf = parseDescription(CASES[0]!.json).btf;
    const t = btf.find("task_ctx", "struct");
    expect(t).toMatchObject({ size: 56 });
    expect((t as BtfComposite).members.map((m) => [m.name, m.bitOffset])).toEqual([
      ["force_local", 0], ["weight", 8], ["comm", 16], ["next", 192], ["grid", 256], ["", 320], ["st", 384], ["tail", 416],
    ]);
  });

  const bad: [string, unknown, string, RegExp][] = [
    ["not an object", [1], "/", /expected an object/],
    ["unknown top-level key", { struct: [] }, "/struct", /unknown property/],
    ["member type not a string", { structs: [{ name: "a", members: [{ name: "x", type: 3 }] }] }, "/structs/0/members/0/type", /expected an object|expected a string/],
    ["bad type syntax", { structs: [{ name: "a", members: [{ name: "x", type: "int]" }] }] }, "/structs/0/members/0/type", /bad type/],
    ["unknown type", { structs: [{ name: "a", members: [{ name: "x", type: "int" }, { name: "y", type: "u32" }, { name: "z", type: "pid_t" }] }] }, "/structs/0/members/2/type", /unknown type pid_t/],
    ["struct by value of itself", { structs: [{ name: "a", members: [{ name: "x", type: "struct a" }] }] }, "/structs/0/members/0/type", /contains itself/],
    ["mutual containment", { structs: [{ name: "a", members: [{ name: "b", type: "struct b" }] }, { name: "b", members: [{ name: "a", type: "struct a[2]" }] }] }, "/structs/1/members/0/type", /contains itself/],
    ["incomplete by value", { structs: [{ name: "a", members: [{ name: "x", type: "struct nope" }] }] }, "/structs/0/members/0/type", /incomplete/],
    ["bitfield too wide", { structs: [{ name: "a", members: [{ name: "x", type: "u8", bits: 9 }] }] }, "/structs/0/members/0/bits", /wider/],
    ["bitfield of a pointer", { structs: [{ name: "a", members: [{ name: "x", type: "void *", bits: 3 }] }] }, "/structs/0/members/0/bits", /integer or enum/],
    ["flexible array not last", { structs: [{ name: "a", members: [{ name: "x", type: "int[]" }, { name: "y", type: "int" }] }] }, "/structs/0/members/0/type", /last member/],
    ["duplicate struct", { structs: [{ name: "a", members: [] }, { name: "a", members: [] }] }, "/structs/1/name", /twice/],
    ["bad alignment", { structs: [{ name: "a", align: 3, members: [] }] }, "/structs/0/align", /power of two/],
    ["enum value too big", { enums: [{ name: "e", size: 1, values: { A: 300 } }] }, "/enums/0/size", /do not fit/],
    ["enum value unsafe number", { enums: [{ name: "e", values: { A: 2 ** 60 } }] }, "/enums/0/values/A", /as strings/],
    ["storage of unknown struct", { storage: [{ name: "s", owner: "task", value: "nope" }] }, "/storage/0/value", /not a declared/],
    ["storage owner", { structs: [{ name: "a", members: [] }], storage: [{ name: "s", owner: "inode", value: "a" }] }, "/storage/0/owner", /owner/],
    ["typedef loop", { typedefs: [{ name: "a", type: "b" }, { name: "b", type: "a" }] }, "/typedefs/", /loop/],
    ["bpftool dump with a bad id", { types: [{ id: 2, kind: "INT", name: "int", size: 4, bits_offset: 0, nr_bits: 32, encoding: "SIGNED" }] }, "/types/0/id", /expected id 1/],
    ["bpftool dump with a dangling type_id", { types: [{ id: 1, kind: "PTR", name: "(anon)", type_id: 9 }] }, "/types/0", /type id 9/],
    ["bpftool dump with an unknown kind", { types: [{ id: 1, kind: "WAT", name: "x" }] }, "/types/0/kind", /unknown kind/],
  ];
  for (const [what, doc, path, message] of bad) {
    it(`names the path for: ${what}`, () => {
      let caught: unknown;
      try {
        parseDescription(doc, "bad.json");
      } catch (e) {
        caught = e;
      }
      expect(isDescriptionError(caught), String(caught)).toBe(true);
      const err = caught as Error & { path: string; input: string };
      expect(err.input).toBe("bad.json");
      expect(err.path.startsWith(path), `${err.path} should start with ${path}`).toBe(true);
      expect(err.message).toMatch(message);
    });
  }

  it("reports invalid JSON text as a DescriptionError", () => {
    expect(() => parseDescriptionText("{ nope", "broken.json")).toThrow(expect.objectContaining({ name: "DescriptionError", input: "broken.json", path: "/" }));
  });
});
