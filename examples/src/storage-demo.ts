// The demo's mapped-storage step: generated wrapper from a JSON description, the simulated
// kernel's "BPF code" writing task storage, user space reading it in place.
import type { StorageStats } from "@bpf-skel/sdk";
import { generateStorage, startSim, type TaskCtx } from "./sim-sched.js";

/** TASKS are the tasks the demo spawns: comm and weight. */
export const TASKS = [
  { comm: "systemd", weight: 100 },
  { comm: "sshd", weight: 100 },
  { comm: "postgres", weight: 200 },
  { comm: "nginx", weight: 150 },
  { comm: "cc1", weight: 50 },
  { comm: "rustc", weight: 80 },
] as const;

/** StorageDemo is what the step saw, for tests: records read through the wrapper and what the sim holds. */
export interface StorageDemo {
  /** Records read through the generated wrapper, by pid. */
  readonly read: Map<number, object>;
  /** The same records read through the simulator's own view of the entries (the "kernel side"). */
  readonly kernel: Map<number, object>;
  readonly exitedPid: number;
  readonly staleError: string;
  readonly stats: StorageStats;
}

const ms = (ns: bigint): string => (Number(ns) / 1e6).toFixed(1);

/** storageStep runs the mapped-storage part of the demo, printing through `log`. */
export async function storageStep(dir: string, log: (line: string) => void = console.log): Promise<StorageDemo> {
  const g = await generateStorage(dir, (line) => log(`  ${line}`));
  const sim = startSim(g);
  const tasks = TASKS.map((t) => sim.kernel.createTask(t)); // init_task creates each entry
  // Each task runs a few slices; `account` (BPF_PROG_TEST_RUN) updates its entry.
  for (let round = 1; round <= 3; round++) {
    for (const [i, t] of tasks.entries()) sim.account(t.pid, BigInt((i + 1) * round) * 1_000_000n);
  }

  using stor = g.TaskCtxStorStorage.from(sim.mapping, { regionPage: 1, input: "arena mmap" });
  log(`${stor.name}: ${stor.owner} storage of struct task_ctx (${g.TaskCtx.size} bytes), read in place:`);
  log("    pid  comm       weight dom  load      runtime");
  const read = new Map<number, object>();
  for (const [pid, ctx] of stor) {
    read.set(pid, ctx.toJSON());
    log(`  ${String(pid).padStart(5)}  ${ctx.comm.getString().padEnd(10)} ${String(ctx.weight).padStart(6)} ${String(ctx.dom).padStart(3)}  ${String(ctx.load).padStart(8)}  ${ms(ctx.runtime_ns)} ms`);
  }
  const kernel = new Map<number, object>();
  for (const t of sim.kernel.tasks()) {
    const v: TaskCtx | null = sim.map.get(t);
    if (v !== null) kernel.set(t.pid, v.toJSON());
  }

  const victim = tasks[2]!;
  const h = stor.handle(victim.pid)!;
  log(`handle of pid ${victim.pid} (${stor.at(h).comm.getString()}): 0x${h.toString(16)}; the task exits…`);
  sim.kernel.exitTask(victim);
  let staleError = "";
  try {
    stor.at(h);
  } catch (e) {
    // By name: the generated module may load its own copy of the SDK (its workspace link).
    if ((e as Error).name !== "StaleHandleError") throw e;
    staleError = (e as Error).message;
  }
  log(`  at(handle) → StaleHandleError: ${staleError}`);
  log(`  get(${victim.pid}) → ${String(stor.get(victim.pid))}`);

  const stats = stor.stats();
  log(
    `stats: ${stats.liveEntries} live entries, ${stats.presentPages} present pages (${stats.presentBytes / 1024} KiB), ` +
      `${stats.bytesPerLiveEntry.toFixed(0)} bytes per entry, epoch ${stats.epoch}`,
  );
  sim.transport[Symbol.dispose]();
  return { read, kernel, exitedPid: victim.pid, staleError, stats };
}
