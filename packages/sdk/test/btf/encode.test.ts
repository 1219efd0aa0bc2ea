import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBtf } from "../../src/btf/encode.js";
import { parseBtf } from "../../src/btf/parse.js";
import { Btf } from "../../src/btf/btf.js";
import { clang19Missing, requirement } from "../../../../test/support/env.js";
import { ALL_KINDS } from "./sources.js";
import { compileBpf, vmlinuxMissing, type Compiled } from "./support.js";

describe.skipIf(requirement(clang19Missing()))("encodeBtf on clang output", () => {
  let obj: Compiled;
  beforeAll(() => {
    obj = compileBpf(ALL_KINDS);
  });
  afterAll(() => obj?.dispose());

  it("round-trips: parse(encode(parse(x))) equals parse(x), in both byte orders", () => {
    const first = parseBtf(obj.btf, { input: "t.o" });
    for (const byteOrder of ["little", "big"] as const) {
      const again = parseBtf(encodeBtf(first, { byteOrder }), { input: "t.o" });
      expect(again.byteOrder).toBe(byteOrder);
      expect(again.types).toEqual(first.types);
    }
  });

  it("writes no larger than clang (strings written once)", () => {
    const bytes = encodeBtf(parseBtf(obj.btf));
    expect(bytes.length).toBeLessThanOrEqual(obj.btf.length);
  });
});

describe("encodeBtf", () => {
  it("refuses names with NUL and out-of-range enum values", () => {
    const nul = new Btf([{ kind: "int", id: 1, name: "a\0b", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }]);
    expect(() => encodeBtf(nul)).toThrow(expect.objectContaining({ name: "BtfError", typeId: 1 }));
    const wide = new Btf([{ kind: "enum", id: 1, name: "e", size: 4, signed: false, values: [{ name: "A", value: 2 ** 33 }] }]);
    expect(() => encodeBtf(wide)).toThrow(/does not fit 32 bits/);
  });

  it("keeps type_tag and decl_tag attributes (kind_flag)", () => {
    const btf = new Btf([
      { kind: "int", id: 1, name: "int", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false },
      { kind: "type_tag", id: 2, name: "user", type: 1, attribute: true } as never,
      { kind: "decl_tag", id: 3, name: "x", type: 1, componentIdx: -1, attribute: true },
    ]);
    // decl_tag on an int is odd but legal for our validation; the point is the flag survives.
    expect(parseBtf(encodeBtf(btf)).types).toEqual(btf.types);
  });
});

describe.skipIf(requirement(vmlinuxMissing()))("encodeBtf on vmlinux", () => {
  it("round-trips every vmlinux type", () => {
    const file = readFileSync("/sys/kernel/btf/vmlinux");
    const first = parseBtf(new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
    const again = parseBtf(encodeBtf(first));
    expect(again.types.length).toBe(first.types.length);
    expect(again.types).toEqual(first.types);
  });
});
