/** BufferTarget is what views wrap: a whole buffer, or a typed array / DataView into one. */
export type BufferTarget = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/** dataViewOf returns a DataView over `target`'s bytes (no copy); a DataView is returned as is. */
export function dataViewOf(target: BufferTarget): DataView {
  if (target instanceof DataView) return target;
  if (ArrayBuffer.isView(target)) return new DataView(target.buffer, target.byteOffset, target.byteLength);
  if (target instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && target instanceof SharedArrayBuffer)) {
    return new DataView(target);
  }
  throw new TypeError("expected an ArrayBuffer, SharedArrayBuffer or ArrayBufferView");
}

/**
 * viewLength returns `dv.byteLength`, remembering the last DataView asked about: the getter is a
 * runtime call on Node 20 (~15 ns, not inlined), and views are nearly always made on one shared
 * DataView (a LocalStorage's, a mapping's). Views of resizable or growable buffers are not
 * remembered: their length can change.
 */
let lastView: DataView | undefined;
let lastLength = 0;
export function viewLength(dv: DataView): number {
  if (dv === lastView) return lastLength;
  const n = dv.byteLength;
  const b = dv.buffer as { resizable?: boolean; growable?: boolean };
  if (b.resizable !== true && b.growable !== true) {
    lastView = dv;
    lastLength = n;
  }
  return n;
}

/** checkSpan throws a RangeError unless `size` bytes at `offset` lie inside `dv`. */
export function checkSpan(dv: DataView, offset: number, size: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > viewLength(dv)) {
    throw new RangeError(`${what}: ${size} bytes at offset ${offset} do not fit a ${dv.byteLength}-byte buffer`);
  }
}

/** bytesOf returns a Uint8Array over `size` bytes at `offset` of `dv` (no copy). */
export function bytesOf(dv: DataView, offset: number, size: number): Uint8Array {
  return new Uint8Array(dv.buffer, dv.byteOffset + offset, size);
}
