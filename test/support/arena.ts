/**
 * Arena gating for kernel tests. Some kernels refuse BPF_MAP_TYPE_ARENA outright: the CI VM
 * (6.18, lockdown "integrity") answers BPF_MAP_CREATE of any arena with EPERM, even for root with
 * CAP_BPF and CAP_SYS_ADMIN, while every other map type creates. Where that is so, a test that
 * needs an arena is registered in a second form that runs the same body and checks it fails
 * exactly there, as the kernel's refusal (typed BpfSyscallError, BPF_MAP_CREATE, EPERM, the arena
 * named), and leaks no fd. Only one form is registered, so neither shows up as a skip.
 *
 * The refusal is judged by a C program built here with clang-19 that makes the raw bpf(2) call
 * itself, not by our attr encoder: a bug of ours cannot make the live tests disappear.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isBpfSyscallError, type BpfSyscallError } from "@bpf-skel/sdk/errors";
import { clangPath, rootMissing } from "./env.js";
import { fdCount } from "./leaks.js";

const PROBE_C = String.raw`
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
int main(void) {
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = 33;          /* BPF_MAP_TYPE_ARENA */
	a.max_entries = 1;        /* one page */
	a.map_flags = 1U << 10;   /* BPF_F_MMAPABLE */
	int fd = syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0) { printf("%d %s\n", errno, strerror(errno)); return 0; }
	close(fd);
	printf("0 created\n");
	return 0;
}
`;

let verdict: { refused: string | undefined } | undefined;

/**
 * arenaRefused says why this kernel refuses BPF arenas (the probe's errno and text), or undefined
 * when a 1-page arena creates — or when it cannot be judged (no root, no compiler): then the live
 * tests run, and fail or skip on their own terms.
 */
export function arenaRefused(): string | undefined {
  return (verdict ??= { refused: probe() }).refused;
}

function probe(): string | undefined {
  if (rootMissing() !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "bpf-skel-arena-probe-"));
  try {
    writeFileSync(join(dir, "probe.c"), PROBE_C);
    execFileSync(clangPath(), ["-O1", "-o", join(dir, "probe"), join(dir, "probe.c")], { stdio: "pipe" });
    const out = execFileSync(join(dir, "probe"), { encoding: "utf8" }).trim();
    const [errno, ...text] = out.split(" ");
    return errno === "0" ? undefined : `a raw bpf(2) BPF_MAP_CREATE of a 1-page arena fails with errno ${errno} (${text.join(" ")}) for root`;
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * expectArenaRefused runs `body` and checks that it fails where the kernel refuses the arena:
 * a BpfSyscallError from BPF_MAP_CREATE with EPERM for a map of type 33 that says why (mapCreate's
 * hint), with every fd it opened before closed again.
 */
export async function expectArenaRefused(body: () => unknown): Promise<void> {
  const before = fdCount();
  let error: unknown;
  try {
    await body();
  } catch (e) {
    error = e;
  }
  expect(isBpfSyscallError(error), `expected the kernel's arena refusal, got ${String(error)}`).toBe(true);
  const e = error as BpfSyscallError;
  expect(e.command).toBe("BPF_MAP_CREATE");
  expect(e.code).toBe("EPERM");
  expect(e.message).toMatch(/type 33 \(BPF_MAP_TYPE_ARENA\): this kernel refuses BPF arenas/);
  expect(fdCount()).toBe(before);
}

const refusedName = (name: string) => `${name} — the kernel refuses arenas: fails at BPF_MAP_CREATE with EPERM, leaking nothing`;

/** itArena is `it` for a test whose body needs an arena (see the file comment). */
export function itArena(name: string, body: () => unknown, timeout?: number): void {
  const refused = arenaRefused();
  if (refused === undefined) it(name, body as () => void, timeout);
  else it(refusedName(name), () => expectRefusedWarning(refused, body), timeout);
}

/**
 * describeArena is `describe.skipIf(skip)` for a suite that needs an arena from the start: where
 * the kernel refuses arenas it registers one test instead, which runs `enter` (what the suite's
 * set-up does first, e.g. load its fixture) and checks the refusal.
 */
export function describeArena(skip: boolean, name: string, enter: () => unknown, suite: () => void): void {
  const refused = arenaRefused();
  if (refused === undefined || skip) describe.skipIf(skip)(name, suite);
  else describe(name, () => it(refusedName("set-up"), () => expectRefusedWarning(refused, enter)));
}

/** expectRefusedWarning prints why the live form is not registered, then checks the refusal. */
function expectRefusedWarning(why: string, body: () => unknown): Promise<void> {
  console.warn(`arena refused on this kernel: ${why}`);
  return expectArenaRefused(body);
}
