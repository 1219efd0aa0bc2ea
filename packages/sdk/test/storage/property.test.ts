import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, type SimTask } from "@bpf-skel/runtime-sim";
import { isStaleHandleError } from "@bpf-skel/sdk/errors";
import type { Handle } from "@bpf-skel/sdk/storage";
import { simStorage } from "./harness.js";

type Op =
  | { op: "spawn"; n: number }
  | { op: "create"; i: number; load: bigint }
  | { op: "write"; i: number; load: bigint }
  | { op: "delete"; i: number }
  | { op: "exit"; i: number }
  | { op: "get"; i: number }
  | { op: "trim" };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("spawn" as const), n: fc.integer({ min: 1, max: 50 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("create" as const), i: fc.nat(), load: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constant("write" as const), i: fc.nat(), load: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("delete" as const), i: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("exit" as const), i: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("get" as const), i: fc.nat() }), weight: 4 },
  { arbitrary: fc.constant({ op: "trim" as const }), weight: 1 },
);

describe("mapped storage vs a reference model", () => {
  it("random create/get/delete/exit across thousands of owners", () => {
    fc.assert(
      fc.property(fc.array(ops, { minLength: 50, maxLength: 1500 }), (seq) => {
        const s = simStorage({ pages: 2048 });
        const alive: SimTask[] = [];
        for (let i = 0; i < 2000; i++) alive.push(s.kernel.createTask());
        const model = new Map<number, bigint>(); // pid -> load
        const handles = new Map<number, Handle<"task_ctx_stor">>();
        const stale: Handle<"task_ctx_stor">[] = [];
        const pick = (i: number) => (alive.length === 0 ? undefined : alive[i % alive.length]!);
        const dropHandle = (pid: number) => {
          const h = handles.get(pid);
          if (h !== undefined) stale.push(h);
          handles.delete(pid);
        };
        for (const o of seq) {
          switch (o.op) {
            case "spawn":
              for (let k = 0; k < o.n; k++) alive.push(s.kernel.createTask());
              break;
            case "create": {
              const t = pick(o.i);
              if (!t) break;
              const v = s.tasks.get(t, CREATE);
              expect(v).not.toBeNull();
              if (!model.has(t.pid)) {
                expect(v!.load).toBe(0n); // new entries are zeroed, even in a reused slot
                handles.set(t.pid, s.reader.handle(t.pid)!);
              }
              v!.load = o.load;
              model.set(t.pid, o.load);
              break;
            }
            case "write": {
              const t = pick(o.i);
              if (!t || !model.has(t.pid)) break;
              s.reader.get(t.pid)!.load = o.load; // user space writes in place
              model.set(t.pid, o.load);
              break;
            }
            case "delete": {
              const t = pick(o.i);
              if (!t) break;
              expect(s.tasks.delete(t)).toBe(model.delete(t.pid));
              dropHandle(t.pid);
              break;
            }
            case "exit": {
              const t = pick(o.i);
              if (!t) break;
              s.kernel.exitTask(t);
              alive.splice(alive.indexOf(t), 1);
              model.delete(t.pid);
              dropHandle(t.pid);
              break;
            }
            case "get": {
              const t = pick(o.i);
              if (!t) break;
              const v = s.reader.get(t.pid);
              if (model.has(t.pid)) expect(v?.load).toBe(model.get(t.pid));
              else expect(v).toBeUndefined();
              break;
            }
            case "trim":
              s.kernel.region.trim();
              break;
          }
        }
        // Every live owner reads its own value; nothing else is in the index or the slabs.
        for (const [pid, load] of model) {
          expect(s.reader.get(pid)!.load).toBe(load);
          expect(s.reader.ownerOf(s.reader.handle(pid)!)).toBe(pid);
        }
        for (const t of alive) if (!model.has(t.pid)) expect(s.reader.get(t.pid)).toBeUndefined();
        const seen = new Map<number, bigint>();
        for (const [pid, v] of s.reader) {
          expect(seen.has(pid)).toBe(false);
          seen.set(pid, v.load);
        }
        expect(seen).toEqual(model);
        expect(s.reader.size).toBe(model.size);
        expect(s.reader.stats().presentPages).toBe(s.kernel.arena.presentPages);
        // Live handles resolve; handles of freed entries always raise StaleHandleError.
        for (const [pid, h] of handles) expect(s.reader.at(h).load).toBe(model.get(pid));
        for (const h of stale) {
          let err: unknown;
          try {
            s.reader.at(h);
          } catch (e) {
            err = e;
          }
          expect(isStaleHandleError(err)).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("the owner index never returns another owner's entry, whatever an index word says", () => {
    // Corrupt index words to point at other live entries: validation must refuse them.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 200 }), (swaps) => {
        const s = simStorage({ pages: 1024 });
        const tasks = Array.from({ length: 600 }, () => s.kernel.createTask());
        for (const t of tasks) s.tasks.get(t, CREATE)!.load = BigInt(t.pid);
        const u32 = new Uint32Array(s.mapping.buffer);
        const words = tasks.map((t) => wordIndex(s, t.pid));
        for (const [a, b] of swaps) {
          const wa = words[a % words.length]!;
          const wb = words[b % words.length]!;
          u32[wa] = u32[wb]!; // offset of b's entry (gen may or may not match)
        }
        for (const t of tasks) {
          const v = s.reader.get(t.pid);
          if (v !== undefined) expect(v.load).toBe(BigInt(t.pid));
        }
      }),
      { numRuns: 30 },
    );
  });
});

/** wordIndex finds the u32 index of pid's index word by walking the radix table like the reader. */
function wordIndex(s: ReturnType<typeof simStorage>, pid: number): number {
  const u32 = new Uint32Array(s.mapping.buffer);
  const base = s.reader.region.base;
  const root = s.reader.region.header.maps.get(0).index_root.get(pid >>> 19);
  const leaf = u32[((base + root * 4096) >> 2) + ((pid >>> 9) & 1023)]!;
  return ((base + leaf * 4096) >> 2) + (pid & 511) * 2;
}
