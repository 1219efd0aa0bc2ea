export { BpfSkelError, type ErrorPlace } from "./base.js";
export * from "./kinds.js";
