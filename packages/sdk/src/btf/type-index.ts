import type { BtfType } from "./types.js";

/**
 * TypeIndex is the type graph as flat typed arrays, for validation: walking 126k objects
 * of 19 shapes is megamorphic and slow, typed arrays are not. Indexed by type id.
 * - `ref`: the one referenced type (ptr/qualifiers/typedef/type_tag/array element/var/
 *   func/decl_tag) or a func_proto's return type;
 * - `aux`: array index type, or decl_tag component_idx + 1;
 * - `size`: byte size of int/struct/union/enum/enum64/float/datasec, nelems of an array;
 * - sub-records (members, params, datasec vars) live at `subStart[id]`, `subCount[id]` of
 *   `subType` (their type), `subA` (bit offset / param name offset / var offset) and
 *   `subB` (bitfield size / var size).
 */
export interface TypeIndex {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly ref: Uint32Array;
  readonly aux: Uint32Array;
  readonly size: Uint32Array;
  readonly subStart: Uint32Array;
  readonly subCount: Uint32Array;
  readonly subType: Uint32Array;
  readonly subA: Uint32Array;
  readonly subB: Uint32Array;
}

/** newTypeIndex allocates room for `types` types and `subs` sub-records. */
export function newTypeIndex(types: number, subs: number): TypeIndex {
  return {
    count: 0,
    kind: new Uint8Array(types + 1),
    ref: new Uint32Array(types + 1),
    aux: new Uint32Array(types + 1),
    size: new Uint32Array(types + 1),
    subStart: new Uint32Array(types + 1),
    subCount: new Uint32Array(types + 1),
    subType: new Uint32Array(subs),
    subA: new Uint32Array(subs),
    subB: new Uint32Array(subs),
  };
}

const KIND_NUM: Record<BtfType["kind"], number> = {
  int: 1, ptr: 2, array: 3, struct: 4, union: 5, enum: 6, fwd: 7, typedef: 8, volatile: 9, const: 10,
  restrict: 11, func: 12, func_proto: 13, var: 14, datasec: 15, float: 16, decl_tag: 17, type_tag: 18, enum64: 19,
};

/** indexTypes builds a TypeIndex from model objects (for types that did not come from bytes, e.g. JSON). */
export function indexTypes(types: readonly BtfType[]): TypeIndex {
  let subs = 0;
  for (const t of types) {
    if (t.kind === "struct" || t.kind === "union") subs += t.members.length;
    else if (t.kind === "func_proto") subs += t.params.length;
    else if (t.kind === "datasec") subs += t.vars.length;
  }
  const ix = newTypeIndex(types.length, subs);
  let sub = 0;
  types.forEach((t, i) => {
    const id = i + 1;
    ix.kind[id] = KIND_NUM[t.kind];
    ix.subStart[id] = sub;
    switch (t.kind) {
      case "int":
      case "enum":
      case "enum64":
      case "float":
        ix.size[id] = t.size;
        break;
      case "array":
        ix.ref[id] = t.type;
        ix.aux[id] = t.indexType;
        ix.size[id] = t.nelems;
        break;
      case "struct":
      case "union":
        ix.size[id] = t.size;
        ix.subCount[id] = t.members.length;
        for (const m of t.members) {
          ix.subType[sub] = m.type;
          ix.subA[sub] = m.bitOffset;
          ix.subB[sub++] = m.bitfieldSize;
        }
        break;
      case "func_proto":
        ix.ref[id] = t.returnType;
        ix.subCount[id] = t.params.length;
        for (const p of t.params) {
          ix.subType[sub] = p.type;
          ix.subA[sub++] = p.name === "" ? 0 : 1;
        }
        break;
      case "datasec":
        ix.size[id] = t.size;
        ix.subCount[id] = t.vars.length;
        for (const v of t.vars) {
          ix.subType[sub] = v.type;
          ix.subA[sub] = v.offset;
          ix.subB[sub++] = v.size;
        }
        break;
      case "decl_tag":
        ix.ref[id] = t.type;
        ix.aux[id] = t.componentIdx + 1;
        break;
      case "fwd":
        break;
      default:
        ix.ref[id] = t.type;
    }
  });
  return { ...ix, count: types.length };
}
