/**
 * The BTF type model: what `parseBtf` produces from raw `.BTF` bytes and what JSON
 * descriptions lower to. Plain data; type id 0 is `void` and is never stored.
 * Field names follow Documentation/bpf/btf.rst.
 */

/** BTF_KIND_* values as the kernel numbers them (include/uapi/linux/btf.h). */
export const BTF_KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export type BtfKindName =
  | "int"
  | "ptr"
  | "array"
  | "struct"
  | "union"
  | "enum"
  | "fwd"
  | "typedef"
  | "volatile"
  | "const"
  | "restrict"
  | "func"
  | "func_proto"
  | "var"
  | "datasec"
  | "float"
  | "decl_tag"
  | "type_tag"
  | "enum64";

interface Base {
  /** Type id (1-based; 0 is void). */
  readonly id: number;
  /** Name, "" when anonymous. */
  readonly name: string;
}

/** BTF_KIND_INT. `bits`/`offset` are BTF_INT_BITS/BTF_INT_OFFSET of the int encoding. */
export interface BtfInt extends Base {
  readonly kind: "int";
  readonly size: number;
  readonly bits: number;
  readonly offset: number;
  readonly signed: boolean;
  readonly char: boolean;
  readonly bool: boolean;
}

export interface BtfPtr extends Base {
  readonly kind: "ptr";
  readonly type: number;
}

export interface BtfArray extends Base {
  readonly kind: "array";
  /** Element type id. */
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset of the member from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  readonly bitfieldSize: number;
}

export interface BtfComposite extends Base {
  readonly kind: "struct" | "union";
  readonly size: number;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumValue {
  readonly name: string;
  readonly value: number;
}

export interface BtfEnum extends Base {
  readonly kind: "enum";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}

export interface BtfEnum64Value {
  readonly name: string;
  readonly value: bigint;
}

export interface BtfEnum64 extends Base {
  readonly kind: "enum64";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnum64Value[];
}

export interface BtfFwd extends Base {
  readonly kind: "fwd";
  /** true for `union foo;`, false for `struct foo;`. */
  readonly union: boolean;
}

/** typedef, volatile, const, restrict and type_tag: a name (or not) over another type. */
export interface BtfRef extends Base {
  readonly kind: "typedef" | "volatile" | "const" | "restrict" | "type_tag";
  readonly type: number;
}

export type BtfLinkage = "static" | "global" | "extern";

export interface BtfFunc extends Base {
  readonly kind: "func";
  /** The FUNC_PROTO type id. */
  readonly type: number;
  readonly linkage: BtfLinkage;
}

export interface BtfParam {
  readonly name: string;
  /** 0 together with an empty name marks a variadic `...`. */
  readonly type: number;
}

export interface BtfFuncProto extends Base {
  readonly kind: "func_proto";
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends Base {
  readonly kind: "var";
  readonly type: number;
  /** BTF_VAR_STATIC → static, BTF_VAR_GLOBAL_ALLOCATED → global, BTF_VAR_GLOBAL_EXTERN → extern. */
  readonly linkage: BtfLinkage;
}

export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends Base {
  readonly kind: "datasec";
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat extends Base {
  readonly kind: "float";
  readonly size: number;
}

export interface BtfDeclTag extends Base {
  readonly kind: "decl_tag";
  readonly type: number;
  /** Member or parameter index the tag applies to; -1 for the type itself. */
  readonly componentIdx: number;
  /** kind_flag set: an `__attribute__` tag rather than `btf_decl_tag`. */
  readonly attribute: boolean;
}

export interface BtfTypeTag extends BtfRef {
  readonly kind: "type_tag";
  /** kind_flag set: an `__attribute__` tag. */
  readonly attribute?: boolean;
}

export type BtfType =
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfRef
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

export type ByteOrder = "little" | "big";
