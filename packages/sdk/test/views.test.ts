import fc from "fast-check";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ArrayView, CharArrayView, StructView, arrayElement, check, dataViewOf, elements, readBigBits, readBits, writeBigBits, writeBits,
  type JsonObject,
} from "../src/views/index.js";

// Reference: bit i of a bitfield is bit (shift + i) of the little-endian byte string.
function refRead(bytes: Uint8Array, bitOffset: number, width: number, signed: boolean): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) {
    const b = bitOffset + i;
    v = (v << 1n) | BigInt((bytes[b >> 3]! >> (b & 7)) & 1);
  }
  return signed ? BigInt.asIntN(width, v) : v;
}

describe("bitfields", () => {
  it("read and write like a bit-by-bit reference, any width up to 64", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), fc.bigInt(), (init, bitOffset, width, signed, raw) => {
        const bytes = init.slice();
        const dv = dataViewOf(bytes);
        const [off, shift] = [bitOffset >> 3, bitOffset & 7];
        const want = refRead(bytes, bitOffset, width, signed);
        expect(readBigBits(dv, off, shift, width, signed, true)).toBe(want);
        if (width <= 32) expect(readBits(dv, off, shift, width, signed, true)).toBe(Number(want));
        const value = signed ? BigInt.asIntN(width, raw) : BigInt.asUintN(width, raw);
        const before = bytes.slice();
        if (width <= 32) writeBits(dv, off, shift, width, Number(value), true);
        else writeBigBits(dv, off, shift, width, value, true);
        expect(refRead(bytes, bitOffset, width, signed)).toBe(value);
        // Bits outside the field are untouched.
        for (let b = 0; b < 96; b++) {
          if (b >= bitOffset && b < bitOffset + width) continue;
          expect((bytes[b >> 3]! >> (b & 7)) & 1).toBe((before[b >> 3]! >> (b & 7)) & 1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("number and bigint paths agree on big-endian data", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 32 }), fc.boolean(), (bytes, shift, width, signed) => {
        const dv = dataViewOf(bytes);
        expect(BigInt(readBits(dv, 1, shift, width, signed, false))).toBe(readBigBits(dv, 1, shift, width, signed, false));
      }),
    );
    // big-endian: bit 0 is the MSB of the first byte
    const dv = dataViewOf(new Uint8Array([0b1010_0000]));
    expect(readBits(dv, 0, 0, 3, false, false)).toBe(0b101);
  });
});

describe("range checks", () => {
  it("throw RangeError naming the field", () => {
    expect(() => check.uint8(256, "s.f")).toThrow(/s\.f: 256 does not fit/);
    expect(() => check.int32(2 ** 31, "s.f")).toThrow(RangeError);
    expect(() => check.uint32(-1, "s.f")).toThrow(RangeError);
    expect(() => check.int16(1.5, "s.f")).toThrow(RangeError);
    expect(() => check.uint64(-1n, "s.f")).toThrow(/s\.f: -1n/);
    expect(() => check.intN(8, 3, false, "s.b")).toThrow(/3-bit unsigned/);
    expect(check.intN(-4, 3, true, "s.b")).toBe(-4);
    expect(() => check.intN(4, 3, true, "s.b")).toThrow(RangeError);
    expect(check.uint32(0xffffffff, "x")).toBe(0xffffffff);
  });
});

class Pair extends StructView {
  static readonly size = 8;
  static readonly align = 4;
  static readonly fields = [];
  get a(): number {
    return this.$view.getInt32(this.$offset, true);
  }
  set a(v: number) {
    this.$view.setInt32(this.$offset, check.int32(v, "pair.a"), true);
  }
  toJSON(): JsonObject {
    return { a: this.a };
  }
}

describe("views", () => {
  it("wrap a window of a typed array and bounds-check", () => {
    const bytes = new Uint8Array(16);
    const p = new Pair(dataViewOf(bytes.subarray(4)), 4);
    p.a = -2;
    expect(new DataView(bytes.buffer).getInt32(8, true)).toBe(-2);
    expect(() => new Pair(dataViewOf(bytes), 9)).toThrow(RangeError);
    expect(String(p)).toBe('Pair {"a":-2}');
    expect(inspect(p)).toBe("Pair { a: -2 }");
  });

  it("$moveTo re-points a view within its DataView and bounds-checks like wrap", () => {
    const bytes = new Uint8Array(16);
    const dv = dataViewOf(bytes.subarray(4)); // a window: 12 bytes at buffer offset 4
    const p = new Pair(dv, 0);
    expect(p.$moveTo(4)).toBe(p);
    p.a = 5;
    expect(new DataView(bytes.buffer).getInt32(8, true)).toBe(5);
    for (const bad of [5, -1, 1.5, Number.NaN, 2 ** 53]) expect(() => p.$moveTo(bad), String(bad)).toThrow(/Pair: 8 bytes at offset/);
    expect(p.$offset).toBe(4); // a refused move leaves the view where it was
  });

  it("bounds come from each DataView's own length, however views on several DataViews interleave", () => {
    // The constructor remembers the last DataView's length (a getter call saved per view):
    // a short DataView made between two long ones must still refuse what it cannot hold.
    const long = dataViewOf(new ArrayBuffer(64));
    const window = new DataView(new ArrayBuffer(64), 0, 8);
    for (let i = 0; i < 3; i++) {
      expect(new Pair(long, 56).$offset).toBe(56);
      expect(() => new Pair(window, 4)).toThrow(/Pair: 8 bytes at offset 4 do not fit a 8-byte buffer/);
      expect(new Pair(window, 0).$limit).toBe(0);
      expect(new Pair(long, 0).$limit).toBe(56);
    }
  });

  it("a DataView on a resizable buffer is bounds-checked at its length now, not when first seen", () => {
    // Resizable buffers are in Node 20 but not in the ES2022 lib this project compiles against.
    type Resizable = ArrayBuffer & { resize(n: number): void };
    const rab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable)(8, { maxByteLength: 64 });
    const dv = new DataView(rab); // length-tracking: grows with the buffer
    expect(() => new Pair(dv, 8)).toThrow(RangeError);
    rab.resize(16);
    const p = new Pair(dv, 8);
    p.a = 7;
    expect(new DataView(rab).getInt32(8, true)).toBe(7);
    rab.resize(8);
    expect(() => new Pair(dv, 8)).toThrow(RangeError);
  });

  it("arrays: get/set/iterate, multi-dimensional, bounds", () => {
    const dv = dataViewOf(new ArrayBuffer(12));
    const el = elements(true);
    const grid = new ArrayView(dv, 0, 2, arrayElement(el.u16, 3), "s.grid");
    grid.get(1).set(2, 0xbeef);
    expect(dv.getUint16(10, true)).toBe(0xbeef);
    grid.set(0, [1, 2, 3]);
    expect([...grid].map((r) => r.toArray())).toEqual([[1, 2, 3], [0, 0, 0xbeef]]);
    expect(() => grid.get(2)).toThrow(/s\.grid: index 2 out of range/);
    expect(() => grid.get(0).set(0, 70000)).toThrow(/s\.grid\[0\]\[0\]: 70000/);
    expect(() => grid.set(1, [1])).toThrow(RangeError);
    expect(grid.toJSON()).toEqual([[1, 2, 3], [0, 0, 0xbeef]]);
  });

  it("char arrays: strings are UTF-8, NUL-terminated, zero-filled", () => {
    const buf = new SharedArrayBuffer(8);
    const s = new CharArrayView(dataViewOf(buf), 0, 8, elements(true).i8, "t.comm");
    new Uint8Array(buf).fill(0x41);
    expect(s.getString()).toBe("AAAAAAAA");
    s.setString("hé");
    expect([...new Uint8Array(buf)]).toEqual([0x68, 0xc3, 0xa9, 0, 0, 0, 0, 0]);
    expect(s.getString()).toBe("hé");
    s.setString("1234567");
    expect(() => s.setString("12345678")).toThrow(/does not fit char\[8\]/);
    expect(s.getString()).toBe("1234567");
    expect(() => s.setString("a\0b")).toThrow(RangeError);
    expect(JSON.stringify({ s })).toBe('{"s":"1234567"}');
  });
});
