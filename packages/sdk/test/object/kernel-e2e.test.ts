import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { parseBtf, type Btf } from "@bpf-skel/sdk/btf";
import { isVerifierError } from "@bpf-skel/sdk/errors";
import { BPF_MAP_TYPE, explainRejection, fixedBtfBytes, prepareProgram, readObject, type ObjectSpec } from "@bpf-skel/sdk/object";
import { close as closeFd, KernelTransport, pidfdOpen } from "../../src/kernel/index.js";
import type { BtfFd, MapFd, MappedRegion, ProgFd } from "../../src/transport/transport.js";
import { itArena } from "../../../../test/support/arena.js";
import { clang19Missing, clangPath, requirement, rootMissing } from "../../../../test/support/env.js";
import { fixtureBytes, loaderFixtures, type FixtureName } from "./fixtures.js";

const PAGE = 4096;
// Map types that take no BTF key/value ids at BPF_MAP_CREATE (libbpf zeroes them too).
const NO_BTF_IDS = new Set<number>([BPF_MAP_TYPE.ARENA, BPF_MAP_TYPE.RINGBUF]);

/**
 * Loaded is the smallest live glue around the spec layer — not the live loader, which is a
 * separate piece: BTF load, map create/populate/freeze, arena mmap, prepareProgram, load.
 */
class Loaded {
  readonly maps = new Map<string, MapFd>();
  arena?: MappedRegion;
  readonly btf: BtfFd;

  constructor(
    readonly t: KernelTransport,
    readonly spec: ObjectSpec,
  ) {
    this.btf = t.loadBtf(fixedBtfBytes(spec));
    for (const m of spec.maps) {
      const ids = m.btfKeyTypeId !== 0 || m.btfValueTypeId !== 0;
      const fd = t.createMap({
        name: m.kernelName,
        type: m.type,
        keySize: m.keySize,
        valueSize: m.valueSize,
        maxEntries: m.maxEntries,
        flags: m.flags,
        mapExtra: m.mapExtra,
        ...(ids && !NO_BTF_IDS.has(m.type) ? { btf: { fd: this.btf, keyTypeId: m.btfKeyTypeId, valueTypeId: m.btfValueTypeId } } : {}),
      });
      this.maps.set(m.name, fd);
      if (m.initial) t.updateElem(fd, new Uint8Array(4), m.initial);
      if (m.kind === "rodata" || m.kind === "kconfig") t.freezeMap(fd);
    }
    if (spec.arena) {
      const m = spec.maps.find((x) => x.name === spec.arena!.map)!;
      this.arena = t.mmapMap(this.maps.get(m.name)!, m.maxEntries * PAGE, m.mapExtra ? { address: m.mapExtra } : {});
      new Uint8Array(this.arena.buffer).set(spec.arena.initial);
    }
  }

  load(name: string, vmlinux?: Btf, kernelSymbols?: Map<string, bigint>): ProgFd {
    const p = prepareProgram(this.spec, name, { mapFds: this.maps, vmlinux, kernelSymbols });
    return this.t.loadProgram({ ...p, btfFd: this.btf });
  }

  value(map: string): Uint8Array {
    const m = this.spec.maps.find((x) => x.name === map)!;
    return this.t.lookupElem(this.maps.get(map)!, new Uint8Array(4), m.valueSize)!;
  }

  variable(map: string, name: string): DataView {
    const v = this.spec.maps.find((x) => x.name === map)!.variables!.find((x) => x.name === name)!;
    const bytes = this.value(map);
    return new DataView(bytes.buffer, bytes.byteOffset + v.offset, v.size);
  }
}

const open = (t: KernelTransport, name: FixtureName) => new Loaded(t, readObject(fixtureBytes(name), `${name}.bpf.o`));

function kallsyms(name: string): bigint | undefined {
  for (const line of readFileSync("/proc/kallsyms", "utf8").split("\n")) {
    const [addr, , sym] = line.split(" ");
    if (sym === name) return BigInt(`0x${addr}`);
  }
  return undefined;
}

describe.skipIf(requirement(rootMissing()))("fixtures loaded through KernelTransport", () => {
  let vmlinux: Btf;
  beforeAll(() => {
    vmlinux = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")), { input: "vmlinux" });
  });

  it("globals: .data/.rodata/.bss/.data.custom and maps work from BPF and from user space", () => {
    using t = new KernelTransport();
    const o = open(t, "globals");
    const prog = o.load("touch_globals");
    const ctx = new Uint8Array(24);
    new DataView(ctx.buffer).setBigUint64(0, 5n, true);
    const r = t.runProgram(prog, { ctx });
    expect(r.retval).toBe(0);
    // data_counter 7+5, bss_total 3*5 (cfg.scale from the frozen .rodata), static_seen 1
    expect(new DataView(r.ctx!.buffer, r.ctx!.byteOffset).getBigUint64(8, true)).toBe(12n + 15n + 1n);
    expect(o.variable(".data", "data_counter").getBigUint64(0, true)).toBe(12n);
    expect(o.variable(".bss", "bss_total").getBigUint64(0, true)).toBe(15n);
    expect(o.variable(".data.custom", "custom_value").getBigUint64(0, true)).toBe(0xabcdefn ^ 2n);
    expect(o.variable(".data.custom", "custom_array").getUint32(8, true)).toBe(8);
    const hash = t.lookupElem(o.maps.get("hash_map")!, new Uint8Array(4), 8)!;
    expect(new DataView(hash.buffer, hash.byteOffset).getBigUint64(0, true)).toBe(12n);
  });

  it("calls: static and global subprograms and bpf_loop callbacks compute the right answer", () => {
    using t = new KernelTransport();
    const o = open(t, "calls");
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setUint32(0, 10, true);
    const out = new DataView(t.runProgram(o.load("run_calls"), { ctx }).ctx!.buffer);
    expect(out.getUint32(4, true)).toBe(45 + 100); // sum 0..9 + square(10)
    expect(out.getBigUint64(8, true)).toBe(27n + 101n); // ((1*2+0)*2+1)*2+2)*2+3 + add_global(10, 1)
    const sq = new Uint8Array(16);
    new DataView(sq.buffer).setUint32(0, 7, true);
    expect(new DataView(t.runProgram(o.load("only_square"), { ctx: sq }).ctx!.buffer).getUint32(4, true)).toBe(49);
  });

  it.skipIf(requirement(clang19Missing()))("calls built for every -mcpu (v1..v4) link and run the same", () => {
    const dir = mkdtempSync(join(tmpdir(), "loader-mcpu-"));
    try {
      for (const cpu of ["v1", "v2", "v3", "v4"]) {
        const out = join(dir, `calls-${cpu}.bpf.o`);
        execFileSync(clangPath(), ["-g", "-O2", "-target", "bpf", `-mcpu=${cpu}`, "-c", join(loaderFixtures, "calls.bpf.c"), "-o", out]);
        using t = new KernelTransport();
        const o = new Loaded(t, readObject(new Uint8Array(readFileSync(out)), `calls-${cpu}.bpf.o`));
        const ctx = new Uint8Array(16);
        new DataView(ctx.buffer).setUint32(0, 10, true);
        const r = new DataView(t.runProgram(o.load("run_calls"), { ctx }).ctx!.buffer);
        expect([cpu, r.getUint32(4, true), r.getBigUint64(8, true)]).toEqual([cpu, 145, 128n]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  itArena("arena: __arena globals written by BPF are read in place", () => {
    using t = new KernelTransport();
    const o = open(t, "arena");
    const prog = o.load("arena_write");
    const view = new DataView(o.arena!.buffer);
    const slots = o.spec.arena!.variables.find((v) => v.name === "arena_slots")!.offset;
    const counter = o.spec.arena!.variables.find((v) => v.name === "arena_counter")!.offset;
    expect(view.getUint32(slots + 4, true)).toBe(2); // initial image copied in
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setUint32(0, 5, true);
    new DataView(ctx.buffer).setUint32(4, 77, true);
    expect(t.runProgram(prog, { ctx }).retval).toBe(0);
    expect(view.getUint32(slots + 5 * 4, true)).toBe(77);
    expect(view.getBigUint64(counter, true)).toBe(1n);
  });

  it("tracing: CO-RE, kfuncs and ksyms read task_struct like /proc does", () => {
    using t = new KernelTransport();
    const o = open(t, "tracing");
    // init_task is only in /proc/kallsyms with CONFIG_KALLSYMS_ALL; the program just stores the address it was given
    const addr = kallsyms("init_task") ?? 0xffffffff8badf00dn;
    const prog = o.load("task_by_pid", vmlinux, new Map([["init_task", addr]]));
    const ctx = new Uint8Array(48);
    new DataView(ctx.buffer).setUint32(0, process.pid, true);
    const r = t.runProgram(prog, { ctx });
    const out = new DataView(r.ctx!.buffer, r.ctx!.byteOffset);
    expect(r.retval).toBe(0);
    expect(out.getUint32(12, true)).toBe(1); // found
    expect(out.getUint32(4, true)).toBe(process.pid); // tgid
    const stat = readFileSync("/proc/self/stat", "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    expect(out.getUint32(8, true)).toBe(ppid);
    const comm = new TextDecoder().decode(r.ctx!.subarray(16, 32)).replace(/\0.*$/s, "");
    expect(comm).toBe(readFileSync("/proc/self/comm", "utf8").trim());
    expect(out.getBigUint64(32, true)).toBe(addr);
  });

  it("tracing: a guarded access to a field the kernel lacks is poisoned and never runs", () => {
    using t = new KernelTransport();
    const o = open(t, "tracing");
    const p = prepareProgram(o.spec, "guarded_field", { mapFds: o.maps, vmlinux });
    expect(p.poisoned.map((x) => x.access)).toEqual(["0:4"]); // t->no_such_field
    expect(p.poisoned[0]!.message).toMatch(/guarded_field insn \d+: CO-RE field_byte_offset '0:4' on struct task_struct/);
    const ctx = new Uint8Array(48);
    new DataView(ctx.buffer).setUint32(0, process.pid, true);
    const r = t.runProgram(t.loadProgram({ ...p, btfFd: o.btf }), { ctx });
    expect(new DataView(r.ctx!.buffer, r.ctx!.byteOffset).getUint32(12, true)).toBe(7); // bpf_core_field_exists() was 0
  });

  it("tracing: an unguarded poisoned access is rejected, and explainRejection names the relocation", () => {
    using t = new KernelTransport();
    const o = open(t, "tracing");
    const p = prepareProgram(o.spec, "unguarded_field", { mapFds: o.maps, vmlinux });
    let err: unknown;
    try {
      t.loadProgram({ ...p, btfFd: o.btf });
    } catch (e) {
      err = e;
    }
    expect(isVerifierError(err)).toBe(true);
    const why = explainRejection(o.spec, p, (err as { log: string }).log);
    expect(why).toMatch(/unguarded_field insn \d+: CO-RE field_byte_offset '0:4' on struct task_struct .* cannot be satisfied/);
    expect(why).toContain(`insn ${p.poisoned[0]!.insn}:`);
  });

  it("tracing: tp_btf, tracepoint and raw_tp programs load and attach; the tracepoints fire", async () => {
    using t = new KernelTransport();
    const o = open(t, "tracing");
    t.attachProgram(o.load("on_switch", vmlinux), { kind: "tracing" });
    t.attachProgram(o.load("on_getppid", vmlinux), { kind: "tracepoint", category: "syscalls", name: "sys_enter_getppid" });
    t.attachProgram(o.load("on_raw_switch", vmlinux), { kind: "raw_tracepoint", name: "sched_switch" });
    for (let i = 0; i < 5; i++) {
      void process.ppid; // a getter that calls getppid(2)
      await sleep(2);
    }
    expect(o.variable(".bss", "getppid_calls").getBigUint64(0, true)).toBeGreaterThanOrEqual(1n);
    expect(o.variable(".bss", "raw_switches").getBigUint64(0, true)).toBeGreaterThanOrEqual(1n);
    // task storage of our own thread, keyed by a pidfd from user space
    const pidfd = pidfdOpen(process.pid);
    try {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setInt32(0, pidfd, true);
      const st = t.lookupElem(o.maps.get("switches")!, key, 32)!;
      const dv = new DataView(st.buffer, st.byteOffset);
      expect(dv.getBigUint64(0, true)).toBeGreaterThanOrEqual(1n);
      expect([dv.getUint32(8, true), dv.getUint32(12, true)]).toEqual([process.pid, process.pid]); // CO-RE pid, tgid
      expect(new TextDecoder().decode(st.subarray(16, 32)).replace(/\0.*$/s, "")).toBe(readFileSync("/proc/self/comm", "utf8").trim());
    } finally {
      closeFd(pidfd);
    }
  });

  it("tracing: iter/task loads with its bpf_iter_task attach id and reads to completion", () => {
    using t = new KernelTransport();
    const o = open(t, "tracing");
    const link = t.attachProgram(o.load("iter_tasks", vmlinux), { kind: "iter" });
    expect(t.readIterator(link).length).toBe(0); // the program prints nothing
  });

  it("rejected: the verifier's complaint comes back as a VerifierError with the log", () => {
    using t = new KernelTransport();
    const o = open(t, "rejected");
    let err: unknown;
    try {
      o.load("out_of_bounds");
    } catch (e) {
      err = e;
    }
    expect(isVerifierError(err)).toBe(true);
    expect((err as { log: string }).log).toMatch(/invalid access to map value/);
  });
});
