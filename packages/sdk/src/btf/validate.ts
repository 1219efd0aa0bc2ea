import { BtfError } from "../errors/index.js";
import { BTF_SECTION } from "./header.js";
import type { BtfType } from "./types.js";

const POINTER_SIZE = 8;
const U32_MAX = 0xffffffff;
const UNSIZED = -1;

/**
 * validateTypes checks what a single record cannot: every referenced type id exists and
 * has the right kind, no chain of typedefs/qualifiers/pointers or by-value containment
 * (array element, struct member, var) loops, arrays do not overflow u32, and members fit
 * their struct. Pointers break containment, so `struct list_head { struct list_head *next; }`
 * is fine. Iterative throughout, so hostile input cannot overflow the stack.
 * `offsets[id - 1]` is the byte offset of type `id` for error places.
 */
export function validateTypes(types: readonly BtfType[], offsets: Uint32Array, input: string): void {
  const n = types.length;
  const fail = (id: number, reason: string): never => {
    throw new BtfError(reason, { input, section: BTF_SECTION, typeId: id, offset: offsets[id - 1] ?? 0 });
  };
  const ref = (id: number, target: number, what: string, voidOk: boolean): void => {
    if (target > n) fail(id, `${what} refers to type id ${target} (max ${n})`);
    if (target === 0 && !voidOk) fail(id, `${what} is void`);
  };
  for (let id = 1; id <= n; id++) {
    const t = types[id - 1]!;
    switch (t.kind) {
      case "ptr":
      case "typedef":
      case "volatile":
      case "const":
      case "restrict":
      case "type_tag":
        ref(id, t.type, t.kind, true);
        break;
      case "array":
        ref(id, t.type, "array element", false);
        ref(id, t.indexType, "array index type", false);
        break;
      case "struct":
      case "union":
        for (let i = 0; i < t.members.length; i++) ref(id, t.members[i]!.type, `member ${i}`, false);
        break;
      case "func":
        ref(id, t.type, "func", false);
        if (types[t.type - 1]!.kind !== "func_proto") fail(id, `func type ${t.type} is not a func_proto`);
        break;
      case "func_proto":
        ref(id, t.returnType, "return type", true);
        for (let i = 0; i < t.params.length; i++) {
          const p = t.params[i]!;
          // void marks a variadic `...`: only last and unnamed.
          ref(id, p.type, `param ${i}`, i === t.params.length - 1 && p.name === "");
        }
        break;
      case "var":
        ref(id, t.type, "var", false);
        break;
      case "datasec":
        for (let i = 0; i < t.vars.length; i++) {
          const v = t.vars[i]!;
          ref(id, v.type, `datasec entry ${i}`, false);
          const k = types[v.type - 1]!.kind;
          if (k !== "var" && k !== "func") fail(id, `datasec entry ${i} is a ${k}, not a var`);
          if (v.offset + v.size > U32_MAX) fail(id, `datasec entry ${i} overflows u32`);
        }
        break;
      case "decl_tag": {
        ref(id, t.type, "decl_tag", false);
        if (t.componentIdx === -1) break;
        const target = types[t.type - 1]!;
        const count =
          target.kind === "struct" || target.kind === "union"
            ? target.members.length
            : target.kind === "func"
              ? (types[target.type - 1] as { params?: readonly unknown[] }).params?.length ?? 0
              : 0;
        if (t.componentIdx >= count) fail(id, `decl_tag component_idx ${t.componentIdx} out of range for ${target.kind}`);
        break;
      }
      default:
        break;
    }
  }
  checkChains(types, fail);
  checkSizes(types, fail);
}

function isChain(t: BtfType): t is BtfType & { type: number } {
  switch (t.kind) {
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
      return true;
    default:
      return false;
  }
}

// Pointer/qualifier chains each have one successor: walk them, marking nodes with the walk's number.
function checkChains(types: readonly BtfType[], fail: (id: number, reason: string) => never): void {
  const n = types.length;
  const mark = new Int32Array(n + 1);
  for (let start = 1; start <= n; start++) {
    if (mark[start] !== 0) continue;
    let id = start;
    while (id !== 0 && mark[id] === 0) {
      const t = types[id - 1]!;
      if (!isChain(t)) {
        mark[id] = -1;
        break;
      }
      mark[id] = start;
      id = t.type;
    }
    if (id !== 0 && mark[id] === start) fail(id, "loop in pointer/typedef/qualifier chain");
  }
}

// Depth-first over by-value containment, computing sizes bottom-up; a node met again while still open is a loop.
function checkSizes(types: readonly BtfType[], fail: (id: number, reason: string) => never): void {
  const n = types.length;
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
      const t = types[id - 1]!;
      let child = 0;
      let more = false;
      const i = next[id]!;
      switch (t.kind) {
        case "typedef":
        case "volatile":
        case "const":
        case "restrict":
        case "type_tag":
        case "array":
        case "var":
          more = i === 0;
          child = t.type;
          break;
        case "struct":
        case "union":
          more = i < t.members.length;
          if (more) child = t.members[i]!.type;
          break;
        default:
          break;
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
      size[id] = sizeOf(t, size, fail);
      state[id] = 2;
      sp--;
    }
  }
}

function sizeOf(t: BtfType, size: Float64Array, fail: (id: number, reason: string) => never): number {
  switch (t.kind) {
    case "int":
    case "enum":
    case "enum64":
    case "float":
    case "datasec":
      return t.size;
    case "ptr":
      return POINTER_SIZE;
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
    case "var":
      return size[t.type]!;
    case "array": {
      const elem = size[t.type]!;
      if (elem === UNSIZED) fail(t.id, `array of unsized type ${t.type}`);
      const total = elem * t.nelems;
      if (total > U32_MAX) fail(t.id, `array size ${t.nelems} x ${elem} overflows u32`);
      return total;
    }
    case "struct":
    case "union": {
      const bits = t.size * 8;
      for (let i = 0; i < t.members.length; i++) {
        const m = t.members[i]!;
        const ms = size[m.type]!;
        if (ms === UNSIZED) fail(t.id, `member ${i} (${m.name || "anon"}) has unsized type ${m.type}`);
        if (m.bitfieldSize !== 0) {
          if (m.bitfieldSize > ms * 8) fail(t.id, `member ${i} (${m.name || "anon"}): ${m.bitfieldSize}-bit bitfield in a ${ms}-byte type`);
          if (m.bitOffset + m.bitfieldSize > bits) fail(t.id, `member ${i} (${m.name || "anon"}) ends past the ${t.size}-byte ${t.kind}`);
        } else if (m.bitOffset % 8 === 0 && m.bitOffset + ms * 8 > bits) {
          // (a bit-aligned member without kind_flag is an old-style int bitfield, checked by the int's own bits)
          fail(t.id, `member ${i} (${m.name || "anon"}) ends past the ${t.size}-byte ${t.kind}`);
        }
      }
      return t.size;
    }
    default:
      return UNSIZED;
  }
}
