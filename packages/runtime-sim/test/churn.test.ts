import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, SimKernel, type SimTask } from "@bpf-skel/runtime-sim";
import { BSKEL_CLASS_STRIDES, LocalStorage, classFor, slotsPerPage } from "@bpf-skel/sdk/storage";
import { TaskCtx } from "../../sdk/test/storage/generated/values.js";

describe("churn", () => {
  it("1M task create/exit cycles with ≤ 10k alive: present pages stay bounded by the live peak", () => {
    const CYCLES = Number(process.env.CHURN_CYCLES ?? 1_000_000);
    const ALIVE = 10_000;
    const TRIM_EVERY = 10_000; // the SDK's periodic maintenance program
    const k = new SimKernel({ arenaPages: 4096, poolTarget: 16 });
    const m = k.defineStorage("task_ctx_stor", "task", TaskCtx);
    const mapping = { buffer: k.arena.buffer, address: 0n, length: k.arena.buffer.byteLength, closed: false, [Symbol.dispose]() {} };
    const reader = LocalStorage.open(mapping, "task_ctx_stor", TaskCtx, { regionPage: 1 });
    const queue: SimTask[] = [];
    let head = 0;
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const spawn = () => {
      const t = k.createTask();
      const v = m.get(t, CREATE);
      if (v === null) throw new Error(`allocation failed at pid ${t.pid}`);
      v.load = BigInt(t.pid);
      queue.push(t);
    };
    for (let i = 0; i < ALIVE; i++) spawn();
    let peakLive = reader.size;
    let maxPresent = 0;
    const samples: number[] = [];
    for (let c = 0; c < CYCLES; c++) {
      // Mostly the oldest exits (short-lived tasks), sometimes a random one (long-lived ones survive a while).
      let victim: SimTask | undefined;
      if (rand() < 0.1) victim = queue[head + Math.floor(rand() * (queue.length - head))];
      if (victim === undefined || !victim.alive) {
        while (!queue[head]!.alive) head++;
        victim = queue[head]!;
      }
      k.exitTask(victim);
      spawn();
      if (queue.length > 4 * ALIVE) {
        queue.splice(0, head);
        head = 0;
      }
      if ((c + 1) % TRIM_EVERY === 0) {
        k.region.trim();
        const st = reader.stats();
        peakLive = Math.max(peakLive, st.liveEntries);
        maxPresent = Math.max(maxPresent, st.presentPages);
        samples.push(st.presentPages);
        expect(st.presentPages).toBe(k.arena.presentPages);
      }
    }
    expect(peakLive).toBeLessThanOrEqual(ALIVE);
    const slabs = Math.ceil(peakLive / slotsPerPage(BSKEL_CLASS_STRIDES[classFor(TaskCtx.size, TaskCtx.align)]!));
    const leaves = 2 * Math.ceil(peakLive / 512) + Math.ceil(TRIM_EVERY / 512) * 2; // live window + empties awaiting trim
    const bound = 1 + 8 + 16 + slabs + leaves + 8;
    console.log(`churn: peak live ${peakLive}, max present ${maxPresent} pages (bound ${bound}), ${(maxPresent * 4096) / peakLive} B/entry`);
    expect(maxPresent).toBeLessThanOrEqual(bound);
    // No growth over time: the second half never needs more than the first half's peak.
    const half = samples.length >> 1;
    expect(Math.max(...samples.slice(half))).toBeLessThanOrEqual(Math.max(...samples.slice(0, half)) + 4);
    // Everything is freed when the tasks go.
    for (const t of queue) if (t.alive) k.exitTask(t);
    k.region.trim();
    k.region.trim();
    const end = reader.stats();
    expect(end.liveEntries).toBe(0);
    expect(end.slabPages).toBe(0);
    expect(end.indexPages).toBe(0);
    expect(end.presentPages).toBe(k.arena.presentPages);
    expect(end.presentPages).toBeLessThanOrEqual(1 + 8 + 16);
  }, 300_000); // ~25 s alone under vitest; much more when sharing 2 cores with the rest of the suite
});
