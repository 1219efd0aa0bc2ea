export const RUNTIME = "sim";
