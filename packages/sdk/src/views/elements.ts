import { ArrayView, CharArrayView } from "./array-view.js";
import { readBigInt, readEnum64, writeBigInt } from "./bits.js";
import * as check from "./check.js";
import { hex, type JsonValue } from "./json.js";
import type { StructClass, StructView } from "./struct-view.js";

/**
 * Element is how an ArrayView reads and writes one element: its size, a reader, a
 * range-checked writer and its JSON spelling. Generated code picks them from `elements(LE)`.
 */
export interface Element<T, In = T> {
  readonly size: number;
  get(dv: DataView, offset: number, field: string): T;
  set(dv: DataView, offset: number, value: In, field: string): void;
  json(value: T): JsonValue;
}

/** Scalars are the element kinds of one byte order. */
export interface Scalars {
  readonly i8: Element<number>;
  readonly u8: Element<number>;
  readonly i16: Element<number>;
  readonly u16: Element<number>;
  readonly i32: Element<number>;
  readonly u32: Element<number>;
  readonly i64: Element<bigint>;
  readonly u64: Element<bigint>;
  readonly f32: Element<number>;
  readonly f64: Element<number>;
  readonly bool: Element<boolean>;
  /** ptr is a raw 64-bit address; toJSON spells it in hex. */
  readonly ptr: Element<bigint>;
  enum64(signed: boolean): Element<number | bigint>;
  bigint(size: number, signed: boolean): Element<bigint>;
}

const same = (v: number | boolean): JsonValue => v;
const decimal = (v: bigint): JsonValue => v.toString();

function scalars(le: boolean): Scalars {
  return {
    i8: { size: 1, get: (dv, o) => dv.getInt8(o), set: (dv, o, v, f) => dv.setInt8(o, check.int8(v, f)), json: same },
    u8: { size: 1, get: (dv, o) => dv.getUint8(o), set: (dv, o, v, f) => dv.setUint8(o, check.uint8(v, f)), json: same },
    i16: { size: 2, get: (dv, o) => dv.getInt16(o, le), set: (dv, o, v, f) => dv.setInt16(o, check.int16(v, f), le), json: same },
    u16: { size: 2, get: (dv, o) => dv.getUint16(o, le), set: (dv, o, v, f) => dv.setUint16(o, check.uint16(v, f), le), json: same },
    i32: { size: 4, get: (dv, o) => dv.getInt32(o, le), set: (dv, o, v, f) => dv.setInt32(o, check.int32(v, f), le), json: same },
    u32: { size: 4, get: (dv, o) => dv.getUint32(o, le), set: (dv, o, v, f) => dv.setUint32(o, check.uint32(v, f), le), json: same },
    i64: { size: 8, get: (dv, o) => dv.getBigInt64(o, le), set: (dv, o, v, f) => dv.setBigInt64(o, check.int64(v, f), le), json: decimal },
    u64: { size: 8, get: (dv, o) => dv.getBigUint64(o, le), set: (dv, o, v, f) => dv.setBigUint64(o, check.uint64(v, f), le), json: decimal },
    f32: { size: 4, get: (dv, o) => dv.getFloat32(o, le), set: (dv, o, v, f) => dv.setFloat32(o, check.float(v, f), le), json: same },
    f64: { size: 8, get: (dv, o) => dv.getFloat64(o, le), set: (dv, o, v, f) => dv.setFloat64(o, check.float(v, f), le), json: same },
    bool: { size: 1, get: (dv, o) => dv.getUint8(o) !== 0, set: (dv, o, v, f) => dv.setUint8(o, check.boolean(v, f) ? 1 : 0), json: same },
    ptr: { size: 8, get: (dv, o) => dv.getBigUint64(o, le), set: (dv, o, v, f) => dv.setBigUint64(o, check.uint64(v, f), le), json: hex },
    /** enum64 is an 8-byte enum: numbers where safe, bigints otherwise (like the generated constants). */
    enum64: (signed: boolean): Element<number | bigint> => ({
      size: 8,
      get: (dv, o) => readEnum64(dv, o, signed, le),
      set: (dv, o, v, f) => {
        const b = check.enum64(v, signed, f);
        if (signed) dv.setBigInt64(o, b, le);
        else dv.setBigUint64(o, b, le);
      },
      json: (v) => (typeof v === "bigint" ? v.toString() : v),
    }),
    /** bigint is an integer of an odd size (e.g. 16 bytes for `__int128`). */
    bigint: (size: number, signed: boolean): Element<bigint> => ({
      size,
      get: (dv, o) => readBigInt(dv, o, size, signed, le),
      set: (dv, o, v, f) => writeBigInt(dv, o, size, check.bigIntN(v, size * 8, signed, f), le),
      json: decimal,
    }),
  };
}

const LITTLE = scalars(true);
const BIG = scalars(false);

/** elements returns the scalar element kinds for one byte order (`true` = little-endian). */
export function elements(littleEndian: boolean): Scalars {
  return littleEndian ? LITTLE : BIG;
}

/** structElement makes array elements that are nested struct views; writing one copies another view's bytes. */
export function structElement<V extends StructView>(type: StructClass<V>): Element<V> {
  return {
    size: type.size,
    get: (dv, o) => new type(dv, o),
    set: (dv, o, v, f) => {
      if (!(v instanceof type)) throw new TypeError(`${f}: expected a ${type.name} view`);
      new Uint8Array(dv.buffer, dv.byteOffset + o, type.size).set(v.$bytes());
    },
    json: (v) => v.toJSON(),
  };
}

/** arrayElement makes array elements that are arrays themselves (multi-dimensional arrays). */
export function arrayElement<T, In>(inner: Element<T, In>, length: number): Element<ArrayView<T, In>, Iterable<In> | ArrayLike<In>> {
  return {
    size: inner.size * length,
    get: (dv, o, f) => new ArrayView(dv, o, length, inner, f),
    set: (dv, o, v, f) => new ArrayView(dv, o, length, inner, f).assign(v),
    json: (v) => v.toJSON(),
  };
}

/** charArrayElement makes array elements that are `char[N]` strings (e.g. `char names[4][16]`). */
export function charArrayElement(inner: Element<number>, length: number): Element<CharArrayView, string | Iterable<number> | ArrayLike<number>> {
  return {
    size: inner.size * length,
    get: (dv, o, f) => new CharArrayView(dv, o, length, inner, f),
    set: (dv, o, v, f) => new CharArrayView(dv, o, length, inner, f).assign(v),
    json: (v) => v.toJSON(),
  };
}
