import { describe, expect, it } from "vitest";
import fc from "fast-check";
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
});
