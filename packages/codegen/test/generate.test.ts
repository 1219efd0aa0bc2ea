import { Btf, isLayoutError, type BtfType } from "@bpf-skel/sdk";
import { describe, expect, it } from "vitest";
import { buildPlan, findType, generateAccessors, pascalCase } from "../src/index.js";

const int = (id: number, name: string, size: number, signed = true): BtfType => ({
  id, name, kind: "int", size, bits: size * 8, offset: 0, signed, char: false, bool: false,
});
const m = (name: string, type: number, bitOffset: number, bitfieldSize = 0) => ({ name, type, bitOffset, bitfieldSize });

// struct foo { union foo u; enum foo e; struct map m; struct { int a; } anon_named; int constructor; };
// typedef struct { int x; } point_t;  struct Foo_ {...} clashes with struct foo too.
const btf = new Btf([
  int(1, "int", 4),
  { id: 2, kind: "union", name: "foo", size: 4, members: [m("i", 1, 0)] },
  { id: 3, kind: "enum", name: "foo", size: 4, signed: false, values: [{ name: "FOO_A", value: 1 }, { name: "FOO_MAX", value: -1 }] },
  { id: 4, kind: "struct", name: "map", size: 4, members: [m("k", 1, 0)] },
  { id: 5, kind: "struct", name: "", size: 4, members: [m("a", 1, 0)] },
  {
    id: 6, kind: "struct", name: "foo", size: 32,
    members: [m("u", 2, 0), m("e", 3, 32), m("m", 4, 64), m("anon_named", 5, 96), m("constructor", 1, 128), m("pt", 8, 160), m("f2", 9, 192)],
  },
  { id: 7, kind: "struct", name: "", size: 4, members: [m("x", 1, 0)] },
  { id: 8, kind: "typedef", name: "point_t", type: 7 },
  { id: 9, kind: "struct", name: "Foo_", size: 4, members: [m("z", 1, 0)] },
  { id: 10, kind: "struct", name: "unsized", size: 8, members: [m("v", 11, 0)] },
  { id: 11, kind: "fwd", name: "opaque", union: false },
], { input: "names.btf" });

describe("names", () => {
  it("PascalCases C names", () => {
    expect(pascalCase("task_ctx")).toBe("TaskCtx");
    expect(pascalCase("__sk_buff")).toBe("SkBuff");
    expect(pascalCase("XDPMd")).toBe("XDPMd");
    expect(pascalCase("___")).toBe("Anon");
  });

  it("resolves clashes in a fixed order: first comer, then kind suffix, then a number", () => {
    const plan = buildPlan(btf, [findType(btf, "foo")!.id]);
    const names = Object.fromEntries([...plan.classes, ...plan.enums].map((c) => [c.id, c.name]));
    expect(names).toEqual({
      6: "Foo", // requested first: keeps the plain name
      2: "FooUnion", // union foo
      3: "FooEnum", // enum foo
      4: "MapStruct", // `Map` is a JS global
      5: "FooAnonNamed", // anonymous struct: parent + member
      7: "PointT", // anonymous struct behind a typedef
      9: "FooStruct", // struct Foo_ → Foo, taken
    });
    const foo = plan.classes.find((c) => c.id === 6)!;
    expect(foo.members.find((x) => x.name === "constructor")!.prop).toBe("constructor_");
  });

  it("prefers struct/union over enum and resolves typedef names", () => {
    expect(findType(btf, "foo")!.id).toBe(6);
    expect(findType(btf, "union foo")!.id).toBe(2);
    expect(findType(btf, "enum foo")!.id).toBe(3);
    expect(findType(btf, "point_t")!.id).toBe(7);
    expect(findType(btf, "nope")).toBeUndefined();
  });
});

describe("generateAccessors", () => {
  it("prints unsigned 32-bit enum values as unsigned", () => {
    const out = generateAccessors(btf, { types: ["enum foo"], input: "names.btf" });
    expect(out).toContain("FOO_MAX: 4294967295,");
    expect(out).toContain("export const Foo = {");
  });

  it("names an anonymous root after the typedef asked for", () => {
    expect(generateAccessors(btf, { types: ["point_t"], input: "names.btf" })).toContain("export class PointT extends StructView");
  });

  it("throws LayoutError for unknown types and members that cannot be laid out", () => {
    for (const types of [["nope"], ["unsized"], []]) {
      let err: unknown;
      try {
        generateAccessors(btf, { types, input: "names.btf" });
      } catch (e) {
        err = e;
      }
      expect(isLayoutError(err), String(err)).toBe(true);
      expect((err as { input?: string }).input).toBe("names.btf");
    }
  });
});
