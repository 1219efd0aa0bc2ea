export { ArrayView, CharArrayView, type Values } from "./array-view.js";
export { readBigBits, readBigInt, readBits, readEnum64, writeBigBits, writeBigInt, writeBits } from "./bits.js";
export { bytesOf, checkSpan, dataViewOf, type BufferTarget } from "./buffer.js";
export * as check from "./check.js";
export { arrayElement, charArrayElement, elements, structElement, type Element, type Scalars } from "./elements.js";
export { hex, jsonInt, type JsonObject, type JsonValue } from "./json.js";
export { StructView, pinView, type FieldInfo, type StructClass } from "./struct-view.js";
