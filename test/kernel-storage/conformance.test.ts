import { describe, expect, it } from "vitest";
import { RegionWriter, SimArena } from "@bpf-skel/runtime-sim";
import { ENTRY_SIZE, LocalStorage } from "@bpf-skel/sdk/storage";
import type { MappedRegion } from "@bpf-skel/sdk/transport";
import { itArena } from "../support/arena.js";
import { clang19Missing, requirement, rootMissing } from "../support/env.js";
import { TaskCtx } from "./generated/task-ctx.js";
import { SYNTH_BASE, taskStorage } from "./support/harness.js";

const POOL = 64;
const ARENA_PAGES = 1 << 16; // storage-region.bpf.h's BSKEL_ARENA_PAGES default

/** Scenario steps, the same on both backends: create, free every third, create again (reusing slots). */
const STEPS: readonly { op: "populate" | "depopulate"; start: number; count: number; step: number }[] = [
  { op: "populate", start: SYNTH_BASE, count: 300, step: 1 },
  { op: "depopulate", start: SYNTH_BASE, count: 100, step: 3 },
  { op: "populate", start: SYNTH_BASE + 1000, count: 150, step: 1 },
  { op: "populate", start: SYNTH_BASE + 600_000, count: 40, step: 7 }, // another L1/leaf range
  { op: "depopulate", start: SYNTH_BASE + 1000, count: 50, step: 1 },
];

/** synthValue writes what task_ctx.bpf.c's synth_value() writes for owner `key`. */
function synthValue(v: TaskCtx, key: number): void {
  v.switches = BigInt(key) * 3n;
  v.last_ns = BigInt(key) << 20n;
  v.pid = key;
  v.tgid = key + 1;
  v.target_dom = key % 7;
  v.comm = `st-own${key % 10}`;
}

/** simRun plays the scenario on the simulator's allocator (the TypeScript twin of storage-alloc.bpf.h). */
function simRun(): { mapping: MappedRegion; writer: RegionWriter } {
  const arena = new SimArena(ARENA_PAGES + 1);
  const writer = new RegionWriter(arena, { regionPage: 1, poolTarget: POOL });
  const id = writer.registerMap({ name: "task_ctx_stor", owner: "task", valueSize: TaskCtx.size, valueAlign: TaskCtx.align });
  writer.refill();
  for (const s of STEPS) {
    for (let i = 0; i < s.count; i++) {
      const key = s.start + i * s.step;
      if (s.op === "populate") {
        const off = writer.allocEntry(id, key, true);
        if (off !== 0) synthValue(TaskCtx.wrap(arena.buffer, writer.base + writer.valueOffsetOf(id, off)), key);
      } else writer.freeEntry(id, key);
    }
  }
  const mapping: MappedRegion = { buffer: arena.buffer, address: 0n, length: arena.buffer.byteLength, closed: false, [Symbol.dispose]() {} };
  return { mapping, writer };
}

interface Snapshot {
  owners: number[];
  handles: Map<number, number>;
  entries: Map<number, string>;
  counters: Record<string, number>;
}

/** snapshot reads a region through the contract only: the reader, handles, entry and value bytes. */
function snapshot(s: LocalStorage<TaskCtx, "task_ctx_stor">): Snapshot {
  const r = s.region;
  const owners = s.owners().sort((a, b) => a - b);
  const handles = new Map<number, number>();
  const entries = new Map<number, string>();
  for (const o of owners) {
    const h = s.handle(o)!;
    handles.set(o, h);
    const off = r.base + Number(BigInt(h) / 2n ** 24n) * 8;
    const bytes = r.u8.subarray(off, off + s.info.valueOff + s.info.valueSize);
    entries.set(o, Buffer.from(bytes).toString("hex"));
  }
  const c = r.header.counters;
  const m = r.header.maps.get(s.info.id);
  const counters = {
    allocs: Number(c.allocs), frees: Number(c.frees), live_entries: Number(c.live_entries), live_bytes: Number(c.live_bytes),
    slab_pages: Number(c.slab_pages), index_pages: Number(c.index_pages), alloc_fail: Number(c.alloc_fail),
    map_live: m.nr_live, map_creates: Number(m.creates), map_deletes: Number(m.deletes), data_pgoff: r.header.data_pgoff,
    max_pages: r.header.max_pages, nr_maps: r.header.nr_maps,
  };
  return { owners, handles, entries, counters };
}

// Conformance: the same scenario on the simulator and on the kernel, compared through the
// contract — same owners, same handles (entry offset + generation), same entry headers and
// value bytes, same counters. Both allocators are lowest-first, so even offsets must agree.
describe.skipIf(requirement(rootMissing()) || requirement(clang19Missing()))("simulator and kernel agree on the region", () => {
  itArena("plays create / free / reuse identically", () => {
    using rig = taskStorage({ attach: false, poolTarget: POOL });
    for (const s of STEPS) rig.owners(s.op, s.start, s.count, s.step);
    const kernel = snapshot(rig.storage);

    const sim = simRun();
    using simStorage = LocalStorage.open(sim.mapping, "task_ctx_stor", TaskCtx, { regionPage: 1 });
    const simSnap = snapshot(simStorage);

    expect(kernel.owners.length).toBe(300 - 100 + 150 + 40 - 50);
    expect(kernel.owners).toEqual(simSnap.owners);
    expect(kernel.counters).toEqual(simSnap.counters);
    const firstDiff = (a: Map<number, unknown>, b: Map<number, unknown>) => {
      for (const [k, v] of a) if (b.get(k) !== v) return { owner: k, kernel: v, sim: b.get(k) };
      return undefined;
    };
    expect(firstDiff(kernel.handles, simSnap.handles), "first differing handle").toBeUndefined();
    expect(firstDiff(kernel.entries, simSnap.entries), "first differing entry bytes").toBeUndefined();
    // Reused slots carry generation 2 on both: the handle of a freed-then-reused slot changed.
    const gens = new Set([...kernel.handles.values()].map((h) => h % 2 ** 24));
    expect(gens).toEqual(new Set([1, 2]));
    // And the values read through generated accessors are what BPF wrote.
    const v = rig.storage.get(SYNTH_BASE + 1)!;
    expect(v.switches).toBe(BigInt(SYNTH_BASE + 1) * 3n);
    expect(v.comm.getString()).toBe(`st-own${(SYNTH_BASE + 1) % 10}`);
    expect(ENTRY_SIZE).toBe(24);
  });
});

describe.skipIf(requirement(rootMissing()) || requirement(clang19Missing()))("a reader over an unmapped arena", () => {
  itArena("throws ClosedError from every call instead of touching the unmapped pages", () => {
    const rig = taskStorage({ attach: false, poolTarget: POOL });
    const storage = rig.storage;
    let unmapped = false;
    try {
      expect(rig.owners("populate", SYNTH_BASE, 10)).toBe(10);
      const h = storage.handle(SYNTH_BASE)!;
      expect(storage.get(SYNTH_BASE)?.pid).toBe(SYNTH_BASE);
      // The object goes (its arena mapping is munmapped) while the reader is still open.
      rig.driver.close();
      rig.fixture[Symbol.dispose]();
      unmapped = true;
      expect(storage.closed).toBe(false);
      expect(storage.region.closed).toBe(true);
      const calls: [string, () => unknown][] = [
        ["get", () => storage.get(SYNTH_BASE)],
        ["has", () => storage.has(SYNTH_BASE)],
        ["handle", () => storage.handle(SYNTH_BASE)],
        ["at", () => storage.at(h)],
        ["valid", () => storage.valid(h)],
        ["readConsistent", () => storage.readConsistent(SYNTH_BASE, (v) => v.pid)],
        ["scan", () => storage.scan(() => {})],
        ["forEach", () => storage.forEach(() => {})],
        ["iteration", () => [...storage]],
        ["size", () => storage.size],
        ["stats", () => storage.stats()],
      ];
      for (const [name, call] of calls) expect(call, name).toThrow(expect.objectContaining({ name: "ClosedError", message: expect.stringMatching(/mapping was closed/) }));
    } finally {
      if (!unmapped) rig[Symbol.dispose]();
      storage.close();
    }
  });
});
