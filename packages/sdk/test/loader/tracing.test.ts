import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { close as sysClose, linkInfo, BPF_LINK_TYPE_PERF_EVENT, BPF_LINK_TYPE_RAW_TRACEPOINT } from "../../src/kernel/index.js";
import { BpfObject, pidfdOpen } from "../../src/loader/index.js";
import { cstr, fixture, procStat, u32, u64 } from "./support.js";

const TASK_COUNTER = fixture("lifecycle/task_counter.bpf.o");
const NR_GETPPID = 110; // x86-64 unistd_64.h

/** A busy child: wakes every millisecond (context switches) and calls getppid() each time. */
async function busyChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => process.ppid, 1); process.stdout.write('up\\n')"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await once(child.stdout!, "data");
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(requirement(rootMissing()))("tracing on the real kernel: tp_btf, tracepoint, task storage, CO-RE", () => {
  let child: ChildProcess;
  beforeAll(async () => {
    child = await busyChild();
  });
  afterAll(() => {
    child?.kill("SIGKILL");
  });

  it("tp_btf/sched_switch counts switches per task in TASK_STORAGE, read by pidfd; CO-RE fields match /proc", async () => {
    using obj = BpfObject.open(TASK_COUNTER);
    const ro = obj.globals(".rodata");
    new DataView(ro.buffer, ro.byteOffset).setUint32(obj.variable("watch_tgid").offset, child.pid!, true);
    obj.load().attach();
    expect(linkInfo(obj.links.get("count_switch")!).type).toBe(BPF_LINK_TYPE_RAW_TRACEPOINT); // tp_btf links are raw_tp links
    expect(linkInfo(obj.links.get("count_getppid")!).type).toBe(BPF_LINK_TYPE_PERF_EVENT);
    const counts = obj.map("counts");
    const pidfd = pidfdOpen(child.pid!);
    try {
      await sleep(200);
      const first = counts.lookup(pidfd);
      expect(first, "no task storage for the child after 200 ms").toBeDefined();
      const n1 = u64(first!, 0);
      expect(n1).toBeGreaterThan(0n);
      await sleep(200);
      const second = counts.lookup(pidfd)!;
      expect(u64(second, 0)).toBeGreaterThan(n1);
      // pid, tgid, real_parent->tgid and comm were read with CO-RE from task_struct.
      const stat = procStat(child.pid!);
      expect({ pid: u32(second, 8), tgid: u32(second, 12), ppid: u32(second, 16), comm: cstr(second.subarray(24, 40)) })
        .toEqual({ pid: stat.pid, tgid: stat.pid, ppid: stat.ppid, comm: stat.comm });
      expect(stat.ppid).toBe(process.pid);
      // Our own task has no entry: the program filtered on watch_tgid.
      const self = pidfdOpen(process.pid);
      try {
        expect(counts.lookup(self)).toBeUndefined();
      } finally {
        sysClose(self);
      }
    } finally {
      sysClose(pidfd);
    }
  });

  it("tracepoint/syscalls/sys_enter_getppid fires for the child's getppid() calls", async () => {
    using obj = BpfObject.open(TASK_COUNTER);
    const ro = obj.globals(".rodata");
    new DataView(ro.buffer, ro.byteOffset).setUint32(obj.variable("watch_tgid").offset, child.pid!, true);
    obj.setAutoload("count_switch", false);
    obj.setAutoload("count_raw_switch", false);
    obj.load().attach();
    expect([...obj.links.keys()]).toEqual(["count_getppid"]);
    const bss = obj.globals(".bss");
    await sleep(150);
    const calls = u64(bss, obj.variable("getppid_calls").offset);
    expect(calls).toBeGreaterThan(0n);
    expect(u64(bss, obj.variable("last_syscall_nr").offset)).toBe(BigInt(NR_GETPPID));
    obj.detach();
    await sleep(50);
    const after = u64(bss, obj.variable("getppid_calls").offset);
    await sleep(100);
    expect(u64(bss, obj.variable("getppid_calls").offset)).toBe(after);
  });
});

describe.skipIf(requirement(rootMissing()))("raw_tp on the real kernel", () => {
  it("raw_tp/sched_switch counts switches while attached, and stops when detached", async () => {
    using obj = BpfObject.open(TASK_COUNTER);
    obj.setAutoload("count_switch", false);
    obj.setAutoload("count_getppid", false);
    obj.load().attach();
    expect(linkInfo(obj.links.get("count_raw_switch")!).type).toBe(BPF_LINK_TYPE_RAW_TRACEPOINT);
    const bss = obj.globals(".bss");
    const at = obj.variable("raw_switches").offset;
    await sleep(50);
    const n = u64(bss, at);
    expect(n).toBeGreaterThan(0n);
    await sleep(50);
    expect(u64(bss, at)).toBeGreaterThan(n);
    obj.detach();
    const stopped = u64(bss, at);
    await sleep(50);
    expect(u64(bss, at)).toBe(stopped);
  });
});
