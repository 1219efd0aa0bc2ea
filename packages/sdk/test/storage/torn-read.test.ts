import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE } from "@bpf-skel/runtime-sim";
import { ENTRY, LocalStorage } from "@bpf-skel/sdk/storage";
import { TaskCtx } from "./generated/values.js";
import { simStorage } from "./harness.js";

// The writer follows the contract's write protocol on one entry (docs/storage-layout.md §4):
// seq++ (odd), write a[0], a[1], b[0], b[1] = round, seq++ (even). A reader that sees the
// four words differ has seen a torn record.
const writer = `
const { workerData } = require("node:worker_threads");
const { buffer, seqIdx, words, ctl } = workerData;
const i32 = new Int32Array(buffer);
const u64 = new BigUint64Array(buffer);
const c = new Int32Array(ctl);
Atomics.store(c, 1, 1);
let round = 0n;
while (Atomics.load(c, 0) === 0) {
  round++;
  Atomics.add(i32, seqIdx, 1);
  for (const w of words) u64[w] = round;
  Atomics.add(i32, seqIdx, 1);
  // A real writer does other work between updates; without a gap no read could ever finish.
  for (let k = 0; k < 300; k++) Atomics.load(c, 3);
}
Atomics.store(c, 2, Number(round & 0x7fffffffn));
`;

const field = (name: string): number => TaskCtx.fields.find((f) => f.name === name)!.bitOffset / 8;

describe("torn reads", () => {
  it("readConsistent sees zero torn values over 1M reads while a worker writes", async () => {
    const s = simStorage();
    const t = s.kernel.createTask();
    const view = s.tasks.get(t, CREATE)!;
    const valueAbs = view.$offset;
    const entryAbs = valueAbs - s.reader.info.valueOff;
    const words = [field("a"), field("a") + 8, field("b"), field("b") + 8].map((o) => (valueAbs + o) / 8);
    const ctl = new SharedArrayBuffer(16);
    const c = new Int32Array(ctl);
    const w = new Worker(writer, { eval: true, workerData: { buffer: s.mapping.buffer, seqIdx: (entryAbs + ENTRY.seq) / 4, words, ctl } });
    // A loaded CI machine may deschedule the reader mid-read often; allow many retries.
    const reader = LocalStorage.open(s.mapping, "task_ctx_stor", TaskCtx, { regionPage: s.regionPage, maxRetries: 1_000_000 });
    try {
      while (Atomics.load(c, 1) === 0) await new Promise((r) => setTimeout(r, 1));
      let torn = 0;
      let plainTorn = 0;
      let last = 0n;
      const reads = 1_000_000;
      for (let i = 0; i < reads; i++) {
        const r = reader.readConsistent(t.pid, (v) => {
          const a = v.a;
          const b = v.b;
          return [a.get(0), a.get(1), b.get(0), b.get(1)] as const;
        })!;
        if (r[0] !== r[1] || r[0] !== r[2] || r[0] !== r[3]) torn++;
        if (r[0] < last) torn++; // rounds only grow
        last = r[0];
        if (i % 1000 === 0) {
          // The same read without the protocol, to show the writer does tear records.
          const v = s.reader.get(t.pid)!;
          const a0 = v.a.get(0);
          const b1 = v.b.get(1);
          if (a0 !== b1) plainTorn++;
        }
      }
      expect(torn).toBe(0);
      expect(last).toBeGreaterThan(0n);
      console.log(`torn reads: ${torn} with readConsistent, ${plainTorn}/1000 sampled plain reads torn, writer at round ${last}`);
    } finally {
      Atomics.store(c, 0, 1);
      await w.terminate();
    }
  });

  it("gives up with ConsistentReadError while a writer never leaves", () => {
    const s = simStorage();
    const t = s.kernel.createTask();
    const view = s.tasks.get(t, CREATE)!;
    const seqIdx = (view.$offset - s.reader.info.valueOff + ENTRY.seq) / 4;
    Atomics.add(new Int32Array(s.mapping.buffer), seqIdx, 1); // odd: a writer is inside
    expect(() => s.reader.readConsistent(t.pid, (v) => v.load)).toThrow(expect.objectContaining({ name: "ConsistentReadError" }));
    expect(s.reader.readConsistent(t.pid + 1, (v) => v.load)).toBeUndefined();
  });
});
