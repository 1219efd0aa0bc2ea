import { readdirSync } from "node:fs";
import { expect } from "vitest";

/** fdCount counts this process's open file descriptors (/proc/self/fd): the leak check. */
export function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/** caught runs `fn` and returns what it threw; it fails the test when nothing was thrown. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

/** expectFailure runs `fn` and checks it throws an error `guard` accepts (and nothing else). */
export function expectFailure(fn: () => unknown, guard: (e: unknown) => boolean): void {
  const err = caught(fn);
  expect(guard(err), String(err)).toBe(true);
}
