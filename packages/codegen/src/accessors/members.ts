import type { Access, ArrayElement, MemberPlan, Scalar } from "./plan.js";

/**
 * Member code: the TypeScript for reading, writing and JSON-spelling one member. Each
 * function returns source text; `use` records the SDK names the text needs.
 */

export type Use = (name: string) => void;

/** MemberCode is what emit.ts prints for one member. */
export interface MemberCode {
  /** Getter return type. */
  readonly type: string;
  /** Setter parameter type; undefined for flexible arrays (a method instead). */
  readonly setType?: string;
  /** Expression for the getter (or the flexible-array method) body. */
  readonly get: string;
  /** Statement for the setter body (value in `v`). */
  readonly set?: string;
  /** Expression for toJSON; undefined to leave the member out. */
  readonly json?: string;
  /** Whether the getter caches a nested view in `#prop`. */
  readonly cached: boolean;
  /** For a cached nested view: the expression of its offset, which tells a stale cache (after `$moveTo`) from a current one. */
  readonly at?: string;
}

const view = "this.$view";

function at(byteOffset: number): string {
  return byteOffset === 0 ? "this.$offset" : `this.$offset + ${byteOffset}`;
}

const INT_NAMES = { 1: "Int8", 2: "Int16", 4: "Int32", 8: "BigInt64" } as const;
const CHECKS = { 1: "int8", 2: "int16", 4: "int32", 8: "int64" } as const;

function intAccess(size: 1 | 2 | 4 | 8, signed: boolean, o: string, f: string, use: Use) {
  const dv = signed ? INT_NAMES[size] : INT_NAMES[size].replace("Int", "Uint");
  const chk = signed ? CHECKS[size] : `u${CHECKS[size]}`;
  const le = size === 1 ? "" : ", LE";
  use("check");
  return {
    type: size === 8 ? "bigint" : "number",
    get: `${view}.get${dv}(${o}${le})`,
    set: `${view}.set${dv}(${o}, check.${chk}(v, ${f})${le});`,
  };
}

/** scalarType is the JS type of a scalar: what its getter returns and its setter takes. */
export function scalarType(s: Scalar): string {
  switch (s.kind) {
    case "int":
      return s.size === 8 ? "bigint" : "number";
    case "bigint":
    case "ptr":
      return "bigint";
    case "bool":
      return "boolean";
    case "float":
      return "number";
    case "enum":
      return s.size === 8 ? "number | bigint" : "number";
  }
}

function enumAsInt(s: Scalar & { kind: "enum" }): 1 | 2 | 4 | undefined {
  return s.size === 1 || s.size === 2 || s.size === 4 ? s.size : undefined;
}

function scalarCode(s: Scalar, o: string, f: string, use: Use): { get: string; set: string } {
  switch (s.kind) {
    case "int":
      return intAccess(s.size, s.signed, o, f, use);
    case "bigint":
      use("check");
      use("readBigInt");
      use("writeBigInt");
      return {
        get: `readBigInt(${view}, ${o}, ${s.size}, ${s.signed}, LE)`,
        set: `writeBigInt(${view}, ${o}, ${s.size}, check.bigIntN(v, ${s.size * 8}, ${s.signed}, ${f}), LE);`,
      };
    case "bool":
      use("check");
      return { get: `${view}.getUint8(${o}) !== 0`, set: `${view}.setUint8(${o}, check.boolean(v, ${f}) ? 1 : 0);` };
    case "float": {
      const n = s.size === 4 ? "Float32" : "Float64";
      use("check");
      return { get: `${view}.get${n}(${o}, LE)`, set: `${view}.set${n}(${o}, check.float(v, ${f}), LE);` };
    }
    case "ptr":
      return intAccess(8, false, o, f, use);
    case "enum": {
      const size = enumAsInt(s);
      if (size !== undefined) return intAccess(size, s.signed, o, f, use);
      use("check");
      use("readEnum64");
      const dv = s.signed ? "BigInt64" : "BigUint64";
      return {
        get: `readEnum64(${view}, ${o}, ${s.signed}, LE)`,
        set: `${view}.set${dv}(${o}, check.enum64(v, ${s.signed}, ${f}), LE);`,
      };
    }
  }
}

function scalarJson(s: Scalar, expr: string, use: Use): string {
  switch (s.kind) {
    case "ptr":
      use("hex");
      return `hex(${expr})`;
    case "int":
      return s.size === 8 ? `${expr}.toString()` : expr;
    case "bigint":
      return `${expr}.toString()`;
    case "enum":
      if (s.size !== 8) return expr;
      use("jsonInt");
      return `jsonInt(${expr})`;
    default:
      return expr;
  }
}

/** elementExpr is the `Element` for a scalar array element, e.g. `el.i32`. */
function elementExpr(s: Scalar): string {
  switch (s.kind) {
    case "int":
      return `el.${s.signed ? "i" : "u"}${s.size * 8}`;
    case "bigint":
      return `el.bigint(${s.size}, ${s.signed})`;
    case "bool":
      return "el.bool";
    case "float":
      return `el.f${s.size * 8}`;
    case "ptr":
      return "el.ptr";
    case "enum": {
      const size = enumAsInt(s);
      return size !== undefined ? `el.${s.signed ? "i" : "u"}${size * 8}` : `el.enum64(${s.signed})`;
    }
  }
}

function arrayCode(a: Access & { kind: "array" }, o: string, f: string, use: Use, length?: string) {
  const e: ArrayElement = a.element;
  const char = e.kind === "scalar" && e.char;
  let inner: string;
  let t: string;
  if (e.kind === "struct") {
    use("structElement");
    inner = `structElement(${e.className})`;
    t = e.className;
  } else {
    use("elements");
    inner = elementExpr(e.scalar);
    t = scalarType(e.scalar);
  }
  // Types from the innermost dimension out.
  const n = a.dims.length;
  let type = char ? "CharArrayView" : `ArrayView<${t}>`;
  let inType = char ? "string | Values<number>" : `Values<${t}>`;
  let element = inner;
  for (let k = n - 1; k >= 1; k--) {
    if (k === n - 1) {
      const maker = char ? "charArrayElement" : "arrayElement";
      use(maker);
      element = `${maker}(${inner}, ${a.dims[k]})`;
    } else {
      use("arrayElement");
      element = `arrayElement(${element}, ${a.dims[k]})`;
    }
    type = `ArrayView<${type}, ${inType}>`;
    inType = `Values<${inType}>`;
  }
  const cls = n === 1 && char ? "CharArrayView" : "ArrayView";
  use(cls);
  if (type.startsWith("ArrayView")) use("ArrayView");
  if (type.includes("CharArrayView")) use("CharArrayView");
  const get = `new ${cls}(${view}, ${o}, ${length ?? a.dims[0]}, ${element}, ${f})`;
  return { type, inType, get };
}

/** memberCode works out the code for member `m` of a class whose error label is `label`. */
export function memberCode(m: MemberPlan, label: string, use: Use): MemberCode {
  const f = JSON.stringify(`${label}.${m.name}`);
  const a = m.access;
  const self = `this.${m.prop}`;
  switch (a.kind) {
    case "scalar": {
      const c = scalarCode(a.scalar, at(m.bitOffset / 8), f, use);
      const type = scalarType(a.scalar);
      return { type, setType: type, get: c.get, set: c.set, json: scalarJson(a.scalar, self, use), cached: false };
    }
    case "bitfield": {
      const o = at(Math.floor(m.bitOffset / 8));
      const shift = m.bitOffset % 8;
      const args = `${view}, ${o}, ${shift}, ${a.width}`;
      use("check");
      if (a.width > 32) {
        use("readBigBits");
        use("writeBigBits");
        return {
          type: "bigint",
          setType: "bigint",
          get: `readBigBits(${args}, ${a.signed}, LE)`,
          set: `writeBigBits(${args}, check.bigIntN(v, ${a.width}, ${a.signed}, ${f}), LE);`,
          json: `${self}.toString()`,
          cached: false,
        };
      }
      use("readBits");
      use("writeBits");
      if (a.bool) {
        return {
          type: "boolean",
          setType: "boolean",
          get: `readBits(${args}, false, LE) !== 0`,
          set: `writeBits(${args}, check.boolean(v, ${f}) ? 1 : 0, LE);`,
          json: self,
          cached: false,
        };
      }
      return {
        type: "number",
        setType: "number",
        get: `readBits(${args}, ${a.signed}, LE)`,
        set: `writeBits(${args}, check.intN(v, ${a.width}, ${a.signed}, ${f}), LE);`,
        json: self,
        cached: false,
      };
    }
    case "struct": {
      const o = at(m.bitOffset / 8);
      return {
        type: a.className,
        setType: a.className,
        get: `new ${a.className}(${view}, ${o})`,
        set: `this.$assign(${m.bitOffset / 8}, v, ${a.className}, ${f});`,
        json: `${self}.toJSON()`,
        cached: true,
        at: o,
      };
    }
    case "array": {
      const o = at(m.bitOffset / 8);
      if (a.flexible) {
        const c = arrayCode(a, o, f, use, "length");
        return { type: c.type, get: c.get, cached: false };
      }
      const c = arrayCode(a, o, f, use);
      use("Values");
      return { type: c.type, setType: c.inType, get: c.get, set: `${self}.assign(v);`, json: `${self}.toJSON()`, cached: true, at: o };
    }
  }
}
