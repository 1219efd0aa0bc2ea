import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { encodeBtf } from "../../src/btf/encode.js";
import { parseBtf } from "../../src/btf/parse.js";
import type { BtfComposite, BtfDatasec, BtfEnum, BtfEnum64, BtfFuncProto, BtfType } from "../../src/btf/types.js";
import { isBtfError } from "../../src/errors/index.js";

// parseBtf decodes members, params, enum values and datasec vars on first read
// (lazy-lists.ts). These tests pin that the lists still behave like plain data everywhere
// a consumer or a test can look: keys, spreads, JSON, deep equality.

/** MODEL has one type of every list-carrying kind, plus a bitfield struct (kind_flag). */
const MODEL: BtfType[] = [
  { kind: "int", id: 1, name: "int", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false },
  {
    kind: "struct", id: 2, name: "pair", size: 8,
    members: [
      { name: "a", type: 1, bitOffset: 0, bitfieldSize: 0 },
      { name: "b", type: 1, bitOffset: 32, bitfieldSize: 0 },
    ],
  },
  {
    kind: "struct", id: 3, name: "bits", size: 4,
    members: [
      { name: "lo", type: 1, bitOffset: 0, bitfieldSize: 3 },
      { name: "hi", type: 1, bitOffset: 3, bitfieldSize: 29 },
    ],
  },
  { kind: "union", id: 4, name: "u", size: 4, members: [{ name: "i", type: 1, bitOffset: 0, bitfieldSize: 0 }] },
  { kind: "enum", id: 5, name: "e", size: 4, signed: true, values: [{ name: "NEG", value: -1 }, { name: "POS", value: 7 }] },
  { kind: "enum64", id: 6, name: "e64", size: 8, signed: false, values: [{ name: "BIG", value: 0x1_0000_0001n }] },
  { kind: "func_proto", id: 7, name: "", returnType: 1, params: [{ name: "x", type: 1 }, { name: "", type: 0 }] },
  { kind: "var", id: 8, name: "v", type: 1, linkage: "global" },
  { kind: "datasec", id: 9, name: ".data", size: 4, vars: [{ type: 8, offset: 0, size: 4 }] },
];

const LISTS = { struct: "members", union: "members", enum: "values", enum64: "values", func_proto: "params", datasec: "vars" } as const;

const roundTrip = (byteOrder: "little" | "big" = "little") => parseBtf(encodeBtf(new Btf(MODEL, { byteOrder })), { input: "m" }).types;

/** mutateFirst returns a deep copy of `types` whose first record of `kind`'s list has `field` changed. */
function mutateFirst(types: readonly BtfType[], kind: keyof typeof LISTS, field: string): BtfType[] {
  let done = false;
  return types.map((t) => {
    if (done || t.kind !== kind) return { ...t };
    done = true;
    const key = LISTS[kind];
    const list = (t as unknown as Record<string, readonly Record<string, unknown>[]>)[key]!;
    const first = list[0]!;
    const changed = typeof first[field] === "bigint" ? (first[field] as bigint) + 1n : typeof first[field] === "number" ? (first[field] as number) + 1 : `${String(first[field])}x`;
    return { ...t, [key]: [{ ...first, [field]: changed }, ...list.slice(1)] } as BtfType;
  });
}

describe("lazy lists look like plain data", () => {
  it("round-trip equals the model in both byte orders", () => {
    expect(roundTrip("little")).toEqual(MODEL);
    expect(roundTrip("big")).toEqual(MODEL);
  });

  it("toEqual sees a changed member, param, enum value or datasec var (so round-trip tests really compare lists)", () => {
    const parsed = roundTrip();
    const cases: [keyof typeof LISTS, string][] = [
      ["struct", "name"], ["struct", "type"], ["struct", "bitOffset"], ["struct", "bitfieldSize"],
      ["union", "name"], ["enum", "value"], ["enum", "name"], ["enum64", "value"],
      ["func_proto", "type"], ["func_proto", "name"], ["datasec", "offset"], ["datasec", "size"],
    ];
    for (const [kind, field] of cases) {
      const mutated = mutateFirst(MODEL, kind, field);
      expect(() => expect(parsed).toEqual(mutated), `${kind}.${field}`).toThrow();
      // and the other way round: lazy on the expected side too
      expect(() => expect(mutated).toEqual(parsed), `${kind}.${field} (swapped)`).toThrow();
    }
    // a dropped list entry is seen as well
    const shorter = MODEL.map((t) => (t.kind === "struct" ? { ...t, members: t.members.slice(1) } : t));
    expect(() => expect(parsed).toEqual(shorter)).toThrow();
  });

  it("lists are own enumerable properties in the model's key order, for spreads, keys and JSON", () => {
    const parsed = roundTrip();
    for (const t of parsed) {
      const plain = MODEL[t.id - 1]!;
      expect(Object.keys(t), t.kind).toEqual(Object.keys(plain));
      const spread = { ...t } as Record<string, unknown>;
      const key = LISTS[t.kind as keyof typeof LISTS];
      if (key !== undefined) {
        expect(Object.getOwnPropertyDescriptor(spread, key)?.value, `${t.kind} spread`).toEqual((plain as unknown as Record<string, unknown>)[key]);
        expect(Array.isArray(spread[key])).toBe(true);
      }
    }
    const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    expect(json(parsed)).toBe(json(MODEL));
  });

  it("a list is decoded once: repeated reads return the same array", () => {
    const parsed = roundTrip();
    const s = parsed[1] as BtfComposite;
    expect(s.members).toBe(s.members);
    const f = parsed[6] as BtfFuncProto;
    expect(f.params).toBe(f.params);
    expect((parsed[4] as BtfEnum).values).toBe((parsed[4] as BtfEnum).values);
    expect((parsed[5] as BtfEnum64).values).toBe((parsed[5] as BtfEnum64).values);
    expect((parsed[8] as BtfDatasec).vars).toBe((parsed[8] as BtfDatasec).vars);
  });

  it("lists read after later parses of other input still decode their own bytes", () => {
    const first = roundTrip();
    // a second, different parse in between must not disturb the first one's lists
    const other = MODEL.map((t) => (t.kind === "struct" && t.id === 2 ? { ...t, members: t.members.map((m) => ({ ...m, name: `${m.name}_other` })) } : t));
    parseBtf(encodeBtf(new Btf(other)));
    expect((first[1] as BtfComposite).members.map((m) => m.name)).toEqual(["a", "b"]);
  });

  it("lists decode the bytes as parsed, even when the caller's buffer changes afterwards", () => {
    const bytes = encodeBtf(new Btf(MODEL));
    const parsed = parseBtf(bytes).types;
    bytes.fill(0xff);
    expect(parsed).toEqual(MODEL);
  });

  it("a bad member, param or enum value name still fails at parse time with type id and offset", () => {
    const bytes = encodeBtf(new Btf(MODEL));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hdrLen = dv.getUint32(4, true);
    const typeStart = hdrLen + dv.getUint32(8, true);
    // type 1 (int) is 16 bytes; type 2's first btf_member starts 12 bytes after its record
    const member = typeStart + 16 + 12;
    dv.setUint32(member, 0x7fffffff, true);
    try {
      parseBtf(bytes, { input: "bad-member" });
      expect.unreachable("parse accepted an out-of-range member name");
    } catch (e) {
      expect(isBtfError(e)).toBe(true);
      expect((e as Error).message).toMatch(/string offset 2147483647/);
      expect(e).toMatchObject({ place: { input: "bad-member", typeId: 2, offset: member } });
    }
  });
});

describe.skipIf(!existsSync("/sys/kernel/btf/vmlinux"))("lazy lists on vmlinux", () => {
  it("every list-carrying type exposes its list as an own enumerable property with the vlen from the bytes", () => {
    const f = readFileSync("/sys/kernel/btf/vmlinux");
    const btf = parseBtf(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
    let lists = 0;
    let records = 0;
    for (const t of btf.types) {
      const key = LISTS[t.kind as keyof typeof LISTS];
      if (key === undefined) continue;
      const d = Object.getOwnPropertyDescriptor(t, key);
      if (d?.enumerable !== true) throw new Error(`${t.kind} ${t.id}: ${key} is not an own enumerable property`);
      records += ((t as unknown as Record<string, unknown[]>)[key] ?? []).length;
      lists++;
    }
    expect(lists).toBeGreaterThan(1000);
    expect(records).toBeGreaterThan(lists);
  });
});
