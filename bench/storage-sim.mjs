#!/usr/bin/env node
// bench/storage-sim.mjs — mapped local storage on the simulated kernel. Prints figures and
// ratios measured in this run; every rate is the fastest round within a time budget (as in
// storage-kernel.mjs), baselines alike. Nothing is asserted.
//   npm run bench:storage
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, SimKernel } from "@bpf-skel/runtime-sim";
import { LocalStorage, StructView, dataViewOf, elements } from "@bpf-skel/sdk";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// A full GC after a figure's warm-up settles the heap its views were promoted into, as in a
// long-running agent (without it get(pid) measured 25M/s or 47M/s depending on the run).
setFlagsFromString("--expose-gc");
const fullGc = runInNewContext("gc");

const LE = elements(true);

/** TaskCtx mirrors test/fixtures/storage/values.bpf.c's struct task_ctx (the shape bpf-skel gen emits). */
class TaskCtx extends StructView {
  static size = 48;
  static align = 8;
  static fields = [];
  static wrap(buffer, byteOffset = 0) {
    return new TaskCtx(dataViewOf(buffer), byteOffset);
  }
  get dom_id() {
    return LE.u32.get(this.$view, this.$offset + 4, "task_ctx.dom_id");
  }
  set dom_id(v) {
    LE.u32.set(this.$view, this.$offset + 4, v, "task_ctx.dom_id");
  }
  get load() {
    return LE.u64.get(this.$view, this.$offset + 8, "task_ctx.load");
  }
  toJSON() {
    return { dom_id: this.dom_id };
  }
}

const PID_MAX = 4_194_304;
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(1));
/**
 * bestSeconds runs `round` (once to warm up) until `budgetMs` of rounds have run and returns
 * the fastest round's wall-clock seconds. The fastest round, not a total: this shared VM has
 * noisy spells, and a process's CPU time (what this bench used to count) also charges it the
 * background GC and compiler threads.
 */
function bestSeconds(round, budgetMs = 1500) {
  round();
  let best = Infinity;
  const t0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - t0 < budgetMs; i++) {
    const r0 = performance.now();
    round();
    best = Math.min(best, performance.now() - r0);
  }
  return best / 1000;
}

function setup(arenaPages = 16_384) {
  const kernel = new SimKernel({ arenaPages });
  const stor = kernel.defineStorage("task_ctx_stor", "task", TaskCtx);
  const mapping = { buffer: kernel.arena.buffer, address: 1n << 44n, length: kernel.arena.buffer.byteLength, closed: false, [Symbol.dispose]() {} };
  const reader = LocalStorage.open(mapping, "task_ctx_stor", TaskCtx, { regionPage: 1 });
  return { kernel, stor, reader };
}

function populate(s, n) {
  const pids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = s.kernel.createTask();
    s.stor.getOffset(t, CREATE);
    pids[i] = t.pid;
  }
  return pids;
}

// 1. create + exit per second (a task forks, BPF creates its entry, the task exits, the entry is freed).
{
  const s = setup();
  const live = [];
  for (let i = 0; i < 10_000; i++) {
    const t = s.kernel.createTask();
    s.stor.getOffset(t, CREATE);
    live.push(t);
  }
  const N = 100_000; // cycles per timed round
  let head = 0;
  const cycles = (n) => {
    for (let c = 0; c < n; c++) {
      s.kernel.exitTask(live[head++]);
      const t = s.kernel.createTask();
      if (s.stor.getOffset(t, CREATE) === 0) throw new Error("allocation failed");
      live.push(t);
      if (head > 100_000) {
        live.splice(0, head);
        head = 0;
      }
    }
  };
  // Warm-up, as the other figures have: the exit path has not run yet, and its first rounds
  // would otherwise run unoptimised code.
  cycles(200_000);
  const sec = bestSeconds(() => cycles(N));
  console.log(`create+exit (sim kernel, 10k alive): ${fmt(N / sec)}/s  (goal ≥ 1M/s; ${(N / sec / 1e6).toFixed(2)}× goal)`);
  // The storage part alone: BPF creates the entry of a live task (F_CREATE) and deletes it.
  const tasks = live.slice(head, head + 10_000);
  const dsec = bestSeconds(() => {
    for (let c = 0; c < N; c++) {
      const t = tasks[c % 10_000];
      s.stor.delete(t);
      s.stor.getOffset(t, CREATE);
    }
  });
  console.log(`  storage entry delete+create on live tasks: ${fmt(N / dsec)}/s`);
  const w = s.kernel.region;
  const asec = bestSeconds(() => {
    for (let c = 0; c < N; c++) {
      const k = (c % 10_000) + 1;
      w.freeEntry(0, k + 20_000);
      w.allocEntry(0, k + 20_000, true);
    }
  });
  console.log(`  of which the region allocator alone (free+alloc): ${fmt(N / asec)}/s`);
}

// 2. get(pid) per second through the owner index, vs a JS Map<pid, view> lookup in the same run.
{
  const s = setup();
  const pids = populate(s, 100_000);
  const N = 2_000_000; // gets per timed round
  let sink = 0;
  for (let i = 0; i < 1_000_000; i++) sink ^= s.reader.get(pids[i % pids.length]) === undefined ? 1 : 0;
  fullGc();
  const sec = bestSeconds(() => {
    for (let i = 0; i < N; i++) {
      const v = s.reader.get(pids[i & 65535]);
      if (v === undefined) sink++;
    }
  });
  const map = new Map();
  for (const p of pids) map.set(p, s.reader.get(p));
  const msec = bestSeconds(() => {
    for (let i = 0; i < N; i++) if (map.get(pids[i & 65535]) === undefined) sink++;
  });
  console.log(`get(pid) (100k live): ${fmt(N / sec)}/s  (goal ≥ 20M/s; ${(N / sec / 20e6).toFixed(2)}× goal; a JS Map<pid,view> lookup: ${fmt(N / msec)}/s, ratio ${(msec / sec).toFixed(2)})${sink ? " !" : ""}`);
}

// 3. read one field of every live record: forEach over the slabs, and get(pid) per owner.
for (const n of [10_000, 100_000]) {
  const s = setup();
  const pids = populate(s, n);
  for (const p of pids) s.reader.get(p).dom_id = p & 7;
  let sum = 0;
  const rounds = n === 10_000 ? 20 : 2; // walks per timed round
  // The forEach callback sums into a Float64Array cell: a captured `let` holding a non-Smi
  // number allocates a HeapNumber per store, which would time the bench, not the reader.
  const cell = new Float64Array(1);
  const add = (v) => {
    cell[0] += v.dom_id;
  };
  for (let r = 0; r < rounds; r++) s.reader.forEach(add); // warm-up: let the optimiser finish
  fullGc();
  const perRecord = (round) => (bestSeconds(round) * 1e9) / (rounds * n);
  const walk = perRecord(() => {
    for (let r = 0; r < rounds; r++) s.reader.forEach(add);
  });
  sum += cell[0];
  const byPid = perRecord(() => {
    for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) sum += s.reader.get(pids[i]).dom_id;
  });
  const iter = perRecord(() => {
    for (let r = 0; r < rounds; r++) for (const [, v] of s.reader) sum += v.dom_id;
  });
  console.log(`read one field of every live record, n=${fmt(n)}: forEach ${walk.toFixed(1)} ns/record, for..of ${iter.toFixed(1)} ns/record, get(pid) per owner ${byPid.toFixed(1)} ns/record${sum < 0 ? "!" : ""}`);
}

// 4. memory per live entry vs a pid_max-sized array of values.
for (const n of [10_000, 100_000]) {
  const s = setup();
  populate(s, n);
  const st = s.reader.stats();
  const pidArray = PID_MAX * TaskCtx.size;
  console.log(
    `memory, ${fmt(n)} live: ${st.presentPages} pages present = ${(st.presentBytes / 2 ** 20).toFixed(2)} MiB, ${st.bytesPerLiveEntry.toFixed(1)} B/entry ` +
      `(value ${TaskCtx.size} B; slab ${st.slabPages}, index ${st.indexPages}, pool ${st.poolPages} pages); ` +
      `pid_max array ${PID_MAX} × ${TaskCtx.size} B = ${(pidArray / 2 ** 20).toFixed(0)} MiB → ${(pidArray / st.presentBytes).toFixed(0)}× less; ` +
      `live bytes / present bytes ${((100 * st.liveBytes) / st.presentBytes).toFixed(0)}%`,
  );
}
