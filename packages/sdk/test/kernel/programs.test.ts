import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { isBpfSyscallError, isVerifierError, type VerifierError } from "../../src/errors/index.js";
import {
  BPF_F_SLEEPABLE, BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_SOCKET_FILTER,
  BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_TRACEPOINT, KernelTransport, linkInfo, BPF_LINK_TYPE_PERF_EVENT,
  BPF_LINK_TYPE_RAW_TRACEPOINT, enableStats, close, linkDetach, Attr, ioctl, openTracepointEvent, tracepointId,
  PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_SET_BPF,
} from "../../src/kernel/index.js";
import { nativeLayer } from "../../src/kernel/native.js";
import { counterProgram } from "./asm.js";
import {
  HELPER, add64Imm, assemble, atomicAdd64, call, exit, jeqImm, jneImm, ldMapFd, ldxMem, mov64Imm, mov64Reg, readU32,
  readU64, rsh64Imm, size, stMem, stxMem, u32le,
} from "./asm.js";

describe.skipIf(requirement(rootMissing()))("kernel programs", () => {
  it("a sleepable syscall program runs with PROG_TEST_RUN, returns a value and writes its ctx", () => {
    using t = new KernelTransport();
    // ctx = struct { u32 in; u32 out; }: out = in + 1; return 42
    const prog = t.loadProgram({
      name: "kt_syscall",
      type: BPF_PROG_TYPE_SYSCALL,
      flags: BPF_F_SLEEPABLE,
      license: "GPL",
      insns: assemble(ldxMem(size.W, 2, 1, 0), add64Imm(2, 1), stxMem(size.W, 1, 2, 4), mov64Imm(0, 42), exit()),
    });
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setUint32(0, 41, true);
    const r = t.runProgram(prog, { ctx });
    expect(r.retval).toBe(42);
    expect(readU32(r.ctx!, 0)).toBe(41);
    expect(readU32(r.ctx!, 4)).toBe(42);
    expect(t.progInfo(prog)).toMatchObject({ type: BPF_PROG_TYPE_SYSCALL, name: "kt_syscall" });
  });

  it("a program writes an array map through ld_imm64 BPF_PSEUDO_MAP_FD; user space reads it back", () => {
    using t = new KernelTransport();
    const map = t.createMap({ name: "kt_out", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const insns = assemble(
      ldMapFd(1, map),
      stMem(size.W, 10, -4, 0),
      mov64Reg(2, 10),
      add64Imm(2, -4),
      call(HELPER.map_lookup_elem),
      jeqImm(0, 0, 1),
      stMem(size.DW, 0, 0, 0x5eed1234),
      mov64Imm(0, 7),
      exit(),
    );
    for (const type of [BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_SOCKET_FILTER]) {
      t.updateElem(map, u32le(0), new Uint8Array(8));
      // 6.18: "Syscall programs can only be sleepable"
      const flags = type === BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;
      const prog = t.loadProgram({ name: "kt_writer", type, flags, license: "GPL", insns });
      // socket filters need packet data for a test run; syscall programs take none
      const r = t.runProgram(prog, type === BPF_PROG_TYPE_SOCKET_FILTER ? { dataIn: new Uint8Array(64), repeat: 3 } : {});
      expect(r.retval).toBe(7);
      expect(readU64(t.lookupElem(map, u32le(0), 8)!)).toBe(0x5eed1234n);
      t.close(prog);
    }
  });

  it("a tracepoint program on syscalls/sys_enter_getppid counts our getppid calls", () => {
    using t = new KernelTransport();
    const map = t.createMap({ name: "kt_count", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const prog = t.loadProgram({ name: "kt_tp", type: BPF_PROG_TYPE_TRACEPOINT, license: "GPL", insns: counterProgram(map, process.pid) });
    const link = t.attachProgram(prog, { kind: "tracepoint", category: "syscalls", name: "sys_enter_getppid" });
    expect(linkInfo(link).type).toBe(BPF_LINK_TYPE_PERF_EVENT);

    // getppid(2) straight through libc's syscall(): glibc does not cache it, so each call enters the kernel.
    const n = nativeLayer();
    const counter = () => readU64(t.lookupElem(map, u32le(0), 8)!);
    const ppid = process.ppid;
    const start = counter();
    let same = true;
    for (let i = 0; i < 25; i++) same &&= n.syscall3(110, 0, 0, 0) === ppid;
    expect(same).toBe(true);
    // other processes' getppid calls are filtered out by tgid
    expect(counter() - start).toBe(25n);
    // Node's process.ppid getter is a real getppid(2) too: each read counts once
    for (let i = 0; i < 10; i++) void process.ppid;
    expect(counter() - start).toBe(35n);

    t.close(link);
    const before = readU64(t.lookupElem(map, u32le(0), 8)!);
    for (let i = 0; i < 5; i++) n.syscall3(110, 0, 0, 0);
    expect(readU64(t.lookupElem(map, u32le(0), 8)!)).toBe(before);
  });

  it("the pre-link attach path: PERF_EVENT_IOC_SET_BPF + ENABLE on the perf fd", () => {
    using t = new KernelTransport();
    const map = t.createMap({ name: "kt_ioctl", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const prog = t.loadProgram({ name: "kt_ioctl", type: BPF_PROG_TYPE_TRACEPOINT, license: "GPL", insns: counterProgram(map, process.pid) });
    const pfd = openTracepointEvent(tracepointId("syscalls", "sys_enter_getppid"));
    try {
      ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog);
      ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0);
      const n = nativeLayer();
      for (let i = 0; i < 7; i++) n.syscall3(110, 0, 0, 0);
      expect(readU64(t.lookupElem(map, u32le(0), 8)!)).toBe(7n);
      // a second program on the same perf event is refused
      expect(() => ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog)).toThrow(/^ioctl\(0x40042408\): EEXIST/);
    } finally {
      close(pfd);
    }
  });

  it("a raw_tp program on sys_enter counts our syscalls; stats count its runs", () => {
    using t = new KernelTransport();
    const map = t.createMap({ name: "kt_rawc", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    const prog = t.loadProgram({ name: "kt_raw", type: BPF_PROG_TYPE_RAW_TRACEPOINT, license: "GPL", insns: counterProgram(map, process.pid) });
    const stats = enableStats();
    try {
      const link = t.attachProgram(prog, { kind: "raw_tracepoint", name: "sys_enter" });
      expect(linkInfo(link).type).toBe(BPF_LINK_TYPE_RAW_TRACEPOINT);
      const n = nativeLayer();
      for (let i = 0; i < 10; i++) n.syscall3(110, 0, 0, 0);
      expect(readU64(t.lookupElem(map, u32le(0), 8)!)).toBeGreaterThanOrEqual(10n);
      expect(t.progInfo(prog).runCnt).toBeGreaterThanOrEqual(10n);
      // raw_tp links cannot be detached (only cgroup/netns/xdp/tcx/struct_ops… links can):
      // EOPNOTSUPP, not EBADF or EINVAL, shows the command reached the link
      expect(() => linkDetach(link)).toThrow(/^BPF_LINK_DETACH: EOPNOTSUPP/);
      expect(() => linkDetach(prog as never)).toThrow(/^BPF_LINK_DETACH: EINVAL/);
    } finally {
      close(stats);
    }
  });

  it("a rejected program raises VerifierError with the whole log, its tail in the message", () => {
    using t = new KernelTransport();
    let err: unknown;
    try {
      // r0 is never written before exit
      t.loadProgram({ name: "kt_bad", type: BPF_PROG_TYPE_SOCKET_FILTER, license: "GPL", insns: assemble(mov64Imm(1, 0), exit()) });
    } catch (e) {
      err = e;
    }
    expect(isVerifierError(err)).toBe(true);
    const v = err as VerifierError;
    expect(v.errno).toBe(13);
    expect(v.log).toMatch(/R0 !read_ok/);
    expect(v.log).toMatch(/processed \d+ insns/);
    expect(v.message).toMatch(/program kt_bad rejected by the verifier: EACCES/);
    expect(v.message).toMatch(/R0 !read_ok/);
    expect(t.openFds()).toEqual([]);
  });

  it("out fields the kernel wrote (log_true_size at 140) do not leak into the next command", () => {
    using t = new KernelTransport();
    expect(() => t.loadProgram({ name: "kt_bad2", type: BPF_PROG_TYPE_SOCKET_FILTER, license: "GPL", insns: assemble(exit()) })).toThrow(/verifier/);
    // MAP_CREATE requires every byte past its last field to be zero: a stale byte would be E2BIG
    const m = t.createMap({ name: "kt_after", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    expect(t.lookupElem(m, u32le(0), 4)).toEqual(new Uint8Array(4));
    const attr = new Attr();
    attr.u32(100, 7).u64(160, 9n);
    attr.bytes[20] = 1;
    attr.markDirty(21);
    attr.reset();
    expect(attr.bytes.every((b) => b === 0)).toBe(true);
  });

  it("a log larger than the first buffer grows until it fits", () => {
    using t = new KernelTransport();
    let log = "";
    t.progLoadOptions = { logSize: 64, logLevel: 2, onLog: (l) => (log = l) };
    t.loadProgram({ name: "kt_log", type: BPF_PROG_TYPE_SOCKET_FILTER, license: "GPL", insns: assemble(mov64Imm(0, 0), exit()) });
    expect(log.length).toBeGreaterThan(64);
    expect(log).toMatch(/processed 2 insns/);
  });

  it("an attr problem without a log is a BpfSyscallError, not a VerifierError", () => {
    using t = new KernelTransport();
    let err: unknown;
    try {
      t.loadProgram({ name: "kt_type", type: 9999, license: "GPL", insns: assemble(mov64Imm(0, 0), exit()) });
    } catch (e) {
      err = e;
    }
    expect(isBpfSyscallError(err)).toBe(true);
    expect((err as Error).message).toMatch(/^BPF_PROG_LOAD: EINVAL/);
  });
});
