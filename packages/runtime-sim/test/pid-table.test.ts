import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SimKernel } from "@bpf-skel/runtime-sim";
import { PidTable } from "../src/pid-table.js";

describe("pid table", () => {
  it("hands pids out cyclically, skips taken ones, wraps to 1 and reports exhaustion", () => {
    const t = new PidTable<string>(8);
    const pids = Array.from({ length: 7 }, () => t.alloc());
    for (const p of pids) t.set(p, `t${p}`);
    expect(pids).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(t.alloc()).toBe(0);
    t.delete(3);
    t.delete(6);
    expect(t.alloc()).toBe(3);
    t.set(3, "again");
    expect(t.alloc()).toBe(6);
    expect(t.get(3)).toBe("again");
    expect(t.size).toBe(6);
  });

  it("skips full chunks and drops empty ones", () => {
    const t = new PidTable<number>(5000);
    for (let i = 0; i < 2047; i++) t.set(t.alloc(), i); // chunk 0 (pids 1..1023) and chunk 1 full
    expect(t.alloc()).toBe(2048);
    t.set(2048, 0);
    for (let p = 1; p < 1024; p++) t.delete(p);
    expect(t.get(5)).toBeUndefined();
    expect([...t.values()].length).toBe(1025);
  });

  it("finds the first pid of a chunk right after full ones when wrapping", () => {
    const t = new PidTable<number>(3072); // pids 1..3071: chunks 0..2
    for (let i = 1; i < 3072; i++) t.set(t.alloc(), i);
    t.delete(2048);
    expect(t.alloc()).toBe(2048);
    t.set(2048, 0);
    t.delete(1024);
    expect(t.alloc()).toBe(1024);
  });

  it("matches a Map and a linear pid scan on random fork/exit sequences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3000 }), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 4000 }), (pidMax, ops) => {
        const t = new PidTable<number>(pidMax);
        const ref = new Map<number, number>();
        let last = 0;
        for (const [fork, pick] of ops) {
          if (fork) {
            let want = 0;
            for (let n = 1, p = last; n < pidMax; n++) {
              p = p + 1 >= pidMax ? 1 : p + 1;
              if (!ref.has(p)) {
                want = p;
                break;
              }
            }
            const got = t.alloc();
            expect(got).toBe(want);
            if (got !== 0) {
              last = got;
              t.set(got, got);
              ref.set(got, got);
            }
          } else if (ref.size > 0) {
            const keys = [...ref.keys()];
            const p = keys[pick % keys.length]!;
            t.delete(p);
            ref.delete(p);
          }
        }
        expect(t.size).toBe(ref.size);
        expect([...t.values()]).toEqual([...ref.keys()].sort((a, b) => a - b));
      }),
      { numRuns: 60 },
    );
  });

  it("a walk never follows an emptied chunk that a fork reused for another pid range", () => {
    const t = new PidTable<number>(5000);
    for (let i = 1; i < 2048; i++) t.set(t.alloc(), i);
    for (let p = 4; p < 2048; p++) t.delete(p); // chunk 1 emptied; chunk 0 keeps 1, 2, 3
    const walk = t.values();
    const seen = [walk.next().value];
    for (const p of [1, 2, 3]) t.delete(p); // chunk 0 emptied mid-walk: the spare now
    for (let i = 0; i < 3; i++) {
      const p = t.alloc(); // 2048.. : a new chunk, made from the spare
      t.set(p, p);
    }
    for (let r = walk.next(); !r.done; r = walk.next()) seen.push(r.value);
    expect(seen).toEqual([1, 2048, 2049, 2050]);
  });

  it("walks interleaved with random forks and exits yield in pid order, once, only live entries", () => {
    type Task = { pid: number };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5000 }),
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 1, max: 1024 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat()), { maxLength: 400 }),
        (pidMax, nrForks, keepOneIn, ops) => {
          const t = new PidTable<Task>(pidMax);
          const live = new Map<number, Task>();
          const fork = () => {
            const pid = t.alloc();
            if (pid === 0) return;
            const task = { pid };
            t.set(pid, task);
            live.set(pid, task);
          };
          // Sparse chunks (a few live pids each) empty easily; bursts of forks cross into new ones.
          for (let i = 0; i < nrForks; i++) fork();
          for (const pid of [...live.keys()]) {
            if (Math.imul(pid, 0x9e3779b1) >>> 0 > 0xffffffff / keepOneIn) {
              t.delete(pid);
              live.delete(pid);
            }
          }
          const before = new Set(live.values());
          const removed = new Set<Task>();
          const seen: Task[] = [];
          const walk = t.values();
          let done = false;
          const step = () => {
            const r = walk.next();
            if (r.done) done = true;
            else {
              expect(live.get(r.value.pid)).toBe(r.value); // live when yielded
              seen.push(r.value);
            }
          };
          for (const [op, n] of ops) {
            if (done) break;
            if (op === 0) step();
            else if (op === 1) for (let i = n % 300; i >= 0; i--) fork();
            else if (live.size > 0) {
              // Mostly from the chunk the walk is in, so that chunk empties under it.
              const at = seen.length > 0 ? seen[seen.length - 1]!.pid >>> 10 : -1;
              const near = [...live.keys()].filter((p) => p >>> 10 === at);
              const pids = near.length > 0 && n % 4 !== 0 ? near : [...live.keys()];
              const pid = pids[n % pids.length]!;
              removed.add(live.get(pid)!);
              t.delete(pid);
              live.delete(pid);
            }
          }
          while (!done) step();
          for (let i = 1; i < seen.length; i++) expect(seen[i]!.pid).toBeGreaterThan(seen[i - 1]!.pid);
          const yielded = new Set(seen);
          expect([...before].filter((task) => !removed.has(task) && !yielded.has(task))).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("SimKernel.tasks() survives exits and forks during the walk", () => {
    const k = new SimKernel({ pidMax: 4096 });
    const first = Array.from({ length: 3080 }, () => k.createTask());
    for (const t of first) if (![5, 1029, 2053].includes(t.pid)) k.exitTask(t); // one task in each of chunks 0..2
    const seen: number[] = [];
    let forks = 3;
    for (const t of k.tasks()) {
      seen.push(t.pid);
      k.exitTask(t); // empties its chunk: the spare
      if (forks-- > 0) k.createTask(); // 3081..: the first one makes chunk 3 from the spare
    }
    expect(seen).toEqual([5, 1029, 2053, 3081, 3082, 3083]);
    expect(k.taskCount).toBe(0);
  });
});
