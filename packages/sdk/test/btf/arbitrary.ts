import fc from "fast-check";
import type { BtfMember, BtfType } from "../../src/btf/types.js";

/** Seed is one generated type before it is made well-formed against the types before it. */
interface Seed {
  k: number;
  a: number;
  b: number;
  c: number;
  flag: boolean;
  name: string;
  big: bigint;
  list: { a: number; b: number; flag: boolean; name: string; big: bigint }[];
}

const name = fc.constantFrom("", "a", "int", "task_ctx", "x_1", "ünïcode", "long_name_that_repeats", "a");
const seed: fc.Arbitrary<Seed> = fc.record({
  k: fc.integer({ min: 0, max: 18 }),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  flag: fc.boolean(),
  name,
  big: fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
  list: fc.array(
    fc.record({ a: fc.nat(), b: fc.nat(), flag: fc.boolean(), name, big: fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }) }),
    { maxLength: 5 },
  ),
});

/** typeGraph generates well-formed BTF type lists: every reference is in range, sizes add up, no loops. */
export const typeGraph: fc.Arbitrary<BtfType[]> = fc.array(seed, { minLength: 1, maxLength: 40 }).map(build);

function build(seeds: Seed[]): BtfType[] {
  const types: BtfType[] = [];
  const sizes: number[] = [-1]; // by id; -1 unsized
  const pick = (n: number, ok: (t: BtfType) => boolean): number => {
    const cands = types.filter(ok);
    return cands.length === 0 ? 0 : cands[n % cands.length]!.id;
  };
  const sized = (t: BtfType) => sizes[t.id]! > 0 && sizes[t.id]! < 4096;
  const intish = (t: BtfType) => t.kind === "int" && t.bits === t.size * 8 && t.offset === 0 && t.size <= 8;
  for (const s of seeds) {
    const id = types.length + 1;
    let t: BtfType | undefined;
    let size = -1;
    const anyType = pick(s.a, () => true);
    switch (s.k) {
      case 0:
      default: {
        const sz = [1, 2, 4, 8, 16][s.a % 5]!;
        const bits = 1 + (s.b % (sz * 8));
        const offset = s.c % (sz * 8 - bits + 1);
        const enc = [0, 1, 2, 4][s.c % 4]!;
        t = { kind: "int", id, name: s.name, size: sz, bits, offset, signed: enc === 1, char: enc === 2, bool: enc === 4 };
        size = sz;
        break;
      }
      case 1:
        t = { kind: "ptr", id, name: "", type: anyType };
        size = 8;
        break;
      case 2: {
        const el = pick(s.a, sized);
        if (el === 0) break;
        const n = s.b % 5;
        t = { kind: "array", id, name: "", type: el, indexType: pick(s.c, (x) => x.kind === "int") || el, nelems: n };
        size = sizes[el]! * n;
        break;
      }
      case 3:
      case 4: {
        const union = s.k === 4;
        const members: BtfMember[] = [];
        let end = 0;
        for (const m of s.list) {
          const mt = pick(m.a, sized);
          if (mt === 0) continue;
          const ms = sizes[mt]!;
          const mtype = types[mt - 1]!;
          const bitfield = m.flag && intish(mtype) ? 1 + (m.b % (ms * 8)) : 0;
          const at = union ? 0 : bitfield ? end : Math.ceil(end / 8) * 8;
          members.push({ name: m.name, type: mt, bitOffset: at, bitfieldSize: bitfield });
          end = Math.max(end, at + (bitfield || ms * 8));
        }
        size = Math.ceil(end / 8) + (s.c % 3);
        t = { kind: union ? "union" : "struct", id, name: s.name, size, members };
        break;
      }
      case 5: {
        const signed = s.flag;
        const values = s.list.map((v) => ({ name: v.name, value: signed ? Number(BigInt.asIntN(32, v.big)) : Number(BigInt.asUintN(32, v.big)) }));
        size = [1, 2, 4, 8][s.a % 4]!;
        t = { kind: "enum", id, name: s.name, size, signed, values };
        break;
      }
      case 6: {
        const signed = s.flag;
        const values = s.list.map((v) => ({ name: v.name, value: signed ? BigInt.asIntN(64, v.big) : BigInt.asUintN(64, v.big) }));
        size = [1, 2, 4, 8][s.a % 4]!;
        t = { kind: "enum64", id, name: s.name, size, signed, values };
        break;
      }
      case 7:
        t = { kind: "fwd", id, name: s.name, union: s.flag };
        break;
      case 8:
      case 9:
      case 10:
      case 11: {
        const kind = (["typedef", "volatile", "const", "restrict"] as const)[s.k - 8]!;
        t = { kind, id, name: kind === "typedef" ? s.name : "", type: anyType };
        size = sizes[anyType]!;
        break;
      }
      case 12: {
        const proto = pick(s.a, (x) => x.kind === "func_proto");
        if (proto === 0) break;
        t = { kind: "func", id, name: s.name, type: proto, linkage: (["static", "global", "extern"] as const)[s.b % 3]! };
        break;
      }
      case 13: {
        const params = s.list.map((p) => ({ name: p.name, type: pick(p.a, () => true) })).filter((p) => p.type !== 0);
        if (s.flag) params.push({ name: "", type: 0 });
        t = { kind: "func_proto", id, name: "", returnType: anyType, params };
        break;
      }
      case 14: {
        const vt = pick(s.a, sized);
        if (vt === 0) break;
        t = { kind: "var", id, name: s.name, type: vt, linkage: (["static", "global", "extern"] as const)[s.b % 3]! };
        size = sizes[vt]!;
        break;
      }
      case 15: {
        const vars = s.list.map((v) => ({ type: pick(v.a, (x) => x.kind === "var"), offset: v.b % 1000, size: v.b % 64 })).filter((v) => v.type !== 0);
        t = { kind: "datasec", id, name: s.name, size: s.c % 5000, vars };
        size = t.size;
        break;
      }
      case 16:
        size = [2, 4, 8, 12, 16][s.a % 5]!;
        t = { kind: "float", id, name: s.name, size };
        break;
      case 17: {
        const target = pick(s.a, (x) => x.kind !== "decl_tag");
        if (target === 0) break;
        const tt = types[target - 1]!;
        const n = tt.kind === "struct" || tt.kind === "union" ? tt.members.length : 0;
        t = { kind: "decl_tag", id, name: s.name || "tag", type: target, componentIdx: n > 0 && s.flag ? s.b % n : -1, attribute: s.c % 2 === 0 };
        break;
      }
      case 18: {
        const tag = { kind: "type_tag" as const, id, name: s.name || "user", type: anyType };
        t = s.flag ? ({ ...tag, attribute: true } as BtfType) : tag;
        size = sizes[anyType]!;
        break;
      }
    }
    if (t === undefined) {
      t = { kind: "fwd", id, name: s.name, union: s.flag };
      size = -1;
    }
    types.push(t);
    sizes.push(size);
  }
  return types;
}
