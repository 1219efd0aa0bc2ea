import { bytesOf, checkSpan } from "./buffer.js";
import type { Element } from "./elements.js";
import type { JsonValue } from "./json.js";

/** Values is what array setters accept: any iterable or array-like of element values. */
export type Values<T> = Iterable<T> | ArrayLike<T>;

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * ArrayView is a live, bounds-checked view of a C array: `length`, `get(i)`, `set(i, v)`,
 * iteration. Elements of a multi-dimensional array are ArrayViews themselves.
 */
export class ArrayView<T, In = T> implements Iterable<T> {
  // `declare`d: emitted class fields would cost every construction (see StructView).
  declare readonly $view: DataView;
  declare readonly $offset: number;
  declare readonly length: number;
  /** element says how one element is read and written. */
  declare readonly element: Element<T, In>;
  /** field names the array in error messages (`task_ctx.comm`). */
  declare readonly field: string;

  constructor(view: DataView, byteOffset: number, length: number, element: Element<T, In>, field: string) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`${field}: bad array length ${length}`);
    checkSpan(view, byteOffset, length * element.size, field);
    this.$view = view;
    this.$offset = byteOffset;
    this.length = length;
    this.element = element;
    this.field = field;
  }

  #index(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`${this.field}: index ${i} out of range [0, ${this.length})`);
    }
    return this.$offset + i * this.element.size;
  }

  /** get returns element `i`; throws RangeError outside [0, length). */
  get(i: number): T {
    return this.element.get(this.$view, this.#index(i), `${this.field}[${i}]`);
  }

  /** set writes element `i`; throws RangeError outside [0, length) or when the value does not fit. */
  set(i: number, value: In): void {
    this.element.set(this.$view, this.#index(i), value, `${this.field}[${i}]`);
  }

  /** assign writes every element from `values`, which must have exactly `length` items. */
  assign(values: Values<In>): void {
    const list = Array.isArray(values) ? (values as In[]) : Array.from(values as Iterable<In>);
    if (list.length !== this.length) {
      throw new RangeError(`${this.field}: expected ${this.length} elements, got ${list.length}`);
    }
    for (let i = 0; i < list.length; i++) this.set(i, list[i]!);
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  /** toArray copies the elements into a plain array. */
  toArray(): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  /** $bytes returns the array's bytes as a live Uint8Array (no copy). */
  $bytes(): Uint8Array {
    return bytesOf(this.$view, this.$offset, this.length * this.element.size);
  }

  toJSON(): JsonValue {
    return this.toArray().map((v) => this.element.json(v));
  }

  toString(): string {
    return JSON.stringify(this.toJSON());
  }

  [inspectCustom](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return inspect(this.toJSON(), options);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/**
 * CharArrayView is an ArrayView of a `char[N]` with C-string helpers. Strings are UTF-8,
 * NUL-terminated, and the terminating NUL must fit: `setString` accepts at most N - 1
 * bytes, so C code can always treat the array as a string.
 */
export class CharArrayView extends ArrayView<number, number> {
  /** getString decodes the bytes up to the first NUL (or all N when there is none) as UTF-8. */
  getString(): string {
    const bytes = this.$bytes();
    const end = bytes.indexOf(0);
    // TextDecoder rejects views of a SharedArrayBuffer, so decode a copy.
    return decoder.decode(bytes.slice(0, end === -1 ? bytes.length : end));
  }

  /**
   * setString writes `s` as UTF-8 and zero-fills the rest, as `strncpy` does. Throws
   * RangeError when `s` plus its NUL does not fit, or when `s` contains a NUL.
   */
  setString(s: string): void {
    const bytes = encoder.encode(s);
    if (bytes.includes(0)) throw new RangeError(`${this.field}: string contains a NUL character`);
    if (bytes.length > this.length - 1) {
      throw new RangeError(`${this.field}: string of ${bytes.length} bytes does not fit char[${this.length}] with its NUL`);
    }
    const dst = this.$bytes();
    dst.set(bytes);
    dst.fill(0, bytes.length);
  }

  /** assign takes a string (as setString) or exactly `length` numbers. */
  override assign(values: string | Values<number>): void {
    if (typeof values === "string") this.setString(values);
    else super.assign(values);
  }

  /** toJSON returns the string (see getString). */
  override toJSON(): JsonValue {
    return this.getString();
  }

  override toString(): string {
    return this.getString();
  }
}
