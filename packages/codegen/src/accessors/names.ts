/**
 * Names for generated code. C names map to JS names predictably; clashes are resolved
 * the same way every time (see docs/generated-accessors.md, "Names"):
 * 1. a struct/union/enum `foo_bar` becomes `FooBar` (PascalCase: split on `_`, upper-case
 *    the first letter of each part, keep the rest);
 * 2. names are handed out in a fixed order (requested types first, then what they
 *    reference, in C member order), so the first comer keeps the plain name;
 * 3. a later type whose name is taken gets its kind appended (`FooUnion`, `FooEnum`,
 *    `FooStruct`), then a number (`FooUnion2`);
 * 4. SDK imports, module constants and JS globals count as taken from the start.
 */

const TS_GLOBALS = [
  "Array", "ArrayBuffer", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean", "DataView", "Date",
  "Error", "EvalError", "FinalizationRegistry", "Float32Array", "Float64Array", "Function", "Infinity", "Int16Array",
  "Int32Array", "Int8Array", "Intl", "Iterator", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy",
  "RangeError", "ReferenceError", "Reflect", "RegExp", "Set", "SharedArrayBuffer", "String", "Symbol", "SyntaxError",
  "TextDecoder", "TextEncoder", "TypeError", "URIError", "Uint16Array", "Uint32Array", "Uint8Array",
  "Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet", "Buffer", "Record", "Partial", "Readonly", "Required",
  "Pick", "Omit", "Exclude", "Extract", "ReturnType", "InstanceType", "Iterable", "ArrayLike", "PropertyKey",
];

/** SDK_IMPORTS are the names generated modules may import from @bpf-skel/sdk. */
export const SDK_IMPORTS = [
  "ArrayView", "BufferTarget", "CharArrayView", "FieldInfo", "JsonObject", "StructView", "Values",
  "arrayElement", "charArrayElement", "check", "dataViewOf", "elements", "hex", "jsonInt", "readBigBits",
  "readBigInt", "readBits", "readEnum64", "structElement", "writeBigBits", "writeBigInt", "writeBits",
  "Handle", "StorageClass", "storageClass",
] as const;

/** MODULE_CONSTS are module-level names the generator itself declares. */
export const MODULE_CONSTS = ["LE", "el"] as const;

/** pascalCase turns a C name into a class name: `task_ctx` → `TaskCtx`, `__sk_buff` → `SkBuff`. */
export function pascalCase(cName: string): string {
  const out = cName
    .split("_")
    .filter((p) => p !== "")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
  return out === "" ? "Anon" : out;
}

/** Instance member names a C member cannot take as is; it gets a `_` appended. */
const RESERVED_MEMBERS = new Set(["constructor", "toJSON", "toString", "__proto__"]);

/** propertyName is the JS accessor name for C member `name`: the same, unless it would break the class. */
export function propertyName(name: string): string {
  return RESERVED_MEMBERS.has(name) ? `${name}_` : name;
}

/** Namer hands out unique top-level names. */
export class Namer {
  readonly #taken = new Set<string>([...TS_GLOBALS, ...SDK_IMPORTS, ...MODULE_CONSTS]);

  /** take returns `base`, or `base + kindSuffix`, or that plus a number, whichever is free first. */
  take(base: string, kindSuffix: string): string {
    let name = base;
    if (this.#taken.has(name)) name = base.endsWith(kindSuffix) ? base : base + kindSuffix;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}${kindSuffix}${n}`;
    this.#taken.add(name);
    return name;
  }
}
