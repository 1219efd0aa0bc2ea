export * from "./types.js";
export { Btf } from "./btf.js";
export * from "./layout.js";
export { cTypeName } from "./c-names.js";
