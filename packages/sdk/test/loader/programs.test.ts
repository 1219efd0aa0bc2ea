import { readFileSync } from "node:fs";
import { release } from "node:os";
import { describe, expect, it } from "vitest";
import { itArena } from "../../../../test/support/arena.js";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { caught as failure } from "../../../../test/support/leaks.js";
import { isLoaderError, isVerifierError, type VerifierError } from "../../src/errors/index.js";
import { mapInfo } from "../../src/kernel/index.js";
import { BpfObject, linuxKernelVersion } from "../../src/loader/index.js";
import { fdCount, fixture, u32, u64 } from "./support.js";

/** failure runs `fn` and returns what it threw. */
describe.skipIf(requirement(rootMissing()))("programs on the real kernel: syscall, arena, calls, kconfig, rejections", () => {
  itArena("a syscall program runs with a typed context and writes an arena that TypeScript reads in place", () => {
    using obj = BpfObject.open(fixture("loader/arena.bpf.o")).load();
    const arena = obj.arena!;
    const spec = obj.spec.arena!;
    // Mapped where map_extra says, and /proc/self/maps (not our bookkeeping) shows it there.
    expect(arena.address).toBe(1n << 44n);
    const maps = readFileSync("/proc/self/maps", "utf8");
    expect(maps).toMatch(new RegExp(`^${(1n << 44n).toString(16)}-`, "m"));
    const at = (name: string) => spec.variables.find((v) => v.name === name)!.offset;
    const bytes = new Uint8Array(arena.buffer);
    // The .addr_space.1 image was copied in before the program loaded.
    expect([u32(bytes, at("arena_slots")), u32(bytes, at("arena_slots") + 4), u32(bytes, at("arena_slots") + 8)]).toEqual([1, 2, 3]);
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setUint32(0, 5, true);
    new DataView(ctx.buffer).setUint32(4, 0xdead, true);
    expect(obj.run("arena_write", ctx).retval).toBe(0);
    expect(obj.run("arena_write", ctx).retval).toBe(0);
    expect(u64(bytes, at("arena_counter"))).toBe(2n);
    expect(u32(bytes, at("arena_slots") + 5 * 4)).toBe(0xdead);
    // And a TypeScript write is what BPF increments next.
    new DataView(arena.buffer).setBigUint64(at("arena_counter"), 40n, true);
    obj.run("arena_write", ctx);
    expect(u64(bytes, at("arena_counter"))).toBe(41n);
  });

  it("bpf-to-bpf calls, global subprograms and bpf_loop callbacks compute what C says", () => {
    using obj = BpfObject.open(fixture("loader/calls.bpf.o")).load();
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setUint32(0, 10, true);
    const out = obj.run("run_calls", ctx).ctx!;
    // sum = (0+…+9) + 10²; product: acc 1 → 2, 5, 12, 27, plus add_global(10, 1) = 101
    expect([u32(out, 4), u64(out, 8)]).toEqual([145, 128n]);
  });

  it(".kconfig externs: LINUX_KERNEL_VERSION from uname, CONFIG_BPF_SYSCALL from the kernel config", () => {
    using obj = BpfObject.open(fixture("loader/globals.bpf.o"), { pinRoot: null }).load();
    const args = new Uint8Array(24);
    new DataView(args.buffer).setBigUint64(0, 2n, true);
    const out = obj.run("touch_globals", args).ctx!;
    const [a, b, c] = release().split(/[.-]/).map(Number);
    expect(u32(out, 16)).toBe((a! << 16) + (b! << 8) + Math.min(c!, 255));
    expect(u32(out, 16)).toBe(linuxKernelVersion());
    expect(u32(out, 20)).toBe(1);
    // .kconfig is frozen and read-only for programs, like .rodata.
    expect(mapInfo(obj.map(".kconfig").fd).flags & 128).toBe(128);
  });

  it("a rejected program raises VerifierError with the whole log, and load leaves no fd behind", () => {
    const before = fdCount();
    const obj = BpfObject.open(fixture("loader/rejected.bpf.o"));
    const e = failure(() => obj.load());
    expect(isVerifierError(e), String(e)).toBe(true);
    const v = e as VerifierError;
    expect(v.log).toMatch(/invalid access to map value/);
    expect(v.log.split("\n").length).toBeGreaterThan(5);
    expect(v.message).toMatch(/out_of_bounds rejected by the verifier: EACCES/);
    expect(obj.state).toBe("closed");
    expect(fdCount()).toBe(before);
  });

  it("an unsatisfiable CO-RE relocation is poisoned (verifier names it) or, strict, a LoaderError naming the relocation", () => {
    const before = fdCount();
    const e = failure(() => BpfObject.open(fixture("lifecycle/bad_core.bpf.o")).load());
    expect(isVerifierError(e), String(e)).toBe(true);
    // libbpf's poison call 0xbad2310 = 195896080
    expect((e as VerifierError).log).toMatch(/invalid func unknown#195896080/);
    const strict = failure(() => BpfObject.open(fixture("lifecycle/bad_core.bpf.o"), { strictCore: true }).load());
    expect(isLoaderError(strict), String(strict)).toBe(true);
    expect((strict as Error).message).toMatch(/read_missing .*CO-RE field_byte_offset .* on struct task_struct .*cannot be satisfied/);
    expect(fdCount()).toBe(before);
  });

  it("a map the kernel refuses fails load with BpfSyscallError naming it, closing the BTF and maps made before it", () => {
    const before = fdCount();
    const obj = BpfObject.open(fixture("lifecycle/lifecycle.bpf.o"));
    obj.editMap("totals", { maxEntries: 0 });
    const e = failure(() => obj.load()) as Error;
    expect(e.message).toMatch(/BPF_MAP_CREATE: EINVAL .*map 'totals'/);
    expect(fdCount()).toBe(before);
  });

  // Data symbols are in /proc/kallsyms only with CONFIG_KALLSYMS_ALL (off on the 6.18 CI kernel).
  const initTaskListed = /\sinit_task$/m.test(readFileSync("/proc/kallsyms", "utf8"));
  it.skipIf(initTaskListed)("an extern the kernel lacks is a LoaderError at load (typeless ksym absent from /proc/kallsyms)", () => {
    const before = fdCount();
    const e = failure(() => BpfObject.open(fixture("loader/tracing.bpf.o")).load());
    expect(isLoaderError(e), String(e)).toBe(true);
    expect((e as Error).message).toMatch(/extern 'init_task'/);
    expect(fdCount()).toBe(before);
  });
});
