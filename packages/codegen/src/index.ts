export * from "./accessors/index.js";
export { toJavaScript } from "./accessors/js.js";
export { main } from "./cli/main.js";
