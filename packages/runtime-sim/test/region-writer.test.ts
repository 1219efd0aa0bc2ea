import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, RegionWriter, SimArena, SimKernel } from "@bpf-skel/runtime-sim";
import { BSKEL_CLASS_STRIDES, BSKEL_PAGE_PREPARED, BSKEL_PAGE_SLAB, LocalStorage, classFor, slotsPerPage } from "@bpf-skel/sdk/storage";

/** slots: entries per slab page for a value of `size` bytes (48 -> 72-byte entry -> stride 80 -> 50). */
const slots = (size: number) => slotsPerPage(BSKEL_CLASS_STRIDES[classFor(size, 8)]!);
import { TaskCtx } from "../../sdk/test/storage/generated/values.js";

const region = (pages = 512, poolTarget = 8) => {
  const arena = new SimArena(pages);
  const w = new RegionWriter(arena, { regionPage: 1, poolTarget });
  const id = w.registerMap({ name: "t", owner: "task", valueSize: 48, valueAlign: 8 });
  return { arena, w, id };
};

describe("the region allocator", () => {
  it("non-sleepable allocations only consume prepared pages and return 0 (NULL) when the pool is empty", () => {
    const { w, id, arena } = region();
    // No refill yet: nothing prepared.
    expect(w.allocEntry(id, 1, false)).toBe(0);
    expect(w.counter("pool_empty")).toBe(1);
    expect(w.counter("alloc_fail")).toBe(1);
    const before = arena.allocCalls;
    expect(w.refill()).toBe(8);
    expect(arena.allocCalls).toBe(before + 8);
    const calls = arena.allocCalls;
    let n = 0;
    while (w.allocEntry(id, ++n, false) !== 0);
    expect(arena.allocCalls).toBe(calls); // non-sleepable never asked the arena
    expect(slots(48)).toBe(50);
    expect(n - 1).toBe(6 * slots(48)); // 2 index pages, 6 slab pages
    expect(w.allocEntry(id, n + 1, true)).not.toBe(0); // sleepable refills inline
  });

  it("prepares the lowest absent pages, publishes hwm and epoch, and takes the lowest first", () => {
    const { w, id } = region();
    const e0 = w.epoch;
    w.refill();
    expect(w.epoch).toBe(e0 + 1);
    expect(w.hwmPages).toBe(w.dataPage + 8);
    for (let p = w.dataPage; p < w.hwmPages; p++) expect(w.pageKind(p)).toBe(BSKEL_PAGE_PREPARED);
    const off = w.allocEntry(id, 100, false);
    // L1 and leaf take the two lowest pages, the slab the third.
    expect(off >>> 12).toBe(w.dataPage + 2);
    expect(w.pageKind(w.dataPage + 2)).toBe(BSKEL_PAGE_SLAB);
  });

  it("reuses the lowest free slot first and keeps pages dense", () => {
    const { w, id } = region();
    w.refill();
    const offs = Array.from({ length: 200 }, (_, i) => w.allocEntry(id, i + 1, false));
    expect(offs).toEqual([...offs].sort((a, b) => a - b));
    w.freeEntry(id, 150);
    w.freeEntry(id, 10);
    w.freeEntry(id, 100);
    expect(w.allocEntry(id, 1000, false)).toBe(offs[9]); // lowest address first
    expect(w.allocEntry(id, 1001, false)).toBe(offs[99]);
    expect(w.allocEntry(id, 1002, false)).toBe(offs[149]);
    expect(w.allocEntry(id, 1003, false)).toBeGreaterThan(offs[199]!); // the 4 pages are full again
  });

  it("bumps the generation on free and zeroes reused values", () => {
    const k = new SimKernel();
    const m = k.defineStorage("t", "task", TaskCtx);
    const a = k.createTask();
    m.get(a, CREATE)!.load = 99n;
    const r = LocalStorage.open({ buffer: k.arena.buffer, address: 0n, length: k.arena.buffer.byteLength, closed: false, [Symbol.dispose]() {} }, "t", TaskCtx, { regionPage: 1 });
    const h1 = r.handle(a.pid)!;
    k.exitTask(a);
    const b = k.createTask();
    expect(m.get(b, CREATE)!.load).toBe(0n);
    const h2 = r.handle(b.pid)!;
    expect(h2 - h1).toBe(1); // same slot, generation + 1
  });

  it("refuses keys outside the index and values that do not fit a slab", () => {
    const { w, id } = region();
    w.refill();
    expect(w.allocEntry(id, 0, true)).toBe(0);
    expect(w.allocEntry(id, 2 ** 25, true)).toBe(0);
    expect(w.allocEntry(7, 5, true)).toBe(0);
    expect(w.freeEntry(id, 5)).toBe(false);
    expect(() => w.registerMap({ name: "big", owner: "task", valueSize: 5000, valueAlign: 8 })).toThrow(/does not fit/);
    expect(() => w.registerMap({ name: "al", owner: "task", valueSize: 8, valueAlign: 64 })).toThrow(/does not fit/);
  });

  it("keeps the header's present count equal to the arena's page bitmap", () => {
    const { w, id, arena } = region(2048);
    for (let i = 1; i < 3000; i++) w.allocEntry(id, i * 7, true);
    expect(w.presentPages).toBe(arena.presentPages);
    for (let i = 1; i < 3000; i++) w.freeEntry(id, i * 7);
    w.trim();
    w.trim();
    expect(w.presentPages).toBe(arena.presentPages);
    expect(w.counter("slab_pages")).toBe(0);
    expect(w.counter("index_pages")).toBe(0);
    expect(w.counter("live_entries")).toBe(0);
  });
});

describe("fault injection", () => {
  it("fails the Nth page allocation: the refill stops short, BPF gets NULL, nothing throws", () => {
    const k = new SimKernel({ autoRefill: false, poolTarget: 4 });
    const m = k.defineStorage("t", "task", TaskCtx); // region set up, pool filled to 4
    k.setFaults({ failNthAlloc: 2 });
    expect(k.region.refill()).toBe(0); // pool already full
    const ts = Array.from({ length: 400 }, () => k.createTask());
    let ok = 0;
    for (const t of ts) if (m.get(t, CREATE) !== null) ok++;
    expect(ok).toBe(2 * slots(TaskCtx.size)); // 2 index pages + 2 slabs from the pool, then NULL
    expect(m.storage.counters.createFailures).toBe(400 - ok);
    expect(k.region.counter("pool_empty")).toBeGreaterThan(0);
    expect(k.region.refill()).toBe(1); // 1st alloc ok, 2nd injected failure stops the refill
    expect(k.region.counter("page_alloc_fail")).toBe(1);
    expect(k.region.refill()).toBe(3); // later allocations work again
  });

  it("caps present pages: allocation fails cleanly at the cap and resumes when pages are freed", () => {
    const k = new SimKernel({ autoRefill: true, poolTarget: 4 });
    const m = k.defineStorage("t", "task", TaskCtx);
    k.setFaults({ maxPresent: k.arena.presentPages + 2 });
    const ts = Array.from({ length: 1000 }, () => k.createTask());
    let ok = 0;
    for (const t of ts) if (k.run(true, () => m.get(t, CREATE)) !== null) ok++;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(1000);
    expect(k.arena.presentPages).toBe(k.region.presentPages);
    for (const t of ts) k.exitTask(t);
    k.region.trim();
    k.region.trim();
    const t = k.createTask();
    expect(k.run(true, () => m.get(t, CREATE))).not.toBeNull();
  });
});
