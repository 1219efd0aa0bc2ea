import fc from "fast-check";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { encodeBtf } from "../../src/btf/encode.js";
import { parseBtf } from "../../src/btf/parse.js";
import { isBtfError } from "../../src/errors/index.js";
import { clang19Missing, requirement } from "../../../../test/support/env.js";
import { typeGraph } from "./arbitrary.js";
import { ALL_KINDS } from "./sources.js";
import { compileBpf, vmlinuxMissing, type Compiled } from "./support.js";

describe("property: random well-formed type graphs round-trip", () => {
  it("parse(encode(types)) equals types, both byte orders", () => {
    fc.assert(
      fc.property(typeGraph, fc.constantFrom("little", "big") as fc.Arbitrary<"little" | "big">, (types, byteOrder) => {
        const btf = new Btf(types, { byteOrder });
        const back = parseBtf(encodeBtf(btf));
        expect(back.byteOrder).toBe(byteOrder);
        expect(back.types).toEqual(types);
      }),
      { numRuns: 300 },
    );
  });
});

/** mutation is one way of damaging BTF bytes. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant("word" as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x0d000005, 0x04000fff, 0x83000000),
  }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

type Mutation = { op: string; at: number; bit?: number; value?: number };

/** damage applies mutations at offsets inside `window`. */
function damage(bytes: Uint8Array, ms: readonly Mutation[], window: [number, number]): Uint8Array {
  let out = bytes.slice();
  const [lo, hi] = window;
  for (const m of ms) {
    const at = lo + (m.at % Math.max(1, Math.min(hi, out.length) - lo));
    if (m.op === "truncate") out = out.slice(0, at);
    else if (m.op === "flip") out[at] = (out[at] ?? 0) ^ (1 << m.bit!);
    else if (m.op === "byte") out[at] = m.value!;
    else if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at & ~3, m.value! >>> 0, true);
  }
  return out;
}

/** onlyBtfErrors parses damaged bytes: success or a BtfError are both fine, anything else fails the property. */
function onlyBtfErrors(bytes: Uint8Array): void {
  try {
    parseBtf(bytes, { input: "fuzz" });
  } catch (e) {
    if (!isBtfError(e)) throw new Error(`non-BtfError escaped: ${String(e)}`, { cause: e });
    const place = e as { input?: string; section?: string };
    expect(place.input).toBe("fuzz");
  }
}

describe.skipIf(requirement(clang19Missing()))("property: damaged clang .BTF only ever throws BtfError", () => {
  let obj: Compiled;
  beforeAll(() => {
    obj = compileBpf(ALL_KINDS);
  });
  afterAll(() => obj?.dispose());

  it("byte flips, word overwrites and truncations anywhere", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => onlyBtfErrors(damage(obj.btf, ms, [0, obj.btf.length]))),
      { numRuns: 2000 },
    );
  });

  it("random bytes after a valid header", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        const b = obj.btf.slice(0, 24 + tail.length);
        b.set(tail, 24);
        onlyBtfErrors(b);
      }),
      { numRuns: 500 },
    );
  });
});

describe.skipIf(requirement(vmlinuxMissing()))("property: damaged vmlinux BTF only ever throws BtfError", () => {
  const file = readFileSync("/sys/kernel/btf/vmlinux");
  const whole = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  // A slice: the first 2000 types, re-encoded so the bytes are valid BTF before the damage.
  const full = parseBtf(whole);
  const slice = encodeBtf(new Btf(closedPrefix(full, 2000)));

  it("the slice is valid to start with", () => {
    expect(parseBtf(slice).types.length).toBeGreaterThan(100);
  });

  it("byte flips, word overwrites and truncations", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => onlyBtfErrors(damage(slice, ms, [0, slice.length]))),
      { numRuns: 300 },
    );
  });

  it("damage near the start of the whole file (header and first types)", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => onlyBtfErrors(damage(whole, ms, [0, 4096]))),
      { numRuns: 15 },
    );
  });
});

/** closedPrefix keeps the first `n` types, dropping any whose references reach past them (transitively). */
function closedPrefix(btf: Btf, n: number) {
  const types = btf.types.slice(0, n);
  const refs = (t: (typeof types)[number]): number[] => {
    switch (t.kind) {
      case "struct":
      case "union":
        return t.members.map((m) => m.type);
      case "func_proto":
        return [t.returnType, ...t.params.map((p) => p.type)];
      case "datasec":
        return t.vars.map((v) => v.type);
      case "array":
        return [t.type, t.indexType];
      case "int": case "enum": case "enum64": case "fwd": case "float":
        return [];
      default:
        return [t.type];
    }
  };
  // Find the longest prefix whose references all stay inside it.
  let limit = types.length;
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < limit; i++) {
      if (refs(types[i]!).some((r) => r > limit)) {
        limit = i;
        changed = true;
        break;
      }
    }
  }
  return types.slice(0, limit);
}
