/** JsonValue is what `toJSON()` of a view returns: plain data that JSON.stringify accepts. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** hex spells a pointer value for toJSON: `0xffff888012345678`. */
export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** jsonInt spells a bigint integer for toJSON as a decimal string (JSON has no 64-bit integers). */
export function jsonInt(v: bigint | number): string | number {
  return typeof v === "bigint" ? v.toString() : v;
}
