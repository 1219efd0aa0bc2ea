/**
 * Bitfield and odd-size integer access over a DataView.
 *
 * A bitfield is `width` bits starting `shift` bits (0..7) into the byte at `byteOffset`.
 * Only the bytes that hold those bits are touched (at most 5 for width ≤ 32, 9 for 64),
 * so a bitfield at the end of a buffer never reads past it. Bit numbering follows BTF:
 * on little-endian data bit 0 is the least significant bit of the first byte; on
 * big-endian data it is the most significant.
 */

const POW2: number[] = Array.from({ length: 54 }, (_, i) => 2 ** i);

// Reads `n` (1..5) bytes as an unsigned integer; exact, since 40 bits fit a double.
function readSpan(dv: DataView, off: number, n: number, le: boolean): number {
  switch (n) {
    case 1:
      return dv.getUint8(off);
    case 2:
      return dv.getUint16(off, le);
    case 3:
      return le
        ? dv.getUint16(off, true) + dv.getUint8(off + 2) * 0x10000
        : dv.getUint16(off, false) * 0x100 + dv.getUint8(off + 2);
    case 4:
      return dv.getUint32(off, le);
    default:
      return le
        ? dv.getUint32(off, true) + dv.getUint8(off + 4) * 0x100000000
        : dv.getUint32(off, false) * 0x100 + dv.getUint8(off + 4);
  }
}

function writeSpan(dv: DataView, off: number, n: number, v: number, le: boolean): void {
  switch (n) {
    case 1:
      dv.setUint8(off, v);
      return;
    case 2:
      dv.setUint16(off, v, le);
      return;
    case 3:
      if (le) {
        dv.setUint16(off, v % 0x10000, true);
        dv.setUint8(off + 2, Math.floor(v / 0x10000));
      } else {
        dv.setUint16(off, Math.floor(v / 0x100), false);
        dv.setUint8(off + 2, v % 0x100);
      }
      return;
    case 4:
      dv.setUint32(off, v, le);
      return;
    default:
      if (le) {
        dv.setUint32(off, v % 0x100000000, true);
        dv.setUint8(off + 4, Math.floor(v / 0x100000000));
      } else {
        dv.setUint32(off, Math.floor(v / 0x100), false);
        dv.setUint8(off + 4, v % 0x100);
      }
  }
}

/** readBits reads a bitfield of 1..32 bits as a number (sign-extended when `signed`). */
export function readBits(dv: DataView, byteOffset: number, shift: number, width: number, signed: boolean, le: boolean): number {
  const n = (shift + width + 7) >> 3;
  const span = readSpan(dv, byteOffset, n, le);
  const low = le ? shift : n * 8 - shift - width;
  const v = Math.floor(span / POW2[low]!) % POW2[width]!;
  return signed && v >= POW2[width - 1]! ? v - POW2[width]! : v;
}

/** writeBits writes a bitfield of 1..32 bits; `value` must already be range-checked. Other bits are kept. */
export function writeBits(dv: DataView, byteOffset: number, shift: number, width: number, value: number, le: boolean): void {
  const n = (shift + width + 7) >> 3;
  const span = readSpan(dv, byteOffset, n, le);
  const low = le ? shift : n * 8 - shift - width;
  const old = Math.floor(span / POW2[low]!) % POW2[width]!;
  const unsigned = value < 0 ? value + POW2[width]! : value;
  writeSpan(dv, byteOffset, n, span + (unsigned - old) * POW2[low]!, le);
}

function readBigSpan(dv: DataView, off: number, n: number, le: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < n; i++) {
    const b = BigInt(dv.getUint8(le ? off + n - 1 - i : off + i));
    v = (v << 8n) | b;
  }
  return v;
}

function writeBigSpan(dv: DataView, off: number, n: number, v: bigint, le: boolean): void {
  for (let i = 0; i < n; i++) {
    dv.setUint8(le ? off + i : off + n - 1 - i, Number(v & 0xffn));
    v >>= 8n;
  }
}

/** readBigBits reads a bitfield of any width up to 64 bits (or more) as a bigint. */
export function readBigBits(dv: DataView, byteOffset: number, shift: number, width: number, signed: boolean, le: boolean): bigint {
  const n = (shift + width + 7) >> 3;
  const low = BigInt(le ? shift : n * 8 - shift - width);
  const v = BigInt.asUintN(width, readBigSpan(dv, byteOffset, n, le) >> low);
  return signed ? BigInt.asIntN(width, v) : v;
}

/** writeBigBits writes a bitfield of any width; `value` must already be range-checked. */
export function writeBigBits(dv: DataView, byteOffset: number, shift: number, width: number, value: bigint, le: boolean): void {
  const n = (shift + width + 7) >> 3;
  const low = BigInt(le ? shift : n * 8 - shift - width);
  const mask = ((1n << BigInt(width)) - 1n) << low;
  const span = readBigSpan(dv, byteOffset, n, le);
  writeBigSpan(dv, byteOffset, n, (span & ~mask) | ((BigInt.asUintN(width, value) << low) & mask), le);
}

/** readBigInt reads a whole integer of any byte size (e.g. 16 for `__int128`) as a bigint. */
export function readBigInt(dv: DataView, byteOffset: number, size: number, signed: boolean, le: boolean): bigint {
  const v = readBigSpan(dv, byteOffset, size, le);
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

/** writeBigInt writes a whole integer of any byte size; `value` must already be range-checked. */
export function writeBigInt(dv: DataView, byteOffset: number, size: number, value: bigint, le: boolean): void {
  writeBigSpan(dv, byteOffset, size, BigInt.asUintN(size * 8, value), le);
}

/** readEnum64 reads an 8-byte enum: a number when the value is a safe integer, else a bigint (as the generated constants are). */
export function readEnum64(dv: DataView, byteOffset: number, signed: boolean, le: boolean): number | bigint {
  const v = signed ? dv.getBigInt64(byteOffset, le) : dv.getBigUint64(byteOffset, le);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}
