import { BtfError } from "../errors/index.js";
import { BTF_SECTION } from "./header.js";
import { indexTypes, type TypeIndex } from "./type-index.js";
import type { BtfType } from "./types.js";

const POINTER_SIZE = 8;
const U32_MAX = 0xffffffff;
const UNSIZED = -1;
const KIND_NAMES = ["unkn", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef", "volatile", "const", "restrict", "func", "func_proto", "var", "datasec", "float", "decl_tag", "type_tag", "enum64"];

// Kind bit sets (1 << BTF_KIND_*).
const CHAIN = (1 << 2) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 18); // ptr, typedef, qualifiers, type_tag
const VOID_OK = CHAIN; // may refer to void
const SINGLE = (1 << 3) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 14) | (1 << 18); // by-value: one child
const SIZED_SELF = (1 << 1) | (1 << 6) | (1 << 16) | (1 << 15) | (1 << 19); // int, enum, float, datasec, enum64

type Fail = (id: number, reason: string) => never;

/** validateModel is validateTypes for types that did not come from bytes (JSON): no offsets. */
export function validateModel(types: readonly BtfType[], input: string): void {
  validateTypes(types, indexTypes(types), new Uint32Array(types.length), input);
}

/**
 * validateTypes checks what a single record cannot: every referenced type id exists and
 * has the right kind, no chain of typedefs/qualifiers/pointers or by-value containment
 * (array element, struct member, var) loops, arrays do not overflow u32, and members fit
 * their struct. Pointers break containment, so `struct list_head { struct list_head *next; }`
 * is fine. Iterative throughout, so hostile input cannot overflow the stack. Works on the
 * flat TypeIndex; `types` only supplies names for messages. `offsets[id - 1]` is the byte
 * offset of type `id` for error places.
 */
export function validateTypes(types: readonly BtfType[], ix: TypeIndex, offsets: Uint32Array, input: string): void {
  const fail: Fail = (id, reason) => {
    throw new BtfError(reason, { input, section: BTF_SECTION, typeId: id, offset: offsets[id - 1] ?? 0 });
  };
  checkRefs(ix, fail);
  checkChains(ix, fail);
  checkSizes(types, ix, fail);
}

function checkRefs(ix: TypeIndex, fail: Fail): void {
  const { count: n, kind, ref, aux, subStart, subCount, subType, subA, subB } = ix;
  const bad = (id: number, target: number, what: string): never =>
    fail(id, target > n ? `${what} refers to type id ${target} (max ${n})` : `${what} is void`);
  for (let id = 1; id <= n; id++) {
    const k = kind[id]!;
    const r = ref[id]!;
    const bit = 1 << k;
    if (bit & (SINGLE | (1 << 12) | (1 << 17))) {
      if (r > n || (r === 0 && (bit & VOID_OK) === 0)) bad(id, r, KIND_NAMES[k]!);
    } else if (k === 2) {
      if (r > n) bad(id, r, "ptr");
    }
    const s = subStart[id]!;
    const c = subCount[id]!;
    switch (k) {
      case 3: {
        const index = aux[id]!;
        if (index === 0 || index > n) bad(id, index, "array index type");
        break;
      }
      case 4:
      case 5:
        for (let i = 0; i < c; i++) {
          const t = subType[s + i]!;
          if (t === 0 || t > n) bad(id, t, `member ${i}`);
        }
        break;
      case 12:
        if (kind[r] !== 13) fail(id, `func type ${r} is not a func_proto`);
        break;
      case 13:
        if (r > n) bad(id, r, "return type");
        for (let i = 0; i < c; i++) {
          const t = subType[s + i]!;
          // void marks a variadic `...`: only last and unnamed.
          if (t > n || (t === 0 && (i !== c - 1 || subA[s + i] !== 0))) bad(id, t, `param ${i}`);
        }
        break;
      case 15:
        for (let i = 0; i < c; i++) {
          const t = subType[s + i]!;
          if (t === 0 || t > n) bad(id, t, `datasec entry ${i}`);
          if (kind[t] !== 14 && kind[t] !== 12) fail(id, `datasec entry ${i} is a ${KIND_NAMES[kind[t]!]}, not a var`);
          if (subA[s + i]! + subB[s + i]! > U32_MAX) fail(id, `datasec entry ${i} overflows u32`);
        }
        break;
      case 17: {
        const component = aux[id]! - 1;
        if (component === -1) break;
        const tk = kind[r]!;
        const members = tk === 4 || tk === 5 ? subCount[r]! : tk === 12 ? subCount[ref[r]!]! : 0;
        if (component >= members) fail(id, `decl_tag component_idx ${component} out of range for ${KIND_NAMES[tk]}`);
        break;
      }
      default:
        break;
    }
  }
}

// Pointer/qualifier chains each have one successor: walk them, marking nodes with the walk's number.
function checkChains(ix: TypeIndex, fail: Fail): void {
  const { count: n, kind, ref } = ix;
  const mark = new Int32Array(n + 1);
  for (let start = 1; start <= n; start++) {
    if (mark[start] !== 0) continue;
    let id = start;
    while (id !== 0 && mark[id] === 0) {
      if (((1 << kind[id]!) & CHAIN) === 0) {
        mark[id] = -1;
        break;
      }
      mark[id] = start;
      id = ref[id]!;
    }
    if (id !== 0 && mark[id] === start) fail(id, "loop in pointer/typedef/qualifier chain");
  }
}

// Depth-first over by-value containment, computing sizes bottom-up; a node met again while still open is a loop.
function checkSizes(types: readonly BtfType[], ix: TypeIndex, fail: Fail): void {
  const { count: n, kind, ref, size: sizeField, subStart, subCount, subType } = ix;
  const state = new Uint8Array(n + 1); // 0 new, 1 open, 2 done
  const next = new Uint32Array(n + 1);
  const size = new Float64Array(n + 1);
  size[0] = UNSIZED;
  const stack = new Uint32Array(n + 1);
  for (let root = 1; root <= n; root++) {
    if (state[root] !== 0) continue;
    let sp = 0;
    stack[sp++] = root;
    state[root] = 1;
    while (sp > 0) {
      const id = stack[sp - 1]!;
      const k = kind[id]!;
      const i = next[id]!;
      let child = 0;
      let more = false;
      if ((1 << k) & SINGLE) {
        more = i === 0;
        child = ref[id]!;
      } else if (k === 4 || k === 5) {
        more = i < subCount[id]!;
        if (more) child = subType[subStart[id]! + i]!;
      }
      if (more) {
        next[id] = i + 1;
        if (child !== 0) {
          if (state[child] === 1) fail(id, `loop: type ${id} contains itself by value through type ${child}`);
          if (state[child] === 0) {
            state[child] = 1;
            stack[sp++] = child;
          }
        }
        continue;
      }
      if ((1 << k) & SIZED_SELF) size[id] = sizeField[id]!;
      else if (k === 2) size[id] = POINTER_SIZE;
      else if (k === 3) {
        const elem = size[ref[id]!]!;
        if (elem === UNSIZED) fail(id, `array of unsized type ${ref[id]}`);
        const total = elem * sizeField[id]!;
        if (total > U32_MAX) fail(id, `array size ${sizeField[id]} x ${elem} overflows u32`);
        size[id] = total;
      } else if ((1 << k) & SINGLE) size[id] = size[ref[id]!]!;
      else if (k === 4 || k === 5) {
        checkMembers(types, ix, id, size, fail);
        size[id] = sizeField[id]!;
      } else size[id] = UNSIZED;
      state[id] = 2;
      sp--;
    }
  }
}

function checkMembers(types: readonly BtfType[], ix: TypeIndex, id: number, size: Float64Array, fail: Fail): void {
  const bits = ix.size[id]! * 8;
  const s = ix.subStart[id]!;
  const c = ix.subCount[id]!;
  for (let i = 0; i < c; i++) {
    const ms = size[ix.subType[s + i]!]!;
    const off = ix.subA[s + i]!;
    const bf = ix.subB[s + i]!;
    let problem: string | undefined;
    if (ms === UNSIZED) problem = `has unsized type ${ix.subType[s + i]}`;
    else if (bf !== 0 && bf > ms * 8) problem = `is a ${bf}-bit bitfield in a ${ms}-byte type`;
    else if (bf !== 0 && off + bf > bits) problem = `ends past the ${bits / 8}-byte ${KIND_NAMES[ix.kind[id]!]}`;
    // (a bit-aligned member without kind_flag is an old-style int bitfield, checked by the int's own bits)
    else if (bf === 0 && off % 8 === 0 && off + ms * 8 > bits) problem = `ends past the ${bits / 8}-byte ${KIND_NAMES[ix.kind[id]!]}`;
    if (problem !== undefined) {
      const t = types[id - 1] as { members?: readonly { name: string }[] } | undefined;
      fail(id, `member ${i} (${t?.members?.[i]?.name || "anon"}) ${problem}`);
    }
  }
}
