import { describe, expect, it } from "vitest";
import { Btf, type BtfType } from "../src/btf/index.js";
import { alignOf, arrayDims, cTypeName, flatMembers, isPacked, members, sizeOf } from "../src/btf/index.js";
import { isLayoutError } from "../src/errors/index.js";

const int = (id: number, name: string, size: number, signed: boolean): BtfType => ({
  id, name, kind: "int", size, bits: size * 8, offset: 0, signed, char: false, bool: false,
});
const m = (name: string, type: number, bitOffset: number, bitfieldSize = 0) => ({ name, type, bitOffset, bitfieldSize });

// 1 int, 2 unsigned int, 3 char, 4 long, 5 u8 typedef→ unsigned char(6), 7 ptr→8(struct foo), …
const types: BtfType[] = [
  int(1, "int", 4, true),
  int(2, "unsigned int", 4, false),
  int(3, "char", 1, true),
  int(4, "long", 8, true),
  { id: 5, kind: "typedef", name: "u8", type: 6 },
  int(6, "unsigned char", 1, false),
  { id: 7, kind: "ptr", name: "", type: 8 },
  { id: 8, kind: "struct", name: "foo", size: 24, members: [m("a", 1, 0), m("p", 7, 64), m("comm", 9, 128)] },
  { id: 9, kind: "array", name: "", type: 3, indexType: 1, nelems: 8 },
  // u8 grid[2][3]
  { id: 10, kind: "array", name: "", type: 11, indexType: 1, nelems: 2 },
  { id: 11, kind: "array", name: "", type: 5, indexType: 1, nelems: 3 },
  // packed: struct { char c; int i; } __attribute__((packed)) → size 5
  { id: 12, kind: "struct", name: "packed", size: 5, members: [m("c", 3, 0), m("i", 1, 8)] },
  // bitfields + anonymous union + flexible array
  {
    id: 13, kind: "struct", name: "bits", size: 16,
    members: [m("a", 2, 0, 3), m("b", 1, 3, 30), m("", 14, 64), m("tail", 15, 128)],
  },
  { id: 14, kind: "union", name: "", size: 8, members: [m("x", 4, 0), m("y", 1, 0)] },
  { id: 15, kind: "array", name: "", type: 1, indexType: 1, nelems: 0 },
  { id: 16, kind: "const", name: "", type: 3 },
  { id: 17, kind: "ptr", name: "", type: 16 },
  { id: 18, kind: "func_proto", name: "", returnType: 1, params: [{ name: "a", type: 1 }, { name: "s", type: 17 }] },
  { id: 19, kind: "ptr", name: "", type: 18 },
  { id: 20, kind: "struct", name: "bad", size: 8, members: [m("v", 0, 0)] },
  { id: 21, kind: "fwd", name: "opaque", union: false },
  { id: 22, kind: "typedef", name: "loop", type: 23 },
  { id: 23, kind: "typedef", name: "loop2", type: 22 },
  { id: 24, kind: "ptr", name: "", type: 10 },
];
const btf = new Btf(types, { input: "hand.btf" });

describe("layout", () => {
  it("sizes and aligns scalars, pointers, arrays and structs", () => {
    expect([sizeOf(btf, 1), alignOf(btf, 1)]).toEqual([4, 4]);
    expect([sizeOf(btf, 5), alignOf(btf, 5)]).toEqual([1, 1]);
    expect([sizeOf(btf, 7), alignOf(btf, 7)]).toEqual([8, 8]);
    expect([sizeOf(btf, 10), alignOf(btf, 10)]).toEqual([6, 1]);
    expect([sizeOf(btf, 8), alignOf(btf, 8)]).toEqual([24, 8]);
    expect(arrayDims(btf, 10)).toEqual({ dims: [2, 3], element: 5 });
  });

  it("detects packed structs", () => {
    expect(alignOf(btf, 12)).toBe(1);
    expect(isPacked(btf, 12)).toBe(true);
    expect(isPacked(btf, 8)).toBe(false);
  });

  it("lays out bitfields, anonymous members and flexible arrays", () => {
    const ms = members(btf, 13);
    expect(ms.map((x) => [x.name, x.bitOffset, x.bitSize, x.size, x.flexible])).toEqual([
      ["a", 0, 3, 4, false],
      ["b", 3, 30, 4, false],
      ["", 64, 0, 8, false],
      ["tail", 128, 0, 0, true],
    ]);
    expect(flatMembers(btf, 13).map((x) => [x.name, x.bitOffset, x.path])).toEqual([
      ["a", 0, [0]],
      ["b", 3, [1]],
      ["x", 64, [2, 0]],
      ["y", 64, [2, 1]],
      ["tail", 128, [3]],
    ]);
  });

  it("spells C types", () => {
    expect(cTypeName(btf, 2)).toBe("unsigned int");
    expect(cTypeName(btf, 7)).toBe("struct foo *");
    expect(cTypeName(btf, 9)).toBe("char[8]");
    expect(cTypeName(btf, 10)).toBe("u8[2][3]");
    expect(cTypeName(btf, 17)).toBe("const char *");
    expect(cTypeName(btf, 19)).toBe("int (*)(int, const char *)");
    expect(cTypeName(btf, 24)).toBe("u8 (*)[2][3]");
    expect(cTypeName(btf, 14)).toBe("union {...}");
    expect(cTypeName(btf, 9, "comm")).toBe("char comm[8]");
    expect(cTypeName(btf, 0)).toBe("void");
  });

  it("throws LayoutError naming the input and type id", () => {
    const cases = [() => members(btf, 20), () => sizeOf(btf, 21), () => sizeOf(btf, 22), () => sizeOf(btf, 0), () => members(btf, 1)];
    for (const f of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isLayoutError(err), String(err)).toBe(true);
      expect((err as { input: string }).input).toBe("hand.btf");
      expect((err as { typeId?: number }).typeId).toBeTypeOf("number");
    }
  });

  it("handles the kind_flag=0 bitfield encoding (width in the INT)", () => {
    const legacy = new Btf([
      { id: 1, kind: "int", name: "unsigned int", size: 4, bits: 5, offset: 2, signed: false, char: false, bool: false },
      { id: 2, kind: "struct", name: "s", size: 4, members: [m("f", 1, 8)] },
    ]);
    expect(members(legacy, 2)[0]).toMatchObject({ bitOffset: 10, bitSize: 5, size: 4 });
  });

  it("infers over-alignment from padding and skips unnamed bitfields", () => {
    const b = new Btf([
      { id: 1, kind: "int", name: "int", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false },
      { id: 2, kind: "int", name: "char", size: 1, bits: 8, offset: 0, signed: true, char: false, bool: false },
      // struct __attribute__((aligned(16))) a { int a; char b; } → size 16
      { id: 3, kind: "struct", name: "a", size: 16, members: [m("a", 1, 0), m("b", 2, 32)] },
      // struct h { char c; struct a rec; int tail; } → rec at 16, size 48
      { id: 4, kind: "struct", name: "h", size: 48, members: [m("c", 2, 0), m("rec", 3, 128), m("tail", 1, 256)] },
      // struct n { int x; int y; } → natural, no inference
      { id: 5, kind: "struct", name: "n", size: 8, members: [m("x", 1, 0), m("", 1, 32, 3), m("y", 1, 32)] },
    ]);
    expect([alignOf(b, 3), alignOf(b, 4), alignOf(b, 5)]).toEqual([16, 16, 4]);
    expect(flatMembers(b, 5).map((x) => x.name)).toEqual(["x", "y"]);
  });
});
