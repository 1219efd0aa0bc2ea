import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElf } from "@bpf-skel/sdk/elf";
import { isElfError, isLoaderError } from "@bpf-skel/sdk/errors";
import { BPF_MAP_TYPE, BPF_PROG_TYPE, programSection, readObject } from "@bpf-skel/sdk/object";
import { clang19Missing, requirement } from "../../../../test/support/env.js";
import { fixtureBytes, fixturePath } from "./fixtures.js";

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

/** renameSection rewrites a section name in place (same length), to build objects clang would not emit. */
function renameSection(bytes: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error("same length only");
  const out = bytes.slice();
  const elf = readElf(out);
  const s = elf.sections.find((x) => x.name === from)!;
  const shstr = elf.sections[new DataView(out.buffer).getUint16(62, true)]!;
  const names = out.subarray(shstr.offset, shstr.offset + shstr.size);
  const at = names.findIndex((_, i) => new TextDecoder().decode(names.subarray(i, i + from.length + 1)) === `${from}\0`);
  expect(at).toBeGreaterThanOrEqual(0);
  names.set(new TextEncoder().encode(to), at);
  expect(s).toBeDefined();
  return out;
}

describe("SEC() table", () => {
  it.each([
    ["tracepoint/sched/sched_switch", BPF_PROG_TYPE.TRACEPOINT, 0, false, "sched/sched_switch"],
    ["tp/syscalls/sys_enter_getppid", BPF_PROG_TYPE.TRACEPOINT, 0, false, "syscalls/sys_enter_getppid"],
    ["raw_tp/sched_switch", BPF_PROG_TYPE.RAW_TRACEPOINT, 0, false, "sched_switch"],
    ["raw_tracepoint/sched_switch", BPF_PROG_TYPE.RAW_TRACEPOINT, 0, false, "sched_switch"],
    ["tp_btf/sched_switch", BPF_PROG_TYPE.TRACING, 23, false, "sched_switch"],
    ["fentry/do_nanosleep", BPF_PROG_TYPE.TRACING, 24, false, "do_nanosleep"],
    ["fexit.s/do_nanosleep", BPF_PROG_TYPE.TRACING, 25, true, "do_nanosleep"],
    ["fmod_ret/x", BPF_PROG_TYPE.TRACING, 26, false, "x"],
    ["syscall", BPF_PROG_TYPE.SYSCALL, 0, true, ""],
    ["lsm/file_open", BPF_PROG_TYPE.LSM, 27, false, "file_open"],
    ["lsm.s/file_open", BPF_PROG_TYPE.LSM, 27, true, "file_open"],
    ["iter/task", BPF_PROG_TYPE.TRACING, 28, false, "task"],
    ["iter.s/task", BPF_PROG_TYPE.TRACING, 28, true, "task"],
    ["struct_ops/x", BPF_PROG_TYPE.STRUCT_OPS, 0, false, "x"],
    ["struct_ops.s/x", BPF_PROG_TYPE.STRUCT_OPS, 0, true, "x"],
    ["socket", BPF_PROG_TYPE.SOCKET_FILTER, 0, false, ""],
    ["perf_event", BPF_PROG_TYPE.PERF_EVENT, 0, false, ""],
  ])("%s", (sec, type, attach, sleepable, target) => {
    const s = programSection(sec);
    expect([s.progType, s.expectedAttachType, s.sleepable, s.attachTo, s.autoload]).toEqual([type, attach, sleepable, target, true]);
    expect(programSection(`?${sec}`).autoload).toBe(false);
  });

  it("attach BTF names follow libbpf's prefixes", () => {
    expect(programSection("tp_btf/sched_switch").attachBtfName).toBe("btf_trace_sched_switch");
    expect(programSection("lsm/file_open").attachBtfName).toBe("bpf_lsm_file_open");
    expect(programSection("iter/task").attachBtfName).toBe("bpf_iter_task");
    expect(programSection("fentry").attachBtfName).toBeUndefined();
  });

  it("rejects unknown and near-miss sections with a LoaderError naming the section", () => {
    for (const sec of ["kprobe2/x", "tracepointx", "syscall/foo", "socketx", "xdp"]) {
      const e = thrown(() => programSection(sec));
      expect(isLoaderError(e)).toBe(true);
      expect(e).toMatchObject({ section: sec });
    }
  });
});

describe("readObject", () => {
  it("reads the tracing fixture's maps as task/cgroup storage with BTF ids", () => {
    const spec = readObject(fixtureBytes("tracing"), "tracing.bpf.o");
    const sw = spec.maps.find((m) => m.name === "switches")!;
    expect(sw).toMatchObject({ type: BPF_MAP_TYPE.TASK_STORAGE, keySize: 4, valueSize: 32, maxEntries: 0, flags: 1 });
    expect(spec.btf!.type(sw.btfValueTypeId).name).toBe("switch_stat");
    expect(spec.btf!.type(sw.btfKeyTypeId).name).toBe("int");
    expect(spec.maps.find((m) => m.name === "cgrp_marks")!.type).toBe(BPF_MAP_TYPE.CGRP_STORAGE);
    expect(spec.license).toBe("GPL");
  });

  it("reads globals: data sections with their images and variables", () => {
    const spec = readObject(fixtureBytes("globals"), "globals.bpf.o");
    const ro = spec.maps.find((m) => m.name === ".rodata")!;
    expect(ro.kernelName).toBe("globals.rodata");
    expect(ro.flags & 128).toBe(128);
    const view = new DataView(ro.initial!.buffer, ro.initial!.byteOffset);
    expect(view.getUint32(0, true)).toBe(3); // cfg.scale
    expect(view.getBigUint64(16, true)).toBe(1000n); // rodata_limit
    const custom = spec.maps.find((m) => m.name === ".data.custom")!;
    expect(custom.kernelName).toBe(".data.custom");
    expect(custom.variables!.map((v) => [v.name, v.offset, v.size])).toEqual([
      ["custom_value", 0, 8],
      ["custom_array", 8, 12],
    ]);
    expect(spec.programs.find((p) => p.name === "lookups")!.autoload).toBe(false);
  });

  it("ties .addr_space.1 to the arena map", () => {
    const spec = readObject(fixtureBytes("arena"), "arena.bpf.o");
    expect(spec.arena!.map).toBe("arena");
    expect(spec.maps.find((m) => m.name === "arena")).toMatchObject({ type: BPF_MAP_TYPE.ARENA, maxEntries: 4, mapExtra: 1n << 44n, flags: 1024 });
    expect(spec.arena!.variables.map((v) => v.name).sort()).toEqual(["arena_counter", "arena_slots"]);
  });

  it("an unknown program section is a LoaderError naming the section", () => {
    const bytes = renameSection(fixtureBytes("calls"), "syscall", "sysxall");
    const e = thrown(() => readObject(bytes, "calls.bpf.o"));
    expect(isLoaderError(e)).toBe(true);
    expect(e).toMatchObject({ section: "sysxall", input: "calls.bpf.o" });
  });

  it("refuses legacy 'maps' sections", () => {
    const bytes = renameSection(fixtureBytes("globals"), ".maps", "maps\0");
    expect(() => readObject(bytes, "globals.bpf.o")).toThrow(/legacy 'maps'/);
  });

  it("refuses non-BPF and non-ELF input with an ElfError", () => {
    const bytes = fixtureBytes("calls").slice();
    new DataView(bytes.buffer).setUint16(18, 62, true); // EM_X86_64
    expect(isElfError(thrown(() => readObject(bytes, "x.o")))).toBe(true);
    expect(isElfError(thrown(() => readObject(new Uint8Array(10), "x.o")))).toBe(true);
  });

  it("decodes map-in-map templates and prog arrays; string literals get a .rodata.str1.1 map", () => {
    const spec = readObject(fixtureBytes("maps"), "maps.bpf.o");
    const byName = (n: string) => spec.maps.find((m) => m.name === n)!;
    expect(spec.maps.map((m) => m.name)).toEqual(["outer", "per_cpu", "outer_hash", "jumps", ".rodata.str1.1"]);
    expect(byName("outer")).toMatchObject({ type: BPF_MAP_TYPE.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 });
    expect(byName("outer").inner).toMatchObject({ name: "outer.inner", type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    expect(byName("outer_hash").inner).toMatchObject({ type: BPF_MAP_TYPE.HASH, maxEntries: 16, kernelName: "outer_hash.inne" });
    expect(byName("jumps")).toMatchObject({ type: BPF_MAP_TYPE.PROG_ARRAY, valueSize: 4 });
    expect(byName("jumps").inner).toBeUndefined();
    expect(new TextDecoder().decode(byName(".rodata.str1.1").initial!)).toBe("value %llu\n\0");
    expect(spec.subprograms.map((f) => [f.name, f.global, f.hidden])).toEqual([["hidden_twice", true, true]]);
  });

  it("refuses relocations against .maps (initial map-in-map slots) with a LoaderError", () => {
    const bytes = fixtureBytes("maps").slice();
    const elf = readElf(bytes);
    const rel = elf.sections.find((s) => s.name === ".rel.BTF")!;
    const maps = elf.sections.find((s) => s.name === ".maps")!;
    const shoff = Number(new DataView(bytes.buffer).getBigUint64(40, true));
    new DataView(bytes.buffer).setUint32(shoff + rel.index * 64 + 44, maps.index, true); // sh_info → .maps
    expect(() => readObject(bytes, "maps.bpf.o")).toThrow(/relocations against .maps .* not supported/);
  });
});


describe.skipIf(requirement(clang19Missing()))("stripped objects", () => {
  it("an object stripped of its symbols is refused with a typed error", () => {
    const dir = mkdtempSync(join(tmpdir(), "loader-strip-"));
    try {
      const out = join(dir, "calls.o");
      execFileSync("llvm-strip-19", ["--strip-all", "-o", out, fixturePath("calls")]);
      const e = thrown(() => readObject(new Uint8Array(readFileSync(out)), "calls.o"));
      expect(isLoaderError(e) || isElfError(e)).toBe(true);
      expect(String(e)).toMatch(/function symbol|symbol/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
