import { LayoutError } from "../errors/index.js";
import type { Btf } from "./btf.js";
import type { BtfArray, BtfComposite, BtfInt, BtfType } from "./types.js";

/**
 * POINTER_SIZE is the size of a pointer in the BTF we read. BPF and every host we target
 * (x86-64, arm64) are LP64; BTF itself does not record it (libbpf guesses it from `long`).
 */
export const POINTER_SIZE = 8;

/** MemberLayout is one struct/union member with its layout worked out. */
export interface MemberLayout {
  /** C member name; "" for an anonymous struct/union member. */
  readonly name: string;
  /** Member type id as BTF gives it (typedefs and qualifiers not stripped). */
  readonly type: number;
  /** Offset from the start of the enclosing struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  readonly bitSize: number;
  /** Byte offset (bitOffset / 8 rounded down). */
  readonly byteOffset: number;
  /** Byte size of the member; for a bitfield, the size of its storage unit (its declared type). */
  readonly size: number;
  /** A flexible array member: the last member, an array with 0 elements. */
  readonly flexible: boolean;
}

/** FlatMember is a member reachable by name, with anonymous struct/union members flattened into their parent. */
export interface FlatMember extends MemberLayout {
  /** Names of anonymous members crossed to reach this one are elided; `path` keeps the member indexes. */
  readonly path: readonly number[];
}

const MODIFIERS = new Set(["typedef", "const", "volatile", "restrict", "type_tag"]);

function fail(btf: Btf, typeId: number, reason: string): never {
  throw new LayoutError(reason, { input: btf.input, typeId });
}

/** resolveId strips typedef/const/volatile/restrict/type_tag and returns the id underneath (0 for void). */
export function resolveId(btf: Btf, id: number): number {
  let cur = id;
  for (let steps = 0; cur !== 0; steps++) {
    const t = btf.type(cur);
    if (!MODIFIERS.has(t.kind)) return cur;
    if (steps > btf.count) fail(btf, id, "loop in typedef/qualifier chain");
    cur = (t as { type: number }).type;
  }
  return 0;
}

/** resolve is `resolveId` returning the type itself; `undefined` for void. */
export function resolve(btf: Btf, id: number): BtfType | undefined {
  return btf.get(resolveId(btf, id));
}

/** sizeOf returns the C `sizeof` of type `id`. Throws LayoutError for void, functions and forward declarations. */
export function sizeOf(btf: Btf, id: number): number {
  return sizeOfDepth(btf, id, 0);
}

function sizeOfDepth(btf: Btf, id: number, depth: number): number {
  if (depth > 64) fail(btf, id, "type nests too deeply (loop in array types?)");
  const t = resolve(btf, id);
  if (t === undefined) fail(btf, id, "void has no size");
  switch (t.kind) {
    case "int":
    case "enum":
    case "enum64":
    case "float":
    case "struct":
    case "union":
      return t.size;
    case "ptr":
      return POINTER_SIZE;
    case "array": {
      const size = t.nelems * sizeOfDepth(btf, t.type, depth + 1);
      if (!Number.isSafeInteger(size)) fail(btf, t.id, `array size ${size} is not representable`);
      return size;
    }
    default:
      return fail(btf, t.id, `${t.kind} ${t.name || "(anon)"} has no size`);
  }
}

/**
 * alignOf returns the alignment of type `id`, derived the way libbpf's `btf__align_of` does,
 * because BTF does not record alignment:
 * - ints, enums, floats: their size, capped at the pointer size (so `__int128` → 8);
 * - pointers: the pointer size; arrays: their element's alignment;
 * - structs/unions: the largest member alignment, or 1 when the struct must be packed —
 *   a non-bitfield member sits at an offset that is not a multiple of its alignment, or the
 *   size is not a multiple of the largest member alignment (a packed struct padded at the
 *   end is `packed, aligned(N)`: N);
 * - over-alignment (`__attribute__((aligned(16)))`, `____cacheline_aligned` members) only
 *   shows as padding in BTF, so it is inferred from padding natural alignment does not
 *   explain (see `paddingAlign`).
 * A packed or aligned(N) type whose layout equals the natural one has the same BTF as the
 * natural type, so it gets the natural alignment; sizes and offsets are exact regardless.
 */
export function alignOf(btf: Btf, id: number): number {
  return alignOfDepth(btf, id, 0);
}

function alignOfDepth(btf: Btf, id: number, depth: number): number {
  if (depth > 64) fail(btf, id, "type nests too deeply");
  const t = resolve(btf, id);
  if (t === undefined) fail(btf, id, "void has no alignment");
  switch (t.kind) {
    case "int":
    case "enum":
    case "enum64":
    case "float":
      return Math.max(1, Math.min(POINTER_SIZE, t.size));
    case "ptr":
      return POINTER_SIZE;
    case "array":
      return alignOfDepth(btf, t.type, depth + 1);
    case "struct":
    case "union":
      return compositeAlign(btf, t, depth).align;
    default:
      return fail(btf, t.id, `${t.kind} ${t.name || "(anon)"} has no alignment`);
  }
}

/** compositeAlign works out a struct/union's alignment and whether it is packed (see alignOf). */
function compositeAlign(btf: Btf, t: BtfComposite, depth: number): { align: number; packed: boolean; natural: number } {
  let natural = 1;
  let inferred = 1;
  let packed = false;
  let endBits = 0;
  for (const m of t.members) {
    const align = alignOfDepth(btf, m.type, depth + 1);
    natural = Math.max(natural, align);
    const bitfield = memberBitfieldSize(btf, m.type, m.bitfieldSize);
    if (bitfield === 0 && m.bitOffset % (8 * align) !== 0) packed = true;
    if (bitfield === 0 && t.kind === "struct" && !packed) {
      inferred = Math.max(inferred, paddingAlign(Math.ceil(endBits / 8), m.bitOffset / 8, align));
    }
    const size = bitfield !== 0 ? 0 : sizeOfDepth(btf, m.type, depth + 1) * 8;
    endBits = Math.max(endBits, m.bitOffset + (bitfield || size));
  }
  if (t.size % natural !== 0) packed = true;
  const end = Math.ceil(endBits / 8);
  // packed + aligned(N) (a packed struct padded at the end) is still N-aligned.
  if (packed) return { align: paddingAlign(end, t.size, 1), packed, natural };
  return { align: Math.max(natural, inferred, paddingAlign(end, t.size, natural)), packed, natural };
}

/**
 * paddingAlign infers an over-alignment from padding: a member (or the struct's end) placed
 * at `offset` after data ending at `end`, further than natural alignment `natural` explains,
 * must be aligned to the smallest power of two that puts it there. This is how an
 * `__attribute__((aligned(16)))` (or a `____cacheline_aligned` member) shows in BTF.
 */
function paddingAlign(end: number, offset: number, natural: number): number {
  const up = (n: number, a: number) => Math.ceil(n / a) * a;
  if (offset <= up(end, natural)) return 1;
  for (let p = natural * 2; p <= 4096; p *= 2) {
    if (up(end, p) === offset) return p;
    if (up(end, p) > offset) break;
  }
  return 1;
}

/** isPacked reports whether a struct/union needs `__attribute__((packed))` to get the layout BTF describes. */
export function isPacked(btf: Btf, id: number): boolean {
  const c = compositeAlign(btf, composite(btf, id), 0);
  return c.packed && c.natural > 1;
}

/** composite resolves `id` to a struct or union, or throws LayoutError. */
export function composite(btf: Btf, id: number): BtfComposite {
  const t = resolve(btf, id);
  if (t === undefined || (t.kind !== "struct" && t.kind !== "union")) {
    fail(btf, id, `not a struct or union (${t?.kind ?? "void"})`);
  }
  return t;
}

// With kind_flag 0 (old encoding), a bitfield is a member whose INT type has fewer bits than its size.
function legacyBitfield(btf: Btf, typeId: number): BtfInt | undefined {
  const t = resolve(btf, typeId);
  if (t?.kind === "int" && (t.bits !== t.size * 8 || t.offset !== 0)) return t;
  return undefined;
}

function memberBitfieldSize(btf: Btf, typeId: number, bitfieldSize: number): number {
  if (bitfieldSize !== 0) return bitfieldSize;
  return legacyBitfield(btf, typeId)?.bits ?? 0;
}

/**
 * members returns the direct members of struct/union `id` with their layout, in C order.
 * Throws LayoutError for void or unsized members and members past the end of the struct.
 */
export function members(btf: Btf, id: number): MemberLayout[] {
  const t = composite(btf, id);
  const out: MemberLayout[] = [];
  t.members.forEach((m, i) => {
    const where = `member ${i} (${m.name || "anon"}) of ${t.kind} ${t.name || "(anon)"}`;
    const mt = resolve(btf, m.type);
    if (mt === undefined) fail(btf, t.id, `${where} is void`);
    let bitOffset = m.bitOffset;
    let bitSize = m.bitfieldSize;
    if (bitSize === 0) {
      const legacy = legacyBitfield(btf, m.type);
      if (legacy) {
        bitSize = legacy.bits;
        bitOffset += legacy.offset;
      }
    }
    const flexible = i === t.members.length - 1 && mt.kind === "array" && (mt as BtfArray).nelems === 0;
    let size: number;
    try {
      size = sizeOf(btf, m.type);
    } catch (e) {
      throw new LayoutError(`${where} has no size`, { input: btf.input, typeId: t.id }, { cause: e });
    }
    const end = bitSize !== 0 ? bitOffset + bitSize : bitOffset + size * 8;
    if (bitSize > size * 8) fail(btf, t.id, `${where}: bitfield of ${bitSize} bits in a ${size}-byte type`);
    if (bitSize === 0 && bitOffset % 8 !== 0) fail(btf, t.id, `${where}: offset ${bitOffset} is not a whole byte`);
    if (end > t.size * 8 && !flexible) fail(btf, t.id, `${where} ends past the ${t.size}-byte ${t.kind}`);
    out.push({ name: m.name, type: m.type, bitOffset, bitSize, byteOffset: Math.floor(bitOffset / 8), size, flexible });
  });
  return out;
}

/**
 * flatMembers returns the members reachable by name from struct/union `id`, in C order:
 * members of anonymous struct/union members are lifted into the parent with offsets
 * relative to the parent, as C lets you name them. Unnamed non-struct members (padding
 * bitfields such as `int :3`) are left out.
 */
export function flatMembers(btf: Btf, id: number): FlatMember[] {
  const out: FlatMember[] = [];
  const walk = (typeId: number, base: number, path: readonly number[], depth: number): void => {
    if (depth > 64) fail(btf, id, "anonymous members nest too deeply");
    members(btf, typeId).forEach((m, i) => {
      const mt = resolve(btf, m.type);
      if (m.name === "" && (mt?.kind === "struct" || mt?.kind === "union")) {
        walk(m.type, base + m.bitOffset, [...path, i], depth + 1);
        return;
      }
      // An unnamed bitfield (`int :3`) is padding: nothing to name.
      if (m.name === "") return;
      out.push({ ...m, bitOffset: base + m.bitOffset, byteOffset: Math.floor((base + m.bitOffset) / 8), path: [...path, i] });
    });
  };
  walk(id, 0, [], 0);
  return out;
}

/** arrayDims returns the dimensions of a (possibly multi-dimensional) array and its innermost element type id. */
export function arrayDims(btf: Btf, id: number): { dims: number[]; element: number } {
  const dims: number[] = [];
  let cur = resolve(btf, id);
  let element = id;
  while (cur?.kind === "array") {
    if (dims.length > 64) fail(btf, id, "array nests too deeply");
    dims.push(cur.nelems);
    element = cur.type;
    cur = resolve(btf, cur.type);
  }
  return { dims, element };
}
