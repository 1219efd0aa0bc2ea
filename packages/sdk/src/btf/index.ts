export * from "./types.js";
export { Btf } from "./btf.js";
export * from "./layout.js";
export { cTypeName } from "./c-names.js";
export { parseBtf, type ParseOptions } from "./parse.js";
export { isRawBtf, BTF_MAGIC } from "./header.js";
export { encodeBtf, type EncodeOptions } from "./encode.js";
