import type { StringTable } from "./strings.js";
import type {
  BtfComposite,
  BtfDatasec,
  BtfEnum,
  BtfEnum64,
  BtfEnum64Value,
  BtfEnumValue,
  BtfFuncProto,
  BtfMember,
  BtfParam,
  BtfVarSecinfo,
} from "./types.js";

/**
 * RawSection is what a lazy list needs to decode itself after the parse: a copy of the
 * type section, its byte order and the string table. parseBtf validated every record and string offset
 * before handing types out, so decoding here cannot fail.
 */
export interface RawSection {
  readonly dv: DataView;
  readonly le: boolean;
  readonly strings: StringTable;
}

// Why lazy: vmlinux has ~170k members/params/enum values; building them eagerly is ~27 MB
// of objects and garbage collection dominated the parse. Each list is an own, enumerable
// accessor property (one shared getter per kind, so instances share a hidden class), so
// spreads, Object.keys, JSON.stringify and toEqual see it exactly like a data property.
// The decoded array is memoized: repeated reads return the same array.
const lazy = <T>(decode: Decoder<T>) =>
  function (this: LazyList<T>): readonly T[] {
    return this.list(decode);
  };

// Annex B's Object.prototype.__defineGetter__ defines an own, enumerable (and configurable)
// accessor, like Object.defineProperty with {get, enumerable: true, configurable: true},
// but about twice as fast in V8 (no descriptor object to read), and a vmlinux parse makes
// ~45k of these.
const defineGetter = (Object.prototype as unknown as { __defineGetter__: (this: object, key: string, get: () => unknown) => void })
  .__defineGetter__;

/** Decoder reads `vlen` records starting at byte `pos`; `kflag` is the type's kind_flag. */
type Decoder<T> = (raw: RawSection, pos: number, vlen: number, kflag: boolean) => T[];

/**
 * LazyList holds what a lazy type needs in two slots (vmlinux has ~45k of them): the
 * offset of its btf_type record in the type section and, until the first read, the raw section, then the
 * decoded array. vlen and kind_flag are re-read from the record's info word.
 */
abstract class LazyList<T> {
  readonly #at: number;
  #state: RawSection | T[];

  constructor(raw: RawSection, at: number) {
    this.#at = at;
    this.#state = raw;
  }

  /** list decodes the records after the btf_type once and returns the same array afterwards. */
  protected list(decode: Decoder<T>): T[] {
    const state = this.#state;
    if (Array.isArray(state)) return state;
    const info = state.dv.getUint32(this.#at + 4, state.le);
    return (this.#state = decode(state, this.#at + 12, info & 0xffff, info >>> 31 === 1));
  }
}

const decodeMembers: Decoder<BtfMember> = ({ dv, le, strings }, pos, vlen, kflag) => {
  const list: BtfMember[] = new Array(vlen);
  for (let i = 0; i < vlen; i++, pos += 12) {
    const off = dv.getUint32(pos + 8, le);
    list[i] = {
      name: strings.read(dv.getUint32(pos, le)),
      type: dv.getUint32(pos + 4, le),
      bitOffset: kflag ? off & 0xffffff : off,
      bitfieldSize: kflag ? off >>> 24 : 0,
    };
  }
  return list;
};

const decodeEnum: Decoder<BtfEnumValue> = ({ dv, le, strings }, pos, vlen, signed) => {
  const list: BtfEnumValue[] = new Array(vlen);
  for (let i = 0; i < vlen; i++, pos += 8) {
    list[i] = { name: strings.read(dv.getUint32(pos, le)), value: signed ? dv.getInt32(pos + 4, le) : dv.getUint32(pos + 4, le) };
  }
  return list;
};

const decodeEnum64: Decoder<BtfEnum64Value> = ({ dv, le, strings }, pos, vlen, signed) => {
  const list: BtfEnum64Value[] = new Array(vlen);
  for (let i = 0; i < vlen; i++, pos += 12) {
    const lo = BigInt(dv.getUint32(pos + 4, le));
    const hi = signed ? BigInt(dv.getInt32(pos + 8, le)) : BigInt(dv.getUint32(pos + 8, le));
    list[i] = { name: strings.read(dv.getUint32(pos, le)), value: (hi << 32n) | lo };
  }
  return list;
};

const decodeParams: Decoder<BtfParam> = ({ dv, le, strings }, pos, vlen) => {
  const list: BtfParam[] = new Array(vlen);
  for (let i = 0; i < vlen; i++, pos += 8) list[i] = { name: strings.read(dv.getUint32(pos, le)), type: dv.getUint32(pos + 4, le) };
  return list;
};

const decodeVars: Decoder<BtfVarSecinfo> = ({ dv, le }, pos, vlen) => {
  const list: BtfVarSecinfo[] = new Array(vlen);
  for (let i = 0; i < vlen; i++, pos += 12) {
    list[i] = { type: dv.getUint32(pos, le), offset: dv.getUint32(pos + 4, le), size: dv.getUint32(pos + 8, le) };
  }
  return list;
};

const MEMBERS = lazy(decodeMembers);
const ENUM_VALUES = lazy(decodeEnum);
const ENUM64_VALUES = lazy(decodeEnum64);
const PARAMS = lazy(decodeParams);
const VARS = lazy(decodeVars);

// Each class sets its public fields in the order an object literal of the kind had them,
// the list last, so key order (and so JSON and snapshots) is unchanged. `at` is the
// offset of the type's btf_type record in RawSection.dv.

/** LazyComposite is a BTF_KIND_STRUCT/UNION whose `members` decode on first read. */
export class LazyComposite extends LazyList<BtfMember> implements BtfComposite {
  readonly kind: "struct" | "union";
  readonly id: number;
  readonly name: string;
  readonly size: number;
  declare readonly members: readonly BtfMember[];

  constructor(kind: "struct" | "union", id: number, name: string, size: number, raw: RawSection, at: number) {
    super(raw, at);
    this.kind = kind;
    this.id = id;
    this.name = name;
    this.size = size;
    defineGetter.call(this, "members", MEMBERS);
  }
}

/** LazyEnum is a BTF_KIND_ENUM whose `values` decode on first read. */
export class LazyEnum extends LazyList<BtfEnumValue> implements BtfEnum {
  readonly kind = "enum" as const;
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  declare readonly values: readonly BtfEnumValue[];

  constructor(id: number, name: string, size: number, signed: boolean, raw: RawSection, at: number) {
    super(raw, at);
    this.id = id;
    this.name = name;
    this.size = size;
    this.signed = signed;
    defineGetter.call(this, "values", ENUM_VALUES);
  }
}

/** LazyEnum64 is a BTF_KIND_ENUM64 whose `values` decode on first read. */
export class LazyEnum64 extends LazyList<BtfEnum64Value> implements BtfEnum64 {
  readonly kind = "enum64" as const;
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  declare readonly values: readonly BtfEnum64Value[];

  constructor(id: number, name: string, size: number, signed: boolean, raw: RawSection, at: number) {
    super(raw, at);
    this.id = id;
    this.name = name;
    this.size = size;
    this.signed = signed;
    defineGetter.call(this, "values", ENUM64_VALUES);
  }
}

/** LazyFuncProto is a BTF_KIND_FUNC_PROTO whose `params` decode on first read. */
export class LazyFuncProto extends LazyList<BtfParam> implements BtfFuncProto {
  readonly kind = "func_proto" as const;
  readonly id: number;
  readonly name: string;
  readonly returnType: number;
  declare readonly params: readonly BtfParam[];

  constructor(id: number, name: string, returnType: number, raw: RawSection, at: number) {
    super(raw, at);
    this.id = id;
    this.name = name;
    this.returnType = returnType;
    defineGetter.call(this, "params", PARAMS);
  }
}

/** LazyDatasec is a BTF_KIND_DATASEC whose `vars` decode on first read. */
export class LazyDatasec extends LazyList<BtfVarSecinfo> implements BtfDatasec {
  readonly kind = "datasec" as const;
  readonly id: number;
  readonly name: string;
  readonly size: number;
  declare readonly vars: readonly BtfVarSecinfo[];

  constructor(id: number, name: string, size: number, raw: RawSection, at: number) {
    super(raw, at);
    this.id = id;
    this.name = name;
    this.size = size;
    defineGetter.call(this, "vars", VARS);
  }
}

