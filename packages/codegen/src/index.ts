export * from "./accessors/index.js";
export { toJavaScript } from "./accessors/js.js";
export { gen, stem, type GenOptions } from "./cli/gen.js";
export { main } from "./cli/main.js";
export { readTypes, type TypesFormat } from "./cli/read-types.js";
