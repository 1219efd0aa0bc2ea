export { DisposableStack } from "./disposable-stack.js";
