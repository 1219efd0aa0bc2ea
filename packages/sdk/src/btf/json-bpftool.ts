import { DescriptionError, isBtfError } from "../errors/index.js";
import { Btf } from "./btf.js";
import type { Doc } from "./json-path.js";
import type { BtfLinkage, BtfType } from "./types.js";
import { validateModel } from "./validate.js";

const U32 = 0xffffffff;
const LINKAGES = ["static", "global", "extern"] as const;

/** isBpftoolDump says whether a parsed document looks like `bpftool btf dump ... format raw -j` output. */
export function isBpftoolDump(doc: Doc): boolean {
  return doc.isObject() && Array.isArray((doc.value as { types?: unknown }).types);
}

/**
 * lowerBpftoolDump turns `bpftool btf dump file X format raw -j` output into a Btf: ids
 * must run 1, 2, 3…; names "(anon)" are anonymous; enum values are taken modulo their
 * size (bpftool prints 32-bit values sign-extended to 64 bits). The result is checked
 * like parsed BTF; problems are DescriptionErrors naming the JSON path.
 */
export function lowerBpftoolDump(doc: Doc): Btf {
  const types: BtfType[] = doc
    .object(["types"])
    .at("types")
    .items()
    .map((d, i) => lowerType(d, i + 1));
  try {
    validateModel(types, doc.input);
  } catch (e) {
    if (!isBtfError(e)) throw e;
    const id = e.typeId ?? 0;
    throw new DescriptionError(e.reason, { input: doc.input, path: `/types/${Math.max(0, id - 1)}` }, { cause: e });
  }
  return new Btf(types, { input: doc.input });
}

const name = (d: Doc): string => {
  const s = d.string();
  return s === "(anon)" ? "" : s;
};
const u32 = (d: Doc): number => d.integer(0, U32);
const linkage = (d: Doc): BtfLinkage => {
  const s = d.string();
  if (!(LINKAGES as readonly string[]).includes(s)) d.fail(`unknown linkage "${s}"`);
  return s as BtfLinkage;
};

function lowerType(d: Doc, id: number): BtfType {
  d.object();
  if (d.at("id").integer() !== id) d.at("id").fail(`expected id ${id}: bpftool numbers types 1, 2, 3…`);
  const base = { id, name: name(d.at("name")) };
  const kind = d.at("kind").string();
  switch (kind) {
    case "INT": {
      const enc = d.at("encoding").string();
      if (!["(none)", "SIGNED", "CHAR", "BOOL"].includes(enc)) d.at("encoding").fail(`unknown int encoding "${enc}"`);
      return {
        kind: "int", ...base, size: u32(d.at("size")), bits: d.at("nr_bits").integer(0, 128), offset: d.at("bits_offset").integer(0, 255),
        signed: enc === "SIGNED", char: enc === "CHAR", bool: enc === "BOOL",
      };
    }
    case "PTR":
    case "TYPEDEF":
    case "VOLATILE":
    case "CONST":
    case "RESTRICT":
    case "TYPE_TAG":
      return { kind: kind.toLowerCase() as "ptr", ...base, type: u32(d.at("type_id")) };
    case "ARRAY":
      return { kind: "array", ...base, type: u32(d.at("type_id")), indexType: u32(d.at("index_type_id")), nelems: u32(d.at("nr_elems")) };
    case "STRUCT":
    case "UNION":
      return {
        kind: kind === "STRUCT" ? "struct" : "union", ...base, size: u32(d.at("size")),
        members: d.at("members").items().map((m) => ({
          name: name(m.object().at("name")),
          type: u32(m.at("type_id")),
          bitOffset: u32(m.at("bits_offset")),
          bitfieldSize: m.has("bitfield_size") ? m.at("bitfield_size").integer(0, 255) : 0,
        })),
      };
    case "ENUM":
    case "ENUM64": {
      const signed = d.at("encoding").string() === "SIGNED";
      const size = d.at("size").integer(1, 8);
      const values = d.at("values").items().map((v) => ({ name: name(v.object().at("name")), raw: v.at("val").bigint() }));
      if (kind === "ENUM64") {
        return { kind: "enum64", ...base, size, signed, values: values.map((v) => ({ name: v.name, value: signed ? BigInt.asIntN(64, v.raw) : BigInt.asUintN(64, v.raw) })) };
      }
      return {
        kind: "enum", ...base, size, signed,
        values: values.map((v) => ({ name: v.name, value: Number(signed ? BigInt.asIntN(32, v.raw) : BigInt.asUintN(32, v.raw)) })),
      };
    }
    case "FWD": {
      const fk = d.at("fwd_kind").string();
      if (fk !== "struct" && fk !== "union") d.at("fwd_kind").fail(`unknown fwd_kind "${fk}"`);
      return { kind: "fwd", ...base, union: fk === "union" };
    }
    case "FUNC":
      return { kind: "func", ...base, type: u32(d.at("type_id")), linkage: linkage(d.at("linkage")) };
    case "FUNC_PROTO":
      return {
        kind: "func_proto", ...base, returnType: u32(d.at("ret_type_id")),
        params: d.at("params").items().map((p) => ({ name: name(p.object().at("name")), type: u32(p.at("type_id")) })),
      };
    case "VAR":
      return { kind: "var", ...base, type: u32(d.at("type_id")), linkage: linkage(d.at("linkage")) };
    case "DATASEC":
      return {
        kind: "datasec", ...base, size: u32(d.at("size")),
        vars: d.at("vars").items().map((v) => ({ type: u32(v.object().at("type_id")), offset: u32(v.at("offset")), size: u32(v.at("size")) })),
      };
    case "FLOAT":
      return { kind: "float", ...base, size: u32(d.at("size")) };
    case "DECL_TAG":
      return { kind: "decl_tag", ...base, type: u32(d.at("type_id")), componentIdx: d.at("component_idx").integer(-1, U32), attribute: false };
    default:
      return d.at("kind").fail(`unknown kind "${kind}"`);
  }
}
