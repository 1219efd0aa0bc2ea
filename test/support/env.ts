import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** inCI is true under CI=true, where a kernel or clang test that cannot run is a failure, not a skip. */
export const inCI = process.env.CI === "true" || process.env.CI === "1";

/**
 * unavailable returns why a prerequisite is missing, or undefined when it is there.
 * Tests call `requirement(...)` with it: outside CI a missing prerequisite skips with the reason;
 * in CI it fails.
 */
export function clang19Missing(): string | undefined {
  try {
    execFileSync(clangPath(), ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "clang-19 not found (apt-get install -y clang-19 llvm-19)";
  }
}

export function clangPath(): string {
  return process.env.CLANG ?? "clang-19";
}

export function rootMissing(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root for bpf(2)";
  if (!existsSync("/sys/kernel/btf/vmlinux")) return "no /sys/kernel/btf/vmlinux";
  return undefined;
}

/**
 * requirement turns a missing prerequisite into a vitest skip (with the reason printed) or,
 * in CI, into a failure. Use as `describe.skipIf(requirement(clang19Missing()))(...)`.
 */
export function requirement(missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (inCI) throw new Error(`CI=true but a test prerequisite is missing: ${missing}`);
  console.warn(`skipping: ${missing}`);
  return true;
}
