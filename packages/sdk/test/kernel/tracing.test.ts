import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { parseBtf } from "../../src/btf/parse.js";
import { isLoaderError } from "../../src/errors/index.js";
import {
  BPF_LINK_TYPE_RAW_TRACEPOINT, BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_SOCKET_FILTER,
  BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, KernelTransport, linkInfo,
} from "../../src/kernel/index.js";
import { assemble, counterProgram, exit, mov64Imm, readU64, u32le } from "./asm.js";

describe.skipIf(requirement(rootMissing()))("kernel BTF-attach programs", () => {
  const btf = parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")), { input: "vmlinux" });

  it("tp_btf/sched_switch counts our context switches", async () => {
    using t = new KernelTransport();
    const map = t.createMap({ name: "kt_sw", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const target = btf.find("btf_trace_sched_switch", "typedef")!;
    const prog = t.loadProgram({
      name: "kt_tp_btf", type: BPF_PROG_TYPE_TRACING, expectedAttachType: BPF_TRACE_RAW_TP, attachBtfId: target.id,
      license: "GPL", insns: counterProgram(map, process.pid),
    });
    const link = t.attachProgram(prog, { kind: "tracing" });
    expect(linkInfo(link).type).toBe(BPF_LINK_TYPE_RAW_TRACEPOINT);
    // each sleep blocks the main thread in epoll_wait: at least one switch away from it
    for (let i = 0; i < 5; i++) await sleep(2);
    expect(readU64(t.lookupElem(map, u32le(0), 8)!)).toBeGreaterThanOrEqual(5n);
  });

  // fentry/fexit/lsm take the same LINK_CREATE path as tp_btf, but on our machines every such
  // load fails with EPERM and an empty log (ftrace is closed to us: even reading
  // tracefs available_filter_functions is EPERM), so they are not exercised here.

  it("tracing attach of a non-BTF program is a LoaderError that names it", () => {
    using t = new KernelTransport();
    const prog = t.loadProgram({ name: "kt_sock", type: BPF_PROG_TYPE_SOCKET_FILTER, license: "GPL", insns: assemble(mov64Imm(0, 0), exit()) });
    let err: unknown;
    try {
      t.attachProgram(prog, { kind: "tracing" });
    } catch (e) {
      err = e;
    }
    expect(isLoaderError(err)).toBe(true);
    expect((err as Error).message).toMatch(/kt_sock/);
  });

  it("an unknown tracepoint is a LoaderError naming the tracefs path", () => {
    using t = new KernelTransport();
    const prog = t.loadProgram({ name: "kt_sock", type: BPF_PROG_TYPE_SOCKET_FILTER, license: "GPL", insns: assemble(mov64Imm(0, 0), exit()) });
    expect(() => t.attachProgram(prog, { kind: "tracepoint", category: "nope", name: "missing" })).toThrow(/unknown tracepoint.*events\/nope\/missing\/id/);
    expect(() => t.attachProgram(prog, { kind: "tracepoint", category: "../x", name: "y" })).toThrow(/bad tracepoint name/);
  });
});
