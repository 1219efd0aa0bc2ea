export { VERSION, generateAccessors, type GenerateOptions } from "./generate.js";
export { pascalCase } from "./names.js";
export { buildPlan, findType, type Plan } from "./plan.js";
