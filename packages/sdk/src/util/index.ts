export { DisposableStack, runAll } from "./disposable-stack.js";
