import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeArena } from "../support/arena.js";
import { clang19Missing, requirement, rootMissing } from "../support/env.js";
import { alive, taskStorage, type TaskStorageRig } from "./support/harness.js";

const CYCLES = 10_000;
const lastPid = () => Number(readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));
const pidMax = () => Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
/** CONCURRENT bounds the tasks the churn itself keeps alive at once (sh, its subshell, stragglers). */
const CONCURRENT = 16;

// ≥ 10,000 fork/exit cycles on the real kernel: every child gets an entry when it is first
// switched in and loses it at exit; slots are reused lowest-first, so slab pages stay at the
// live peak. Index leaves cover the pid range touched (one per 512 pids), never more.
describeArena(requirement(rootMissing()) || requirement(clang19Missing()), "mapped task storage churn on the kernel", () => taskStorage({ attach: true }), () => {
  let rig: TaskStorageRig;
  let pidAtStart = 0;
  beforeAll(() => {
    pidAtStart = lastPid();
    rig = taskStorage({ attach: true });
  });
  afterAll(() => rig?.[Symbol.dispose]());

  it(`survives ${CYCLES} fork/exit cycles with present pages bounded by the live peak`, async () => {
    const c = () => rig.storage.region.header.counters;
    await new Promise((r) => setTimeout(r, 300)); // let the tasks already running get their entries
    const s0 = rig.storage.stats();
    const allocs0 = Number(c().allocs);
    const frees0 = Number(c().frees);
    const pid0 = lastPid();
    const owners0 = rig.storage.owners();
    // dash forks a subshell for ( : ): a fork and an exit, no exec.
    // Sample the live count while the churn runs: other test files' tasks share the kernel.
    let peakLive = s0.regionLiveEntries;
    const sampler = setInterval(() => (peakLive = Math.max(peakLive, Number(c().live_entries))), 1);
    const sh = spawn("sh", ["-c", `i=0; while [ $i -lt ${CYCLES} ]; do ( : ); i=$((i+1)); done`], { stdio: "ignore" });
    const code = await new Promise<number | null>((r) => sh.once("exit", r));
    clearInterval(sampler);
    expect(code).toBe(0);
    rig.driver.refill();
    // pids wrap at pid_max; a wrap means the churn may have touched every pid block.
    const pidSpan = lastPid() >= pid0 ? lastPid() - pid0 : pidMax();
    const s1 = rig.storage.stats();
    const allocs = Number(c().allocs) - allocs0;
    const frees = Number(c().frees) - frees0;
    console.log(`churn: peak live ${peakLive}, ${allocs} allocs, ${frees} frees over ${pidSpan} pids; slab pages ${s0.slabPages} -> ${s1.slabPages}, index pages ${s0.indexPages} -> ${s1.indexPages}, present ${s0.presentPages} -> ${s1.presentPages}, alloc_fail ${c().alloc_fail}, pool_empty ${c().pool_empty}`);
    expect(allocs).toBeGreaterThanOrEqual(CYCLES);
    expect(frees).toBeGreaterThanOrEqual(CYCLES - 16);
    // Slabs hold the live peak, not the churn: at most the tasks alive before or after plus
    // what the churn keeps alive at once, lowest-first packing (+1 for a partly used page).
    const cls = rig.storage.region.header.classes.get(rig.storage.info.classId);
    const peak = Math.max(peakLive, s1.regionLiveEntries) + CONCURRENT;
    expect(s1.slabPages).toBeLessThanOrEqual(Math.max(s0.slabPages, Math.ceil(peak / cls.nr_slots) + 1));
    expect(Number(c().alloc_fail)).toBe(0);
    // Index pages: one leaf per 512-pid block ever indexed — the blocks of every pid handed
    // out since the rig started (churn and anything else on the machine) plus those of tasks
    // that were already running — and one L1 page per 2^19 ids; +4 for pre-existing tasks that
    // got an entry and exited unseen. Never more than pid_max / 512 leaves, however long the churn.
    const blocks = new Set<number>();
    const span = lastPid() >= pidAtStart ? [pidAtStart, lastPid()] : [0, pidMax()];
    for (let p = span[0]!; p <= span[1]!; p += 512) blocks.add(Math.floor(p / 512));
    blocks.add(Math.floor(span[1]! / 512));
    for (const o of [...owners0, ...rig.storage.owners()]) blocks.add(Math.floor(o / 512));
    const roots = new Set([...blocks].map((b) => b >> 10));
    expect(s1.indexPages).toBeLessThanOrEqual(blocks.size + roots.size + 4);
    expect(s1.indexPages).toBeLessThanOrEqual(Math.ceil(pidMax() / 512) + Math.ceil(pidMax() / 2 ** 19));
    const meta = 1 + rig.storage.region.header.pgdesc_pages;
    expect(s1.presentPages).toBeLessThanOrEqual(meta + s1.slabPages + s1.indexPages + rig.driver.poolTarget);
    // 0 leaked slots: no entry outlives its task.
    expect(rig.storage.owners().filter((o) => !alive(o) && rig.storage.has(o))).toEqual([]);
    expect(Number(c().live_entries)).toBe(rig.storage.size);
  });
});
