import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/index.js";
import { isElfError, isLoaderError } from "../../src/errors/index.js";
import { BpfMap, BpfObject, attachTarget, fillKconfig, linuxKernelVersion } from "../../src/loader/index.js";
import type { MapSpec, ProgramSpec } from "../../src/object/index.js";
import type { Transport } from "../../src/transport/index.js";

// Pieces of the loader that need no kernel.

describe("linuxKernelVersion", () => {
  it("is KERNEL_VERSION(a, b, min(c, 255)) of a release string", () => {
    expect(linuxKernelVersion("6.18.44-fc-v782")).toBe((6 << 16) + (18 << 8) + 44);
    expect(linuxKernelVersion("5.15.300")).toBe((5 << 16) + (15 << 8) + 255);
    expect(linuxKernelVersion("6.9")).toBe((6 << 16) + (9 << 8));
    expect(linuxKernelVersion("garbage")).toBe(0);
  });
});

describe.skipIf(!existsSync("/proc/config.gz"))("fillKconfig", () => {
  // [1] bool, [2] char, [3] u32, [4] u64, [5] char[8] array
  const btf = new Btf([
    { id: 1, kind: "int", name: "_Bool", size: 1, bits: 8, offset: 0, signed: false, char: false, bool: true },
    { id: 2, kind: "int", name: "char", size: 1, bits: 8, offset: 0, signed: true, char: true, bool: false },
    { id: 3, kind: "int", name: "unsigned int", size: 4, bits: 32, offset: 0, signed: false, char: false, bool: false },
    { id: 4, kind: "int", name: "unsigned long long", size: 8, bits: 64, offset: 0, signed: false, char: false, bool: false },
    { id: 5, kind: "array", name: "", type: 2, indexType: 3, nelems: 8 },
  ]);
  const v = (name: string, typeId: number, offset: number, size: number) => ({ name, typeId, offset, size, linkage: "extern" as const });
  const ext = (name: string, weak = false) => ({ name, kind: "kconfig" as const, weak, btfId: 0 });

  it("writes LINUX_KERNEL_VERSION, numbers, tristates and strings where the map layout says", () => {
    const value = new Uint8Array(32);
    const vars = [v("LINUX_KERNEL_VERSION", 3, 0, 4), v("CONFIG_BPF_SYSCALL", 1, 4, 1), v("CONFIG_HZ", 4, 8, 8), v("CONFIG_LOCALVERSION", 5, 16, 8)];
    fillKconfig(value, vars, vars.map((x) => ext(x.name)), btf, "t.o");
    const dv = new DataView(value.buffer);
    expect(dv.getUint32(0, true)).toBe(linuxKernelVersion());
    // Values from this machine's /proc/config.gz (CONFIG_BPF_SYSCALL=y is a given where BPF runs).
    expect(value[4]).toBe(1);
    // Cross-checked with zcat/grep rather than our own config reader.
    const config = (k: string) => /^[^=]+=(.*)$/.exec(execSync(`zcat /proc/config.gz | grep '^${k}='`, { encoding: "utf8" }).trim())![1]!;
    expect(dv.getBigUint64(8, true)).toBe(BigInt(config("CONFIG_HZ")));
    const local = JSON.parse(config("CONFIG_LOCALVERSION")) as string;
    expect(new TextDecoder().decode(value.subarray(16, 16 + Math.min(local.length, 7)))).toBe(local.slice(0, 7));
  });

  it("leaves a missing weak extern 0 and refuses a missing strong one, naming it", () => {
    const value = new Uint8Array(8).fill(0);
    fillKconfig(value, [v("CONFIG_NO_SUCH_OPTION_X", 3, 0, 4)], [ext("CONFIG_NO_SUCH_OPTION_X", true)], btf, "t.o");
    expect(value).toEqual(new Uint8Array(8));
    let err: unknown;
    try {
      fillKconfig(value, [v("CONFIG_NO_SUCH_OPTION_X", 3, 0, 4)], [ext("CONFIG_NO_SUCH_OPTION_X")], btf, "t.o");
    } catch (e) {
      err = e;
    }
    expect(isLoaderError(err)).toBe(true);
    expect((err as Error).message).toMatch(/kconfig extern 'CONFIG_NO_SUCH_OPTION_X': not set/);
  });
});

describe("attachTarget", () => {
  const prog = (attach: ProgramSpec["attach"], attachTo: string, expectedAttachType = 0) =>
    ({ name: "p", section: `x/${attachTo}`, attach, attachTo, expectedAttachType }) as unknown as ProgramSpec;
  it("maps sections to attach targets as libbpf's auto-attach does", () => {
    expect(attachTarget(prog("tracepoint", "syscalls/sys_enter_getppid"), "t.o")).toEqual({ kind: "tracepoint", category: "syscalls", name: "sys_enter_getppid" });
    expect(attachTarget(prog("raw_tracepoint", "sched_switch"), "t.o")).toEqual({ kind: "raw_tracepoint", name: "sched_switch" });
    expect(attachTarget(prog("tracing", "sched_switch", 23), "t.o")).toEqual({ kind: "tracing" });
    expect(attachTarget(prog("lsm", "file_open", 27), "t.o")).toEqual({ kind: "tracing" });
    expect(attachTarget(prog("lsm", "file_open", 43), "t.o")).toBeUndefined();
    expect(attachTarget(prog("iter", "task"), "t.o")).toEqual({ kind: "iter" });
    expect(attachTarget(prog("test_run", ""), "t.o")).toBeUndefined();
  });
  it("refuses a tracepoint section without a category, naming the program", () => {
    expect(() => attachTarget(prog("tracepoint", "sys_enter_getppid"), "t.o")).toThrow(/tp\/<category>\/<name>.*'p'/);
  });
});

describe("BpfMap keys and sizes", () => {
  const spec = (type: number, keySize: number, valueSize: number) => ({ name: "m", type, keySize, valueSize }) as MapSpec;
  const map = (s: MapSpec) => new BpfMap(s, 3 as never, {} as Transport, undefined, () => true);
  it("encodes number keys little-endian into 4- or 8-byte keys and checks byte keys' size", () => {
    expect(map(spec(1, 4, 8)).key(0x01020304)).toEqual(Uint8Array.of(4, 3, 2, 1));
    expect(map(spec(1, 8, 8)).key(2n ** 40n)).toEqual(Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0));
    expect(() => map(spec(1, 4, 8)).key(new Uint8Array(3))).toThrow(/key of 3 bytes for a map with 4-byte keys/);
    expect(() => map(spec(1, 16, 8)).key(1)).toThrow(/4- or 8-byte key/);
  });
  it("per-CPU values are round_up(size, 8) bytes per possible CPU", () => {
    expect(map(spec(6, 4, 12)).valueSize % 16).toBe(0);
    expect(map(spec(6, 4, 12)).valueSize).toBeGreaterThanOrEqual(16);
    expect(map(spec(2, 4, 12)).valueSize).toBe(12);
  });
});

describe("BpfObject.open", () => {
  const failure = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  it("names a file it cannot read, and bytes that are not a BPF object, with typed errors", () => {
    const missing = failure(() => BpfObject.open("/no/such/object.bpf.o"));
    expect(isLoaderError(missing)).toBe(true);
    expect((missing as Error).message).toMatch(/cannot read object file \(\/no\/such\/object.bpf.o\)/);
    const junk = failure(() => BpfObject.open(new Uint8Array(64).fill(7), { name: "junk.o" }));
    expect(isElfError(junk), String(junk)).toBe(true);
    expect((junk as Error).message).toMatch(/junk\.o/);
  });
  it("opens without touching the kernel: state, editing and autoload before load", async () => {
    const { fixture } = await import("./support.js");
    const obj = BpfObject.open(fixture("lifecycle/lifecycle.bpf.o"));
    expect(obj.state).toBe("opened");
    expect(obj.autoload("list_tasks")).toBe(true);
    obj.setAutoload("list_tasks", false);
    expect(obj.autoload("list_tasks")).toBe(false);
    expect(() => obj.setAutoload("nope", true)).toThrow(/no program named 'nope'/);
    expect(() => obj.editMap("nope", { maxEntries: 1 })).toThrow(/no map named 'nope'/);
    expect(obj.variable("input")).toMatchObject({ section: ".data", size: 8 });
    expect(new DataView(obj.globals(".data").buffer).getBigUint64(obj.variable("input").offset, true)).toBe(5n);
    obj.close();
    expect(obj.state).toBe("closed");
  });
});
