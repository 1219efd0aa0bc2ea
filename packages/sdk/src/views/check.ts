/**
 * Range checks for setters. Each returns the value when it fits and throws a RangeError
 * naming the field otherwise, so a setter reads `view.setInt32(o, int32(v, "task_ctx.pid"), LE)`.
 * The checks are plain comparisons: no allocation unless they throw.
 */

function outOfRange(field: string, value: unknown, what: string): never {
  throw new RangeError(`${field}: ${String(value)}${typeof value === "bigint" ? "n" : ""} does not fit ${what}`);
}

function notA(field: string, value: unknown, want: string): never {
  throw new TypeError(`${field}: expected ${want}, got ${typeof value}`);
}

export function int8(v: number, field: string): number {
  if ((v << 24) >> 24 !== v) outOfRange(field, v, "in a signed 8-bit integer");
  return v;
}

export function uint8(v: number, field: string): number {
  if ((v & 0xff) !== v) outOfRange(field, v, "in an unsigned 8-bit integer");
  return v;
}

export function int16(v: number, field: string): number {
  if ((v << 16) >> 16 !== v) outOfRange(field, v, "in a signed 16-bit integer");
  return v;
}

export function uint16(v: number, field: string): number {
  if ((v & 0xffff) !== v) outOfRange(field, v, "in an unsigned 16-bit integer");
  return v;
}

export function int32(v: number, field: string): number {
  if ((v | 0) !== v) outOfRange(field, v, "in a signed 32-bit integer");
  return v;
}

export function uint32(v: number, field: string): number {
  if (v >>> 0 !== v) outOfRange(field, v, "in an unsigned 32-bit integer");
  return v;
}

export function int64(v: bigint, field: string): bigint {
  if (typeof v !== "bigint") notA(field, v, "a bigint");
  if (BigInt.asIntN(64, v) !== v) outOfRange(field, v, "in a signed 64-bit integer");
  return v;
}

export function uint64(v: bigint, field: string): bigint {
  if (typeof v !== "bigint") notA(field, v, "a bigint");
  if (BigInt.asUintN(64, v) !== v) outOfRange(field, v, "in an unsigned 64-bit integer");
  return v;
}

/** intN checks that `v` is an integer that fits `bits` bits (signed or not); for bitfields up to 32 bits. */
export function intN(v: number, bits: number, signed: boolean, field: string): number {
  const lo = signed ? -(2 ** (bits - 1)) : 0;
  const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    outOfRange(field, v, `in a ${bits}-bit ${signed ? "signed" : "unsigned"} field`);
  }
  return v;
}

/** bigIntN checks that `v` is a bigint that fits `bits` bits (signed or not); for wide bitfields and 128-bit ints. */
export function bigIntN(v: bigint, bits: number, signed: boolean, field: string): bigint {
  if (typeof v !== "bigint") notA(field, v, "a bigint");
  const back = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  if (back !== v) outOfRange(field, v, `in a ${bits}-bit ${signed ? "signed" : "unsigned"} field`);
  return v;
}

/** enumValue checks a value for an 8-byte enum: a safe integer or a bigint that fits 64 bits. */
export function enum64(v: number | bigint, signed: boolean, field: string): bigint {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) outOfRange(field, v, "in a 64-bit enum (not a safe integer; use a bigint)");
    v = BigInt(v);
  }
  return bigIntN(v, 64, signed, field);
}

/** boolean checks a value for a `bool` field. */
export function boolean(v: boolean, field: string): boolean {
  if (typeof v !== "boolean") notA(field, v, "a boolean");
  return v;
}

/** float checks a value for a `float`/`double` field (any number; float fields round it). */
export function float(v: number, field: string): number {
  if (typeof v !== "number") notA(field, v, "a number");
  return v;
}
