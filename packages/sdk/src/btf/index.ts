export * from "./types.js";
export { Btf } from "./btf.js";
