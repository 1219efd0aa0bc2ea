#!/usr/bin/env node
// bench/storage-kernel.mjs — mapped local storage on the real kernel (root, after tsc -b).
// Prints, from one run, figures and ratios against baselines measured in the same run:
//   P1 read one field of every live entry (n = 10k, 100k): mapped storage via generated
//      accessors (scan: one view moved from entry to entry) vs one BPF_MAP_LOOKUP_ELEM per pid
//      on a pid-keyed hash vs BPF_MAP_LOOKUP_BATCH; the hash sized for pid_max (as agents deploy
//      it) and sized exactly n (the baseline's best case)
//   P2 get(pid) through the owner index vs a syscall lookup per pid
//   P3 BPF-side cost of skel_task_storage_get vs bpf_task_storage_get (bpf_loop in the kernel)
//   P4 pages present for 10k live entries vs the memlock of a preallocated hash for pid_max 2^22
// Entries for 10k/100k owners are made by the fixture's `populate` syscall program with
// synthetic owner ids (>= 5,000,000, never a real pid). Every timed figure is the fastest run
// within the same time budget (BUDGET_MS), mapped and syscall alike. Each mapped figure runs in
// a process of its own (as JMH forks per benchmark): the JIT profile one figure's loop leaves
// in the shared reader code (its callbacks, its call sites) would otherwise shape the code the
// next figure runs, and that moved the 100k figures by up to 2.5× from one order to another.
// Nothing is asserted.
// Where the kernel refuses BPF_MAP_TYPE_ARENA (probed first), none of P1–P4 can be measured:
// the bench says so, times P1/P2 on a labelled STAND-IN instead (the same region, laid out by
// the simulator's allocator, copied into an mmapable BPF_MAP_TYPE_ARRAY: 4 KiB user PTEs over
// scattered vmalloc pages, like an arena's) against the same syscall baselines, and skips P3/P4.
//   node bench/storage-kernel.mjs            (NS=100000 node … for one size)
//   node bench/storage-kernel.mjs --figure NAME N [stand-in]   (one mapped figure, JSON; what the parent runs)
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

if (process.getuid?.() !== 0) {
  console.log("storage-kernel: needs root for bpf(2); skipped");
  process.exit(0);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => pathToFileURL(join(root, "packages/sdk/dist", p)).href;

// The generated accessors (bpf-skel gen output for the fixture's task_ctx) live with the tests
// as TypeScript; transpile them into a temp folder, pointing @bpf-skel/sdk at the built SDK.
async function importTs(files) {
  const out = join(tmpdir(), `bpf-skel-bench-${process.pid}`);
  mkdirSync(out, { recursive: true });
  for (const f of files) {
    let js = ts.transpileModule(readFileSync(join(root, f), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    js = js.replace(/from "@bpf-skel\/sdk\/([a-z/-]+)"/g, (_, p) => `from "${dist(`${p}/index.js`)}"`);
    js = js.replace(/from "@bpf-skel\/sdk"/g, `from "${dist("index.js")}"`);
    const name = f.split("/").pop().replace(/\.ts$/, ".js");
    writeFileSync(join(out, name), js);
  }
  return (name) => import(pathToFileURL(join(out, name)).href);
}

const load = await importTs(["test/kernel-storage/generated/task-ctx.ts"]);
const { TaskCtx } = await load("task-ctx.js");
const { BpfObject, pidfdOpen } = await import(dist("loader/index.js"));
const { MappedStorage } = await import(dist("storage/kernel/index.js"));
const { LocalStorage } = await import(dist("storage/index.js"));
const { isBpfSyscallError } = await import(dist("errors/index.js"));
const { BPF_F_MMAPABLE, BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, KernelTransport, close: closeFd } = await import(dist("kernel/index.js"));

const SYNTH_BASE = 5_000_000;
const PID_MAX = 4_194_304;
/**
 * BUDGET_MS is the time each figure's timed runs get (best() takes the fastest run): 3 s, as the
 * host's noise comes in spells of a second or more that a 1 s budget could fall entirely inside.
 */
const BUDGET_MS = Number(process.env.BUDGET_MS ?? 3000);
const FIXTURE = join(root, "test/fixtures/storage-kernel/task_ctx.bpf.o");

function rig() {
  const obj = BpfObject.open(FIXTURE).load();
  const so = obj.storageObject();
  const f = { transport: so.transport, programs: so.programs, [Symbol.dispose]: () => obj.close() };
  const driver = new MappedStorage(so, { poolTarget: 64, refillIntervalMs: 0 });
  const storage = driver.open("task_ctx_stor", TaskCtx);
  const owners = (prog, start, count) => {
    const a = new Uint8Array(16);
    const v = new DataView(a.buffer);
    v.setUint32(0, start, true);
    v.setUint32(4, count, true);
    v.setUint32(8, 1, true);
    const r = f.transport.runProgram(f.programs.get(prog), { ctx: a });
    return new DataView(r.ctx.buffer, r.ctx.byteOffset).getUint32(12, true);
  };
  return { obj, f, driver, storage, owners, close: () => (storage.close(), driver.close(), f[Symbol.dispose]()) };
}

/** arenaRefusal creates (and closes) a 1-page arena: undefined when the kernel allows it, else its BpfSyscallError. */
function arenaRefusal() {
  const t = new KernelTransport();
  try {
    t.close(t.createMap({ name: "probe_arena", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 1, flags: BPF_F_MMAPABLE }));
    return undefined;
  } catch (e) {
    if (isBpfSyscallError(e)) return e;
    throw e;
  } finally {
    t[Symbol.dispose]();
  }
}

const STAND_IN_REGION_PAGE = 1;
/**
 * standIn returns storage over n live entries (owner SYNTH_BASE+i, pid = owner) in a region the
 * simulator's allocator lays out, copied into an mmapable array map at the same offsets and
 * read through the kernel mapping. The region is sized by doubling until the entries fit (the
 * reader wants the mapping to cover the header's max_pages; the array's pages are all real).
 */
async function standIn(n) {
  const { SimKernel } = await import(pathToFileURL(join(root, "packages/runtime-sim/dist/index.js")).href);
  for (let pages = 1024; pages <= 1 << 20; pages *= 2) {
    const kernel = new SimKernel({ arenaPages: pages, regionPage: STAND_IN_REGION_PAGE, poolTarget: 64 });
    const { mapId } = kernel.defineStorage("task_ctx_stor", "task", TaskCtx);
    const w = kernel.region;
    let made = 0;
    for (; made < n; made++) {
      const off = w.allocEntry(mapId, SYNTH_BASE + made, true);
      if (off === 0) break;
      TaskCtx.wrap(kernel.arena.buffer, w.base + w.valueOffsetOf(mapId, off)).pid = SYNTH_BASE + made;
    }
    if (made === n) {
      const t = new KernelTransport();
      const fd = t.createMap({ name: "standin_region", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4096, maxEntries: pages, flags: BPF_F_MMAPABLE });
      const mapping = t.mmapMap(fd, pages * 4096);
      // Pages at or above the high-water mark were never present: nothing to copy.
      new Uint8Array(mapping.buffer).set(new Uint8Array(kernel.arena.buffer, 0, (STAND_IN_REGION_PAGE + w.hwmPages) * 4096));
      kernel[Symbol.dispose]();
      const storage = LocalStorage.open(mapping, "task_ctx_stor", TaskCtx, { regionPage: STAND_IN_REGION_PAGE });
      return { storage, close: () => (storage.close(), t[Symbol.dispose]()) };
    }
    kernel[Symbol.dispose]();
  }
  throw new Error(`stand-in: no region of at most 2^20 pages holds ${n} entries`);
}

/** mappedStorage returns storage over n live entries: on the arena (populate), or the stand-in. */
async function mappedStorage(n, onStandIn) {
  if (onStandIn) return standIn(n);
  const r = rig();
  const made = r.owners("populate", SYNTH_BASE, n);
  if (made !== n) throw new Error(`populate made ${made} of ${n}`);
  return { storage: r.storage, close: r.close };
}

/**
 * best returns the fastest run of fn in ns, over at least `minReps` runs and at least `budgetMs`
 * of runs (after warming up): every figure, mapped or syscall, gets the same time to find a
 * quiet moment on this shared VM, however long one run takes.
 */
const sink = new Float64Array(1);
function best(budgetMs, fn, minReps = 3) {
  // Warm up for >= 300 ms, not one call: on a busy 2-core machine the optimising compiler runs
  // in the background and a short loop would otherwise time interpreted code. fn returns its
  // result (kept in `sink`): a timed closure that added it to an outer variable after its loop
  // was compiled (on-stack) before that line ever ran, and deoptimised at the end of every run.
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < 3 || process.hrtime.bigint() - w0 < 300_000_000n; i++) sink[0] += fn();
  let min = Infinity;
  const t0 = process.hrtime.bigint();
  const budget = BigInt(Math.round(budgetMs * 1e6));
  for (let i = 0; i < minReps || process.hrtime.bigint() - t0 < budget; i++) {
    const r0 = process.hrtime.bigint();
    sink[0] += fn();
    min = Math.min(min, Number(process.hrtime.bigint() - r0));
  }
  return min;
}

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const x = (a, b) => `${(a / b).toFixed(1)}×`;
const goal = (ok) => (ok ? "meets goal" : "MISSES goal");

// --- P1 / P2 --------------------------------------------------------------------------------
// Two phases: every mapped-storage figure first, then the syscall baselines. Closing a
// preallocated hash sized for pid_max hands 512 MiB to a deferred kernel free that runs on the
// other core for a while and would slow whatever is timed next.
const NS = process.env.NS ? process.env.NS.split(",").map(Number) : [10_000, 100_000];
if (!NS.every((n) => Number.isInteger(n) && n > 0 && n <= 1_000_000)) throw new Error(`NS=${process.env.NS}: want entry counts like 10000,100000`);
// The field read is task_ctx.pid (u32): a plain number on every path, no BigInt cost.
// Sums go into locals or a Float64Array cell: a sum past 2^31 kept in a captured `let`
// allocates a HeapNumber on every store, which would time the bench, not the reader.
const cell = new Float64Array(1);
const expectSum = (n) => (n * (2 * SYNTH_BASE + n - 1)) / 2;
const checkSum = (what, n, sum) => {
  if (sum !== expectSum(n)) throw new Error(`${what} n=${n}: sum ${sum} != ${expectSum(n)}`);
};
/** randomOwners are P2's 10k owners of n, in a fixed scattered order. */
const randomOwners = (n) => Array.from({ length: 10_000 }, (_, i) => SYNTH_BASE + ((i * 7919) % n));
/**
 * MAPPED are the mapped-storage figures, each timed in a process of its own (`--figure`): the
 * function gets a storage with n live entries and returns what one run does, with its check.
 */
const MAPPED = {
  // scan: one generated TaskCtx view re-pointed at each entry, the way to read a field of
  // every entry (the P1 figure).
  scan: (storage, n) => () => {
    cell[0] = 0;
    storage.scan((v) => {
      cell[0] += v.pid;
    });
    checkSum("scan", n, cell[0]);
    return 0;
  },
  // P2: random single owners, and the same owners in owner order (what is left once the
  // arena's 4 KiB pages stop missing the TLB: random owners touch ~2,000 pages at 100k).
  get: (storage, n) => {
    const keys = randomOwners(n);
    return () => {
      let a = 0;
      for (let i = 0; i < keys.length; i++) a += storage.get(keys[i]).pid;
      return a;
    };
  },
  ordered: (storage, n) => {
    const keys = randomOwners(n).sort((a, b) => a - b);
    return () => {
      let a = 0;
      for (let i = 0; i < keys.length; i++) a += storage.get(keys[i]).pid;
      return a;
    };
  },
  // forEach for reference: a cached view per entry, the views get returns.
  forEach: (storage, n) => () => {
    cell[0] = 0;
    storage.forEach((v) => {
      cell[0] += v.pid;
    });
    checkSum("forEach", n, cell[0]);
    return 0;
  },
};
/** PER_RUN is what one run of a figure covers: every entry, or P2's 10k owners. */
const PER_RUN = { scan: (n) => n, get: () => 10_000, ordered: () => 10_000, forEach: (n) => n };

if (process.argv[2] === "--figure") {
  const [name, n, where] = [process.argv[3], Number(process.argv[4]), process.argv[5]];
  if (!(name in MAPPED) || !Number.isInteger(n) || n <= 0 || ![undefined, "stand-in"].includes(where)) {
    throw new Error(`--figure ${process.argv.slice(3).join(" ")}: unknown figure, count or backend`);
  }
  const r = await mappedStorage(n, where === "stand-in");
  // A few runs make the views a figure keeps (get's cached views), then a full GC settles the
  // heap they landed in (promoted, compacted) before anything is timed, as in a long-running
  // agent; without it the first seconds of get figures ran up to 1.6× slower.
  const run = MAPPED[name](r.storage, n);
  for (let i = 0; i < 20; i++) sink[0] += run();
  globalThis.gc?.();
  const ns = best(BUDGET_MS, run) / PER_RUN[name](n);
  r.close();
  process.stdout.write(`${JSON.stringify({ name, n, ns })}\n`);
  process.exit(0);
}

const refusal = arenaRefusal();
const onStandIn = refusal !== undefined;
/** STAND_IN labels every figure measured on the stand-in (empty on an arena). */
const STAND_IN = onStandIn ? " (stand-in: region in an mmapable array, not an arena)" : "";

/** baselineTransport is what the syscall baselines run on: the fixture's transport, or a bare one on the stand-in (the fixture needs an arena). */
function baselineTransport() {
  if (!onStandIn) {
    const r = rig();
    return { t: r.f.transport, close: r.close };
  }
  const t = new KernelTransport();
  return { t, close: () => t[Symbol.dispose]() };
}

/** mapped runs one figure in a child process and returns its ns per entry (or per get). */
function mapped(name, n) {
  const args = ["--expose-gc", fileURLToPath(import.meta.url), "--figure", name, String(n), ...(onStandIn ? ["stand-in"] : [])];
  const child = spawnSync(process.execPath, args, { encoding: "utf8" });
  const line = child.stdout.trim().split("\n").pop() ?? "";
  if (child.status !== 0 || !line.startsWith("{")) throw new Error(`figure ${name} n=${n} failed (exit ${child.status}): ${child.stderr || child.stdout}`);
  return JSON.parse(line).ns;
}

console.log(`storage-kernel bench — ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}, node ${process.version}`);
if (onStandIn) {
  console.log(
    `arena: this kernel refuses BPF_MAP_TYPE_ARENA (1-page BPF_MAP_CREATE: ${refusal.code}, errno ${refusal.errno}): P1–P4 need an arena and cannot be measured here; ` +
      "P1/P2 below run on a STAND-IN (the simulator's region copied into an mmapable BPF_MAP_TYPE_ARRAY, read through its kernel mapping) against real hash-map baselines",
  );
}
const mappedAt = new Map();
for (const n of NS) {
  const m = {};
  for (const name of Object.keys(MAPPED)) m[`${name}Ns`] = mapped(name, n);
  mappedAt.set(n, m);
}
{
  // Baselines: the atropos pattern, a pid-keyed preallocated hash with the same value, sized
  // as agents deploy it (for pid_max, since the number of tasks is not known up front: the
  // seed's "statically sized" map) and, the baseline's best case, sized exactly n. The goals
  // are judged against the first, the map the seed describes agents deploying; the second is
  // printed for reference (a map sized for today's n fails inserts once tasks grow).
  const r = baselineTransport();
  const t = r.t;
  const key = new Uint8Array(4);
  const kv = new DataView(key.buffer);
  const out = new Uint8Array(TaskCtx.size);
  const ov = new DataView(out.buffer);
  for (const n of NS) {
    const m = mappedAt.get(n);
    const hashOf = (maxEntries) => {
      const fd = t.createMap({ name: "bench_tasks", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: TaskCtx.size, maxEntries });
      const val = new Uint8Array(TaskCtx.size);
      for (let i = 0; i < n; i++) {
        kv.setUint32(0, SYNTH_BASE + i, true);
        new DataView(val.buffer).setUint32(32, SYNTH_BASE + i, true); // task_ctx.pid
        t.updateElem(fd, key, val);
      }
      return fd;
    };
    // Each baseline run returns its sum; one run is checked before the timed ones.
    const timedChecked = (what, run) => {
      checkSum(what, n, run());
      return best(BUDGET_MS, run) / n;
    };
    const syscalls = (fd, judged) => {
      const perPid = timedChecked("LOOKUP_ELEM", () => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          kv.setUint32(0, SYNTH_BASE + i, true);
          if (t.lookupElemInto(fd, key, out)) s += ov.getUint32(32, true);
        }
        return s;
      });
      const batch = timedChecked("LOOKUP_BATCH", () => {
        let s = 0;
        let inBatch;
        do {
          const b = t.lookupBatch(fd, { keySize: 4, valueSize: TaskCtx.size, count: 4096, inBatch });
          const bv = new DataView(b.values.buffer, b.values.byteOffset, b.values.byteLength);
          for (let i = 0; i < b.count; i++) s += bv.getUint32(i * TaskCtx.size + 32, true);
          inBatch = b.nextBatch;
        } while (inBatch !== undefined);
        return s;
      });
      const mappedNs = m.scanNs;
      const verdict = (ratio, want) => (judged ? ` (${goal(ratio >= want)} ≥${want}×)` : "");
      return `LOOKUP_ELEM ${fmt(perPid)}/pid → ${x(perPid, mappedNs)}${verdict(perPid / mappedNs, 300)}, LOOKUP_BATCH ${fmt(batch)}/pid → ${x(batch, mappedNs)}${verdict(batch / mappedNs, 60)}`;
    };
    const hash = hashOf(n);
    const vsExact = syscalls(hash, false);
    const keys = randomOwners(n);
    const sysNs = best(BUDGET_MS, () => {
      let a = 0;
      for (let i = 0; i < keys.length; i++) {
        kv.setUint32(0, keys[i], true);
        t.lookupElemInto(hash, key, out);
        a += ov.getUint32(32, true);
      }
      return a;
    }) / keys.length;
    t.close(hash);
    const pidMaxHash = hashOf(PID_MAX);
    const vsPidMax = syscalls(pidMaxHash, true);
    t.close(pidMaxHash);
    console.log(`P1${STAND_IN} n=${n}: mapped scan ${m.scanNs.toFixed(1)} ns/entry (${fmt(m.scanNs * n)} for all; forEach ${m.forEachNs.toFixed(1)} ns/entry)`);
    console.log(`   vs hash sized for pid_max ${PID_MAX}: ${vsPidMax}`);
    console.log(`   vs hash sized exactly ${n} (the baseline's best case, not deployable: tasks come and go): ${vsExact}`);
    console.log(`P2${STAND_IN} n=${n}: get(owner) through the owner index, random owners ${fmt(m.getNs)} | BPF_MAP_LOOKUP_ELEM ${fmt(sysNs)} → ${x(sysNs, m.getNs)} (${goal(sysNs / m.getNs >= 25)} ≥25×) | same owners in owner order ${fmt(m.orderedNs)} → ${x(sysNs, m.orderedNs)}`);
  }
  r.close();
}

if (onStandIn) {
  console.log("P2 real task, P3, P4: skipped — they run the fixture's BPF programs (bench_get, populate) over its arena, which this kernel refuses");
  process.exit(0);
}

// --- P3 -------------------------------------------------------------------------------------
{
  const r = rig();
  const loops = 1_000_000;
  const args = new Uint8Array(40);
  new DataView(args.buffer).setUint32(0, loops, true);
  let skel = Infinity;
  let plain = Infinity;
  for (let i = 0; i < 7; i++) {
    const res = r.f.transport.runProgram(r.f.programs.get("bench_get"), { ctx: args });
    const v = new DataView(res.ctx.buffer, res.ctx.byteOffset);
    if (res.retval !== 0 || v.getBigUint64(24, true) !== BigInt(loops)) throw new Error("bench_get did not hit");
    skel = Math.min(skel, Number(v.getBigUint64(8, true)));
    plain = Math.min(plain, Number(v.getBigUint64(16, true)));
  }
  // P2 for a real task: the only user-space path into task storage is per element with a
  // pidfd key (pidfd_open + BPF_MAP_LOOKUP_ELEM + close); bench_get made both entries for us.
  const t = r.f.transport;
  const plainFd = r.obj.mapFd("plain_stor");
  const key = new Uint8Array(4);
  const out = new Uint8Array(TaskCtx.size);
  const K = 5000;
  const pidfdNs = best(BUDGET_MS, () => {
    let a = 0;
    for (let i = 0; i < K; i++) {
      const fd = pidfdOpen(process.pid);
      new DataView(key.buffer).setInt32(0, fd, true);
      t.lookupElemInto(plainFd, key, out);
      closeFd(fd);
      a += out[32];
    }
    return a;
  }) / K;
  const pid = process.pid; // a local: process.pid is an accessor call, not the reader's cost
  const storage = r.storage;
  const mappedNs = best(BUDGET_MS, () => {
    let a = 0;
    for (let i = 0; i < K; i++) a += storage.get(pid).pid;
    return a;
  }) / K;
  console.log(`P2 real task (pid ${process.pid}): get(pid) ${fmt(mappedNs)} | pidfd_open + LOOKUP_ELEM on task storage + close ${fmt(pidfdNs)} → ${x(pidfdNs, mappedNs)} (${goal(pidfdNs / mappedNs >= 25)} ≥25×)`);
  console.log(`P3 in-kernel get, ${loops} iterations: skel_task_storage_get ${(skel / loops).toFixed(1)} ns | bpf_task_storage_get ${(plain / loops).toFixed(1)} ns → ${(skel / plain).toFixed(2)}× (${goal(skel / plain <= 1.5)} ≤1.5×)`);
  r.close();
}

// --- P4 -------------------------------------------------------------------------------------
{
  const r = rig();
  const n = 10_000;
  r.owners("populate", SYNTH_BASE, n);
  const st = r.storage.stats();
  const present = st.presentPages * 4096;
  const t = r.f.transport;
  const hash = t.createMap({ name: "bench_pidmax", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: TaskCtx.size, maxEntries: PID_MAX });
  const memlock = Number(/memlock:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${hash}`, "utf8"))[1]);
  console.log(`P4 10k live entries: ${st.presentPages} pages present (${(present / 1024).toFixed(0)} KiB: ${st.slabPages} slab, ${st.indexPages} index, ${st.poolPages} pooled, rest header/descriptors) | preallocated hash for pid_max ${PID_MAX}: memlock ${(memlock / 2 ** 20).toFixed(1)} MiB → ${(memlock / present).toFixed(0)}× less (${goal(memlock / present >= 300)} ≥300×)`);
  t.close(hash);
  r.close();
}
