// An atropos-style user-space load balancer on the simulated kernel. atropos (scx_atropos,
// now scx_rusty) keeps per-task load in BPF and has user space fetch it from a pid-indexed
// hash map, one syscall per task, then push migration targets back through another map.
// Here user space walks the mapped task storage in place (no syscall per task) and writes
// each chosen task's target domain straight into its entry; the BPF side applies it the
// next time the task runs.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generateStorage, rng, startSim, type TaskCtx, type TaskCtxStorage } from "./sim-sched.js";
import { workspace } from "./workspace.js";

/** NR_DOMS is the number of scheduling domains (init_task places a task in pid % 2). */
export const NR_DOMS = 2;

export interface BalancerOptions {
  readonly tasks?: number;
  readonly rounds?: number;
  readonly seed?: number;
  /** maxMoves per round, like atropos' cap on migrations per balancing period. */
  readonly maxMoves?: number;
}

/** Move is one migration the balancer asked for. */
export interface Move {
  readonly pid: number;
  readonly from: number;
  readonly to: number;
  readonly load: bigint;
}

/** BalancerRun is what a run saw, for tests. */
export interface BalancerRun {
  /** Domain loads read through mapped storage at the start of each round, and at the end. */
  readonly loads: bigint[][];
  readonly moves: Move[][];
  /** Per pid, after the run: [dom through the wrapper, dom as the sim's BPF side sees it, nr_migrations]. */
  readonly doms: Map<number, [number, number, number]>;
}

/** domainLoads sums per-task load by domain, walking the mapped storage in place (one cursor view). */
export function domainLoads(stor: TaskCtxStorage): bigint[] {
  const loads = new Array<bigint>(NR_DOMS).fill(0n);
  stor.scan((ctx) => {
    loads[ctx.dom] = loads[ctx.dom]! + ctx.load;
  });
  return loads;
}

/**
 * plan picks migrations from the busiest to the idlest domain: repeatedly the task whose load
 * best fills half the gap without overshooting it (atropos' greedy choice), at most `maxMoves`.
 */
export function plan(stor: TaskCtxStorage, loads: bigint[], maxMoves: number): Move[] {
  const moves: Move[] = [];
  const l = [...loads];
  const taken = new Set<number>();
  for (let n = 0; n < maxMoves; n++) {
    const push = l.indexOf(l.reduce((a, b) => (b > a ? b : a)));
    const pull = l.indexOf(l.reduce((a, b) => (b < a ? b : a)));
    const want = (l[push]! - l[pull]!) / 2n;
    let best: [number, TaskCtx] | undefined;
    for (const [pid, ctx] of stor) {
      if (ctx.dom !== push || taken.has(pid) || ctx.load === 0n || ctx.load > want) continue;
      if (best === undefined || ctx.load > best[1].load) best = [pid, ctx];
    }
    if (best === undefined) break;
    const [pid, ctx] = best;
    ctx.target_dom = pull; // written into the mapped entry; BPF applies it on the task's next run
    taken.add(pid);
    moves.push({ pid, from: push, to: pull, load: ctx.load });
    l[push] = l[push]! - ctx.load;
    l[pull] = l[pull]! + ctx.load;
  }
  return moves;
}

const pct = (loads: bigint[]): string => {
  const total = loads.reduce((a, b) => a + b, 0n);
  return loads.map((x, d) => `dom${d} ${(total === 0n ? 0 : (Number(x) * 100) / Number(total)).toFixed(1).padStart(4)}%`).join("  ");
};

/** balance runs the balancer for `rounds` periods over a seeded workload, printing through `log`. */
export async function balance(dir: string, options: BalancerOptions = {}, log: (line: string) => void = console.log): Promise<BalancerRun> {
  const { tasks: nTasks = 12, rounds = 4, seed = 7, maxMoves = 3 } = options;
  const g = await generateStorage(dir);
  const sim = startSim(g);
  const rand = rng(seed);
  // Odd pids start in domain 1 and are the busy ones: the machine starts unbalanced.
  const tasks = Array.from({ length: nTasks }, (_, i) => sim.kernel.createTask({ comm: `job${i}`, weight: 50 + Math.floor(rand() * 150) }));
  const busy = new Map(tasks.map((t) => [t.pid, t.pid % 2 === 1 ? 3 + rand() * 2 : 0.5 + rand()]));
  const tick = () => {
    for (let slice = 0; slice < 8; slice++) {
      for (const t of tasks) sim.account(t.pid, BigInt(Math.round(busy.get(t.pid)! * 1e6)));
    }
  };

  using stor = g.TaskCtxStorStorage.from(sim.mapping, { regionPage: 1, input: "arena mmap" });
  log(`balancer: ${nTasks} tasks, ${NR_DOMS} domains; per-task load read from mapped ${stor.name}, no syscall per task`);
  const loads: bigint[][] = [];
  const moves: Move[][] = [];
  for (let r = 0; r < rounds; r++) {
    if (r === Math.floor(rounds / 2)) {
      // A phase change: the tasks that started in domain 0 get busy; the balancer has to follow.
      for (const t of tasks) if (t.pid % 2 === 0) busy.set(t.pid, busy.get(t.pid)! * 6);
      log("  (workload shift: the tasks that started in dom0 get 6x busier)");
    }
    tick();
    const l = domainLoads(stor);
    const m = plan(stor, l, maxMoves);
    loads.push(l);
    moves.push(m);
    const what = m.length === 0 ? "balanced" : m.map((x) => `pid ${x.pid} ${x.from}→${x.to}`).join(", ");
    log(`round ${r + 1}: ${pct(l)}  ${what}`);
  }
  tick();
  const end = domainLoads(stor);
  loads.push(end);
  log(`after:   ${pct(end)}  (${moves.flat().length} migrations, applied by BPF on each task's next run)`);

  const doms = new Map<number, [number, number, number]>();
  for (const t of tasks) {
    const k = sim.map.get(t)!;
    doms.set(t.pid, [stor.get(t.pid)!.dom, k.dom, k.nr_migrations]);
  }
  sim.transport[Symbol.dispose]();
  return { loads, moves, doms };
}

export async function main(): Promise<void> {
  const dir = workspace();
  try {
    await balance(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
