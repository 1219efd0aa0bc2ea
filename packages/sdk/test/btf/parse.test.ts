import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBtf } from "../../src/btf/parse.js";
import type { BtfComposite, BtfEnum, BtfEnum64, BtfType } from "../../src/btf/types.js";
import { isBtfError } from "../../src/errors/index.js";
import { clang19Missing, requirement } from "../../../../test/support/env.js";
import { differences } from "./bpftool-compare.js";
import { ALL_KINDS } from "./sources.js";
import { bpftoolJson, bpftoolMissing, compileBpf, vmlinuxMissing, type Compiled } from "./support.js";

const KINDS = [
  "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef", "volatile", "const", "restrict",
  "func", "func_proto", "var", "datasec", "float", "decl_tag", "type_tag", "enum64",
] as const;

describe.skipIf(requirement(clang19Missing()))("parseBtf on clang-19 output", () => {
  let le: Compiled;
  let be: Compiled;
  beforeAll(() => {
    le = compileBpf(ALL_KINDS, "bpfel");
    be = compileBpf(ALL_KINDS, "bpfeb");
  });
  afterAll(() => {
    le?.dispose();
    be?.dispose();
  });

  const find = (types: readonly BtfType[], kind: string, name: string) => types.find((t) => t.kind === kind && t.name === name);

  it("decodes every kind", () => {
    const btf = parseBtf(le.btf, { input: "t.o" });
    expect(btf.byteOrder).toBe("little");
    expect(btf.input).toBe("t.o");
    expect(new Set(btf.types.map((t) => t.kind))).toEqual(new Set(KINDS));
  });

  it("reads kind_flag bitfields, enum signedness and fwd unions", () => {
    const btf = parseBtf(le.btf);
    const bits = find(btf.types, "struct", "bits") as BtfComposite;
    expect(bits.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize])).toEqual([
      ["a", 0, 3],
      ["b", 3, 29],
      ["c", 64, 40],
      ["d", 104, 0],
      ["e", 112, 2],
    ]);
    expect((find(btf.types, "enum", "e32") as BtfEnum).signed).toBe(true);
    expect((find(btf.types, "enum", "e32") as BtfEnum).values).toEqual([{ name: "A", value: -1 }, { name: "B", value: 5 }]);
    expect((find(btf.types, "enum", "eu") as BtfEnum).values[0]).toEqual({ name: "U1", value: 0xffffffff });
    expect((find(btf.types, "enum64", "e64") as BtfEnum64).values[0]!.value).toBe(0x1ffffffffn);
    expect((find(btf.types, "enum64", "e64s") as BtfEnum64).values[0]!.value).toBe(-0x1ffffffffn);
    expect(find(btf.types, "fwd", "fwd_u")).toMatchObject({ union: true });
    expect(find(btf.types, "fwd", "fwd_only")).toMatchObject({ union: false });
    expect(find(btf.types, "func", "helper")).toMatchObject({ linkage: "static" });
    expect(find(btf.types, "func", "bpf_kfunc_thing")).toMatchObject({ linkage: "extern" });
    expect(find(btf.types, "var", "LINUX_KERNEL_VERSION")).toMatchObject({ linkage: "extern" });
    expect(find(btf.types, "decl_tag", "m")).toMatchObject({ componentIdx: 0, attribute: false });
    expect(find(btf.types, "int", "_Bool")).toMatchObject({ bool: true, size: 1 });
    expect(find(btf.types, "int", "__int128")).toMatchObject({ size: 16, bits: 128, signed: true });
  });

  it.skipIf(requirement(bpftoolMissing()))("agrees with bpftool on every type", () => {
    const btf = parseBtf(le.btf);
    expect(differences(btf, bpftoolJson(le.path))).toEqual([]);
  });

  it("parses big-endian BTF (clang -target bpfeb) to the same types", () => {
    const little = parseBtf(le.btf);
    const big = parseBtf(be.btf);
    expect(big.byteOrder).toBe("big");
    expect(big.types).toEqual(little.types);
  });
});

describe.skipIf(requirement(vmlinuxMissing()))("parseBtf on /sys/kernel/btf/vmlinux", () => {
  const file = readFileSync("/sys/kernel/btf/vmlinux");
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);

  it("parses every type", () => {
    const btf = parseBtf(bytes, { input: "vmlinux" });
    expect(btf.types.length).toBeGreaterThan(10_000);
    const task = btf.find("task_struct", "struct") as BtfComposite;
    expect(task.members.some((m) => m.name === "pid")).toBe(true);
    expect(btf.find("list_head", "struct")).toBeDefined();
  });

  it.skipIf(requirement(bpftoolMissing()))("agrees with bpftool on all types (kind, name, size, members, values)", () => {
    const btf = parseBtf(bytes, { input: "vmlinux" });
    expect(differences(btf, bpftoolJson("/sys/kernel/btf/vmlinux"))).toEqual([]);
  });
});

describe("parseBtf errors", () => {
  const expectBtfError = (bytes: Uint8Array, match: RegExp, place: { typeId?: number; offset?: number } = {}) => {
    let caught: unknown;
    try {
      parseBtf(bytes, { input: "bad.btf" });
    } catch (e) {
      caught = e;
    }
    expect(isBtfError(caught), String(caught)).toBe(true);
    const err = caught as Error & { input?: string; typeId?: number; offset?: number; section?: string };
    expect(err.message).toMatch(match);
    expect(err.input).toBe("bad.btf");
    expect(err.section).toBe(".BTF");
    if (place.typeId !== undefined) expect(err.typeId).toBe(place.typeId);
    if (place.offset !== undefined) expect(err.offset).toBe(place.offset);
  };

  /** raw builds little-endian BTF from u32 type words and a string section. */
  const raw = (words: number[], strings = "\0int\0") => {
    const str = new TextEncoder().encode(strings);
    const out = new Uint8Array(24 + words.length * 4 + str.length);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true);
    out[2] = 1;
    dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, words.length * 4, true);
    dv.setUint32(16, words.length * 4, true);
    dv.setUint32(20, str.length, true);
    words.forEach((w, i) => dv.setUint32(24 + i * 4, w >>> 0, true));
    out.set(str, 24 + words.length * 4);
    return out;
  };
  const INT = [1, 0x01000000, 4, 0x01000020]; // int: signed, 32 bits
  const info = (kind: number, vlen = 0, kflag = false) => ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;

  it("accepts the minimal valid input", () => {
    expect(parseBtf(raw(INT)).types).toEqual([
      { kind: "int", id: 1, name: "int", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false },
    ]);
  });
  it("rejects a truncated header", () => expectBtfError(raw(INT).subarray(0, 10), /truncated header/, { offset: 0 }));
  it("rejects bad magic", () => expectBtfError(new Uint8Array(24), /bad magic/, { offset: 0 }));
  it("rejects a short hdr_len", () => {
    const b = raw(INT);
    b[4] = 8;
    expectBtfError(b, /hdr_len/, { offset: 4 });
  });
  it("rejects sections past the end", () => expectBtfError(raw(INT).subarray(0, 40), /past the end/));
  it("rejects a truncated type", () => {
    const b = raw(INT);
    new DataView(b.buffer).setUint32(12, 12, true); // type_len cuts the int encoding off
    new DataView(b.buffer).setUint32(16, 16, true);
    expectBtfError(b, /truncated int encoding/, { typeId: 1, offset: 36 });
  });
  it("rejects string offsets out of range", () =>
    expectBtfError(raw([99, ...INT.slice(1)]), /string offset 99/, { typeId: 1, offset: 24 }));
  it("rejects an unterminated string section", () => expectBtfError(raw(INT, "\0int"), /not NUL-terminated/));
  it("rejects type ids out of range", () =>
    expectBtfError(raw([...INT, 0, info(2), 7]), /type id 7/, { typeId: 2, offset: 40 }));
  it("rejects unknown kinds", () => expectBtfError(raw([...INT, 0, info(25), 0]), /unknown kind 25/, { typeId: 2 }));
  it("rejects a vlen larger than the remaining bytes", () =>
    expectBtfError(raw([...INT, 0, info(4, 500), 4]), /truncated members/, { typeId: 2, offset: 52 }));
  it("rejects typedef loops", () =>
    expectBtfError(raw([...INT, 0, info(8), 3, 0, info(10), 2]), /loop/, { typeId: 2 }));
  it("rejects pointer loops", () => expectBtfError(raw([...INT, 0, info(2), 3, 0, info(9), 2]), /loop/));
  it("rejects a struct that contains itself by value", () =>
    expectBtfError(raw([...INT, 1, info(4, 1), 4, 1, 2, 0]), /contains itself/, { typeId: 2 }));
  it("accepts a struct that points at itself", () => {
    const btf = parseBtf(raw([...INT, 1, info(4, 1), 8, 1, 3, 0, 0, info(2), 2]));
    expect(btf.types[1]).toMatchObject({ kind: "struct", members: [{ type: 3 }] });
  });
  it("rejects array sizes that overflow", () =>
    expectBtfError(raw([...INT, 0, info(3), 0, 1, 1, 0x7fffffff]), /overflows/, { typeId: 2 }));
  it("rejects members past the end of the struct", () =>
    expectBtfError(raw([...INT, 1, info(4, 1), 2, 1, 1, 0]), /ends past/, { typeId: 2 }));
  it("rejects kind_flag where it means nothing", () =>
    expectBtfError(raw([...INT, 0, info(2, 0, true), 1]), /kind_flag/, { typeId: 2, offset: 44 }));
});

describe("the bpftool comparison itself", () => {
  it("notices a changed member offset", () => {
    const dump = [{ id: 1, kind: "STRUCT", name: "s", size: 4, vlen: 1, members: [{ name: "a", type_id: 1, bits_offset: 8 }] }];
    const btf = { types: [{ kind: "struct", id: 1, name: "s", size: 4, members: [{ name: "a", type: 1, bitOffset: 0, bitfieldSize: 0 }] }] };
    expect(differences(btf as never, dump)).toHaveLength(1);
  });
});
