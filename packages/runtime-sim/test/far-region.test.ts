import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, RegionWriter, SimArena, SimKernel } from "@bpf-skel/runtime-sim";
import { BSKEL_PAGE_META, BSKEL_PAGE_SIZE, LocalStorage } from "@bpf-skel/sdk/storage";
import { TaskCtx } from "../../sdk/test/storage/generated/values.js";

// The layout allows 2^20 pages (4 GiB): byte offsets from 2^31 on must not go through a
// signed shift. A SharedArrayBuffer commits its memory lazily, so a 4 GiB arena (the most the
// layout and a BPF arena allow) costs only the pages these tests touch.
const MAX_PAGES = 2 ** 20;
const TWO_GIB = 2 ** 31;
const FAR_PAGE = 2 ** 19 + 1; // first page wholly past 2 GiB, plus one

const mappingOf = (buffer: SharedArrayBuffer) => ({ buffer, address: 0n, length: buffer.byteLength, closed: false, [Symbol.dispose]() {} });

/** FarRegion lets a test stand in for a region that already filled its first half-million pages. */
class FarRegion extends RegionWriter {
  /** occupy makes region pages [dataPage, upTo) present, as if other slabs held them. */
  occupy(upTo: number): void {
    for (let p = this.dataPage; p < upTo; p++) if (!this.makePresent(p, BSKEL_PAGE_META)) throw new Error(`page ${p} refused`);
  }
}

describe("a region past 2 GiB", () => {
  it("places the whole region (header, index, slabs) past 2^31: the reader sees the owners, reused slots read zero", () => {
    const k = new SimKernel({ arenaPages: MAX_PAGES, regionPage: FAR_PAGE });
    const m = k.defineStorage("t", "task", TaskCtx);
    const r = LocalStorage.open(mappingOf(k.arena.buffer), "t", TaskCtx, { regionPage: FAR_PAGE });
    const tasks = Array.from({ length: 300 }, () => k.createTask()); // 6 slab pages of 50
    for (const t of tasks) {
      const v = m.get(t, CREATE)!;
      v.load = BigInt(t.pid) * 1000n;
      v.dom_id = t.pid;
    }
    expect(m.getOffset(tasks[0]!)).toBeGreaterThan(TWO_GIB);
    expect(r.size).toBe(300);
    for (const t of tasks) {
      expect(r.get(t.pid)?.load).toBe(BigInt(t.pid) * 1000n);
      expect(r.ownerOf(r.handle(t.pid)!)).toBe(t.pid);
    }
    expect(r.owners().sort((a, b) => a - b)).toEqual(tasks.map((t) => t.pid));
    const victim = tasks[17]!;
    const offVictim = m.getOffset(victim);
    const h = r.handle(victim.pid)!;
    k.exitTask(victim);
    expect(r.get(victim.pid)).toBeUndefined();
    expect(r.valid(h)).toBe(false);
    expect(k.region.counter("live_entries")).toBe(299);
    const next = k.createTask();
    const v = m.get(next, CREATE)!;
    expect(m.getOffset(next)).toBe(offVictim); // lowest free slot: the victim's
    expect([v.load, v.dom_id]).toEqual([0n, 0]);
    expect(r.get(next.pid)?.load).toBe(0n);
    expect(r.ownerOf(r.handle(next.pid)!)).toBe(next.pid);
    expect(r.handle(next.pid)! - h).toBe(1); // same slot, generation + 1
  });

  it("places data pages past 2^31 in a region that starts low (region offsets ≥ 2^31 in the index)", () => {
    const arena = new SimArena(MAX_PAGES);
    const w = new FarRegion(arena, { regionPage: 1, poolTarget: 8 });
    const id = w.registerMap({ name: "t", owner: "task", valueSize: TaskCtx.size, valueAlign: TaskCtx.align });
    w.occupy(2 ** 19 + 3);
    w.refill();
    const r = LocalStorage.open(mappingOf(arena.buffer), "t", TaskCtx, { regionPage: 1 });
    const keys = Array.from({ length: 120 }, (_, i) => 7 + i * 13);
    const offs = keys.map((key) => w.allocEntry(id, key, false));
    for (const off of offs) expect(off).toBeGreaterThanOrEqual(TWO_GIB);
    for (const [i, key] of keys.entries()) TaskCtx.wrap(arena.buffer, BSKEL_PAGE_SIZE + w.valueOffsetOf(id, offs[i]!)).load = BigInt(key);
    for (const key of keys) expect(r.get(key)?.load).toBe(BigInt(key));
    expect(new Set(r.owners())).toEqual(new Set(keys));
    expect(w.freeEntry(id, keys[3]!)).toBe(true);
    expect(r.get(keys[3]!)).toBeUndefined();
    expect(w.allocEntry(id, 1500, false)).toBe(offs[3]);
    expect(r.get(1500)?.load).toBe(0n); // freed and reused: zeroed
    expect(w.counter("live_entries")).toBe(120);
  });
});
