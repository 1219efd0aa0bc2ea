import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseBtf } from "../../src/btf/parse.js";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { expectFailure } from "../../../../test/support/leaks.js";
import { isBpfSyscallError, isLoaderError, isVerifierError } from "../../src/errors/index.js";
import {
  BPF_F_MMAPABLE, BPF_F_SLEEPABLE, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_PROG_TYPE_RAW_TRACEPOINT,
  BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, KernelTransport,
} from "../../src/kernel/index.js";
import {
  HELPER, add64Imm, assemble, call, counterProgram, exit, jeqImm, ldMapFd, mov64Imm, mov64Reg, openFdCount, size,
  stMem,
} from "./asm.js";

const writer = (map: number) =>
  assemble(
    ldMapFd(1, map), stMem(size.W, 10, -4, 0), mov64Reg(2, 10), add64Imm(2, -4), call(HELPER.map_lookup_elem),
    jeqImm(0, 0, 1), stMem(size.DW, 0, 0, 1), mov64Imm(0, 0), exit(),
  );

describe.skipIf(requirement(rootMissing()))("kernel fd hygiene", () => {
  it("1,000 create/load/run/attach/close cycles, with failures, leave /proc/self/fd unchanged", { timeout: 300_000 }, async () => {
    const vmlinux = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")), { input: "vmlinux" });
    const iterTaskId = vmlinux.find("bpf_iter_task", "func")!.id;
    const cycle = (i: number) => {
      using t = new KernelTransport();
      const map = t.createMap({ name: "leak", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: BPF_F_MMAPABLE });
      const region = t.mmapMap(map, 4096);
      const prog = t.loadProgram({ name: "leak_run", type: BPF_PROG_TYPE_SYSCALL, flags: BPF_F_SLEEPABLE, license: "GPL", insns: writer(map) });
      expect(t.runProgram(prog).retval).toBe(0);
      expect(new BigUint64Array(region.buffer, 0, 1)[0]).toBe(1n);
      // Closing a tracepoint perf event waits for an RCU grace period (~65 ms here) and a raw_tp
      // link ~12 ms, so most cycles attach an iterator link (cheap) and every tenth a tracepoint or raw_tp.
      if (i % 20 === 0) {
        const tp = t.loadProgram({ name: "leak_tp", type: BPF_PROG_TYPE_TRACEPOINT, license: "GPL", insns: counterProgram(map, process.pid) });
        t.attachProgram(tp, { kind: "tracepoint", category: "syscalls", name: "sys_enter_getppid" });
        // a syscall program cannot attach there: the failure comes after perf_event_open, whose fd must not leak
        expectFailure(
          () => t.attachProgram(prog, { kind: "tracepoint", category: "syscalls", name: "sys_enter_getppid" }),
          (e) => isBpfSyscallError(e) && e.command === "BPF_LINK_CREATE",
        );
      } else if (i % 20 === 10) {
        const raw = t.loadProgram({ name: "leak_raw", type: BPF_PROG_TYPE_RAW_TRACEPOINT, license: "GPL", insns: counterProgram(map, process.pid) });
        const link = t.attachProgram(raw, { kind: "raw_tracepoint", name: "sys_enter" });
        t.close(link);
        t.close(link);
      } else {
        const iter = t.loadProgram({
          name: "leak_iter", type: BPF_PROG_TYPE_TRACING, expectedAttachType: BPF_TRACE_ITER, attachBtfId: iterTaskId,
          license: "GPL", insns: assemble(mov64Imm(0, 0), exit()),
        });
        const link = t.attachProgram(iter, { kind: "iter" });
        if (i % 100 === 1) expect(t.readIterator(link).length).toBe(0);
      }
      // failures: verifier rejection, bad map parameters, unknown tracepoint, non-mmapable map
      expectFailure(() => t.loadProgram({ name: "leak_bad", type: BPF_PROG_TYPE_SYSCALL, flags: BPF_F_SLEEPABLE, license: "GPL", insns: assemble(exit()) }), isVerifierError);
      expectFailure(() => t.createMap({ name: "leak_bad", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 0, maxEntries: 1 }), isBpfSyscallError);
      expectFailure(() => t.attachProgram(prog, { kind: "tracepoint", category: "syscalls", name: "no_such_event" }), isLoaderError);
      const plain = t.createMap({ name: "leak_plain", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
      expectFailure(() => t.mmapMap(plain, 4096), isBpfSyscallError);
      expect(t.openFds().length).toBeGreaterThan(0);
      return t;
    };

    cycle(0); // warm up: koffi, tracefs and bpffs mounts, lazily opened files
    const before = await openFdCount();
    const transports: KernelTransport[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = cycle(i);
      if (i % 100 === 0) transports.push(t);
    }
    for (const t of transports) expect(t.openFds()).toEqual([]);
    expect(await openFdCount()).toBe(before);
  });
});
