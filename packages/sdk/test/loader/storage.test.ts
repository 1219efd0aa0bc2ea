import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { itArena } from "../../../../test/support/arena.js";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { MappedStorage } from "../../src/storage/kernel/index.js";
import { BpfObject } from "../../src/loader/index.js";
import { TaskCtx } from "../../../../test/kernel-storage/generated/task-ctx.js";
import { fdCount, fixture, procStat } from "./support.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The storage fixtures (arena + task storage + kfuncs + tp_btf + syscall programs) through the
// live loader instead of test/kernel-storage's hand-written one: the loader can replace it.
describe.skipIf(requirement(rootMissing()))("mapped storage objects through the live loader", () => {
  itArena("task_ctx.bpf.o: every program loads, the arena is mapped where the kernel chose, and a child's entry matches /proc", async () => {
    const before = fdCount();
    {
      using obj = BpfObject.open(fixture("storage-kernel/task_ctx.bpf.o")).load();
      expect([...obj.programs.keys()].sort()).toEqual([
        "bench_get", "bskel_init", "bskel_refill", "depopulate", "on_exec", "on_switch", "populate", "task_ctx_stor__bskel_exit",
        "task_ctx_stor__bskel_reg",
      ]);
      expect(obj.arena!.address % 4096n).toBe(0n); // map_extra 0: the kernel chose it
      expect(obj.arena!.address).toBeGreaterThan(0n);
      using driver = new MappedStorage(obj.storageObject(), { poolTarget: 16, refillIntervalMs: 5, input: "task_ctx.bpf.o" });
      const storage = driver.open("task_ctx_stor", TaskCtx);
      try {
        obj.attach();
        const child = spawn("sleep", ["30"], { stdio: "ignore" });
        await once(child, "spawn");
        try {
          let v: unknown;
          for (let i = 0; i < 100 && (v = storage.get(child.pid!)) === undefined; i++) await sleep(10);
          await sleep(50);
          const [pid, comm] = storage.readConsistent(child.pid!, (x) => [x.pid, x.comm.getString()] as const)!;
          const stat = procStat(child.pid!);
          expect({ pid, comm }).toEqual({ pid: stat.pid, comm: stat.comm });
        } finally {
          child.kill("SIGKILL");
          await once(child, "exit");
        }
      } finally {
        storage.close();
      }
    }
    expect(fdCount()).toBe(before);
  });

  itArena("cgrp_ctx.bpf.o loads with cgroup storage (BTF key/value ids) and its kfuncs", () => {
    using obj = BpfObject.open(fixture("storage-kernel/cgrp_ctx.bpf.o")).load();
    expect([...obj.programs.keys()].sort()).toEqual(["bskel_init", "bskel_refill", "cgrp_ctx_stor__bskel_reg", "cgrp_ctx_stor__bskel_rmdir", "cgrp_touch"]);
    expect(obj.map("cgrp_ctx_stor").spec).toMatchObject({ type: 32, keySize: 4, valueSize: 24 });
  });
});
