import { bytesOf, checkSpan, viewLength } from "./buffer.js";
import type { JsonObject } from "./json.js";

/** FieldInfo describes one member of a generated struct view (`static fields`). */
export interface FieldInfo {
  /** C member name (members of anonymous structs/unions appear under their own names). */
  readonly name: string;
  /** C type as written in a cast: `unsigned int`, `char[16]`, `struct foo *`. */
  readonly cType: string;
  /** Offset from the start of the struct, in bits (as BTF gives it). */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 unless the member is a bitfield. */
  readonly bitSize: number;
  /** Byte size of the member; for a bitfield, the size of its storage unit. */
  readonly size: number;
}

/** StructClass is the static side of a generated view class. */
export interface StructClass<V extends StructView = StructView> {
  new (view: DataView, byteOffset?: number): V;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldInfo[];
}

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * fits is the fast bounds test of the constructor and $moveTo: an int32 offset from 0 to
 * `lastOffset`. Anything else (offsets of buffers past 2 GiB too) goes to checkSpan, which
 * settles it and names the class in its error.
 */
const fits = (byteOffset: number, lastOffset: number): boolean => (byteOffset | 0) === byteOffset && byteOffset >= 0 && byteOffset <= lastOffset;

/**
 * pinView marks a view its owner hands out again and again (LocalStorage's view per slot):
 * `$moveTo` then throws instead of re-pointing a view others hold for another record.
 */
export function pinView<V extends StructView>(view: V): V {
  (view as { $limit: number }).$limit = -1;
  return view;
}

/**
 * StructView is the base of generated struct and union views: a live window of `size`
 * bytes at `$offset` in `$view`. Reads and writes go straight to the buffer; the DataView
 * is made once (by `wrap`) and shared with nested views. The `$` names cannot clash with
 * C member names.
 */
export abstract class StructView {
  /** $view is the DataView the struct lives in (shared with nested views). */
  declare readonly $view: DataView;
  /** $offset is the struct's byte offset inside `$view`. */
  declare readonly $offset: number;

  /**
   * $limit is the highest offset the struct fits at: `$moveTo` checks against it because a
   * DataView's byteLength getter is not inlined and would cost more than the move. -1 marks a
   * pinned view (see pinView).
   *
   * The three fields are `declare`d, and plain rather than #private: on Node 20 a class field
   * definition (what an undeclared field or a #private one emits) makes each construction of
   * any view ~3× slower (~22 ns against ~7 ns), and every wrap, nested member and first read of
   * a storage entry makes one.
   */
  declare readonly $limit: number;

  constructor(view: DataView, byteOffset = 0) {
    const type = new.target as unknown as StructClass;
    const lastOffset = viewLength(view) - type.size;
    if (!fits(byteOffset, lastOffset)) checkSpan(view, byteOffset, type.size, type.name);
    this.$view = view;
    this.$offset = byteOffset;
    this.$limit = lastOffset;
  }

  /**
   * $moveTo re-points this view at the struct at `byteOffset` of the same DataView and returns
   * it: one view used as a cursor over many records, with no object per record. Generated
   * getters of nested members notice the move and make their nested view anew; a nested view
   * taken out before the move keeps pointing at the old record.
   */
  $moveTo(byteOffset: number): this {
    if (!fits(byteOffset, this.$limit)) {
      const type = this.constructor as StructClass;
      if (this.$limit === -1) {
        throw new TypeError(`${type.name}: this view belongs to its owner (a LocalStorage's one view per slot) and stays where it is; wrap a view of your own to move it`);
      }
      checkSpan(this.$view, byteOffset, type.size, type.name);
    }
    (this as { $offset: number }).$offset = byteOffset;
    return this;
  }

  /** $bytes returns the struct's bytes as a live Uint8Array (no copy). */
  $bytes(): Uint8Array {
    return bytesOf(this.$view, this.$offset, (this.constructor as StructClass).size);
  }

  /** $assign copies the bytes of `src`, a view of `type`, over the member at `relOffset`. */
  protected $assign(relOffset: number, src: StructView, type: StructClass, field: string): void {
    if (!(src instanceof type)) throw new TypeError(`${field}: expected a ${type.name} view`);
    bytesOf(this.$view, this.$offset + relOffset, type.size).set(bytesOf(src.$view, src.$offset, type.size));
  }

  /** toJSON returns the members as plain data; see docs/generated-accessors.md for how 64-bit values are spelled. */
  abstract toJSON(): JsonObject;

  toString(): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }

  [inspectCustom](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `${this.constructor.name} ${inspect(this.toJSON(), options)}`;
  }
}
