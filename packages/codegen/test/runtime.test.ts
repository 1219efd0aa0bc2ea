import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { Bitfields } from "./golden/bitfields.js";
import { BigFlags, Color, Flex, Holder, Inner, Layouts, PackedAligned, Value } from "./golden/layouts.js";
import { TaskCtx } from "./golden/task_ctx.js";

// The contract seen from a user of generated code, on the committed goldens.

describe("generated accessors at run time", () => {
  it("wrap is a live view over any buffer kind, bounds-checked", () => {
    const bytes = new Uint8Array(64);
    const a = TaskCtx.wrap(bytes, 16);
    const b = TaskCtx.wrap(new DataView(bytes.buffer, 16));
    a.force_local = true;
    expect(b.force_local).toBe(true);
    expect(bytes[16]).toBe(1);
    expect(TaskCtx.wrap(new SharedArrayBuffer(16)).force_local).toBe(false);
    expect(() => TaskCtx.wrap(bytes, 56)).toThrow(RangeError);
    expect(() => TaskCtx.wrap(bytes, -1)).toThrow(RangeError);
  });

  it("out-of-range writes throw RangeError naming the field and change nothing", () => {
    const v = Layouts.wrap(new ArrayBuffer(Layouts.size));
    expect(() => (v.sc = 128)).toThrow(/^layouts\.sc: 128 does not fit/);
    expect(() => (v.u64 = -1n)).toThrow(/layouts\.u64/);
    expect(() => (v.u64 = 1 as unknown as bigint)).toThrow(TypeError);
    expect(() => v.grid.get(0).set(1, 40000)).toThrow(/layouts\.grid\[0\]\[1\]/);
    expect(() => v.grid.get(2)).toThrow(RangeError);
    expect(() => (v.comm = "x".repeat(16))).toThrow(/layouts\.comm: string of 16 bytes does not fit char\[16\]/);
    const f = Bitfields.wrap(new ArrayBuffer(Bitfields.size));
    expect(() => (f.b = 16)).toThrow(/bitfields\.b: 16 does not fit in a 5-bit signed field/);
    expect(() => (f.wide = 1n << 40n)).toThrow(/bitfields\.wide/);
    f.b = -16;
    expect(f.b).toBe(-16);
    expect(new Uint8Array(v.$bytes()).every((x) => x === 0)).toBe(true);
  });

  it("nested views share bytes; struct setters copy from a view of the same type", () => {
    const v = Layouts.wrap(new ArrayBuffer(Layouts.size));
    const inner = Inner.wrap(new ArrayBuffer(Inner.size));
    inner.x = -7;
    inner.y = 9;
    v.val.in = inner;
    expect(v.val.in.x).toBe(-7);
    expect(v.val.u & 0xffffffffn).toBe(0xfffffff9n);
    v.pair.set(1, inner);
    expect(v.pair.get(1).toJSON()).toEqual({ x: -7, y: 9 });
    expect(() => (v.val = inner as unknown as Value)).toThrow(TypeError);
    expect(v.nested).toBe(v.nested);
  });

  it("anonymous members are reachable on the parent; unions overlap", () => {
    const v = Layouts.wrap(new ArrayBuffer(Layouts.size));
    v.as_f32 = 1;
    expect(v.as_u32).toBe(0x3f800000);
    v.nested.p = 0x1234n;
    expect(v.nested.l).toBe(0x1234n);
    expect(Layouts.fields.filter((f) => f.name === "as_u32" || f.name === "as_f32").map((f) => f.bitOffset)).toEqual([832, 832]);
  });

  it("enums are constant objects; 8-byte enums read as number or bigint like their constants", () => {
    const v = Layouts.wrap(new ArrayBuffer(Layouts.size));
    v.color = Color.COLOR_RED;
    expect(v.color).toBe(-2);
    v.flags = BigFlags.BIG_TOP;
    expect(v.flags).toBe(BigFlags.BIG_TOP);
    expect(BigFlags.BIG_TOP).toBe(0xfffffffffffffff0n);
    v.flags = BigFlags.BIG_HIGH;
    expect(v.flags).toBe(0x100000000);
    expect(() => (v.flags = -1)).toThrow(RangeError);
  });

  it("strings, arrays and flexible arrays", () => {
    const v = Layouts.wrap(new ArrayBuffer(Layouts.size));
    v.comm = "héllo";
    expect(v.comm.getString()).toBe("héllo");
    v.names = ["ab", "cdef"];
    expect([...v.names].map((n) => n.getString())).toEqual(["ab", "cdef"]);
    v.cube.get(1).get(1).set(1, 0xffffffff);
    expect(v.cube.toJSON()).toEqual([[[0, 0], [0, 0]], [[0, 0], [0, 0xffffffff]]]);
    const buf = new ArrayBuffer(Flex.size + 3 * 8);
    const f = Flex.wrap(buf);
    f.count = 3;
    f.items(3).set(2, 0xffffffffffffffffn);
    expect(f.items(f.count).toArray()).toEqual([0n, 0n, 0xffffffffffffffffn]);
    expect(() => f.items(4)).toThrow(RangeError);
  });

  it("toJSON spells 64-bit values as strings and pointers in hex; inspect and toString read well", () => {
    const t = TaskCtx.wrap(new ArrayBuffer(TaskCtx.size));
    t.force_local = true;
    t.cpumask = 0xffff888012345678n;
    expect(JSON.parse(JSON.stringify(t))).toEqual({ force_local: true, cpumask: "0xffff888012345678" });
    expect(String(t)).toBe('TaskCtx {"force_local":true,"cpumask":"0xffff888012345678"}');
    expect(inspect(t)).toBe("TaskCtx { force_local: true, cpumask: '0xffff888012345678' }");
    const v = Layouts.wrap(new ArrayBuffer(Layouts.size));
    v.s64 = -5n;
    const json = v.toJSON() as Record<string, unknown>;
    expect(json.s64).toBe("-5");
    expect(json.comm).toBe("");
    expect(json.flags).toBe(0);
  });

  it("static layout metadata", () => {
    expect([Holder.size, Holder.align, PackedAligned.size, PackedAligned.align]).toEqual([48, 16, 8, 4]);
    expect(Bitfields.fields.find((f) => f.name === "cross")).toEqual({ name: "cross", cType: "unsigned long long", bitOffset: 12, bitSize: 30, size: 8 });
  });
});
