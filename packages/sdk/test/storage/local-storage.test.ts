import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE } from "@bpf-skel/runtime-sim";
import { isClosedError, isLayoutError, isStaleHandleError } from "@bpf-skel/sdk/errors";
import { ENTRY, LocalStorage, StorageRegion, type Handle } from "@bpf-skel/sdk/storage";
import { CgrpCtx, TaskCtx } from "./generated/values.js";
import { simStorage } from "./harness.js";

describe("LocalStorage over the simulated region", () => {
  it("reads what BPF code wrote, by pid, with no copy", () => {
    const s = simStorage();
    const t = s.kernel.createTask({ comm: "worker" });
    const v = s.tasks.get(t, CREATE)!;
    v.load = 123456789012345n;
    v.dom_id = 7;
    const r = s.reader.get(t.pid)!;
    expect(r.load).toBe(123456789012345n);
    expect(r.dom_id).toBe(7);
    r.dom_id = 9; // user space writes go to the same bytes BPF reads
    expect(v.dom_id).toBe(9);
    expect(s.reader.has(t.pid)).toBe(true);
    expect(s.reader.get(t.pid + 1)).toBeUndefined();
    expect(s.reader.size).toBe(1);
  });

  it("returns one cached view per slot", () => {
    const s = simStorage();
    const t = s.kernel.createTask();
    s.tasks.get(t, CREATE);
    expect(s.reader.get(t.pid)).toBe(s.reader.get(t.pid));
  });

  it("forEach, iteration, get and at hand out the same per-slot view, on every slab page", () => {
    const s = simStorage();
    const pids: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = s.kernel.createTask();
      s.tasks.get(t, CREATE)!.load = BigInt(t.pid);
      pids.push(t.pid);
    }
    const byForEach = new Map<number, unknown>();
    s.reader.forEach((v, pid) => {
      expect(v.load).toBe(BigInt(pid));
      byForEach.set(pid, v);
    });
    expect([...byForEach.keys()].sort((a, b) => a - b)).toEqual(pids);
    for (const [pid, v] of s.reader) expect(v).toBe(byForEach.get(pid));
    for (const pid of pids) {
      expect(s.reader.get(pid)).toBe(byForEach.get(pid));
      expect(s.reader.at(s.reader.handle(pid)!)).toBe(byForEach.get(pid));
    }
    // A freed and reused slot: the view stays the slot's window and shows the new owner's value.
    s.kernel.exitTask(pids[0]!);
    const t1 = s.kernel.createTask();
    s.tasks.get(t1, CREATE)!.load = 7n;
    expect(s.reader.get(pids[0]!)).toBeUndefined();
    expect(s.reader.get(t1.pid)?.load).toBe(7n);
  });

  it("scan visits what forEach visits, through one cursor view whose nested views follow it", () => {
    const s = simStorage();
    const pids: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const t = s.kernel.createTask();
      const v = s.tasks.get(t, CREATE)!;
      v.load = BigInt(t.pid) * 3n;
      v.a.set(1, BigInt(t.pid));
      pids.push(t.pid);
    }
    for (const pid of pids.filter((_, i) => i % 7 === 0)) s.kernel.exitTask(pid);
    const expected: [number, bigint, bigint][] = [];
    s.reader.forEach((v, pid) => expected.push([pid, v.load, v.a.get(1)]));
    const seen: [number, bigint, bigint][] = [];
    const cursors = new Set<TaskCtx>();
    s.reader.scan((c, pid) => {
      cursors.add(c);
      seen.push([pid, c.load, c.a.get(1)]); // c.a is re-made after each move: it must follow
    });
    expect(seen).toEqual(expected);
    expect(seen.length).toBe(pids.length - Math.ceil(pids.length / 7));
    expect(cursors.size).toBe(1);
    // Writes through the cursor land in the entry BPF reads.
    s.reader.scan((c, pid) => {
      c.dom_id = pid & 0xff;
    });
    for (const [pid] of expected) expect(s.reader.get(pid)!.dom_id).toBe(pid & 0xff);
    s.reader.close();
    expect(() => s.reader.scan(() => {})).toThrow(expect.objectContaining({ name: "ClosedError" }));
  });

  it("the views it hands out are pinned: $moveTo throws on them, not on views of one's own", () => {
    const s = simStorage();
    const [a, b] = [s.kernel.createTask(), s.kernel.createTask()];
    s.tasks.get(a, CREATE)!.dom_id = 111;
    s.tasks.get(b, CREATE)!.dom_id = 222;
    const va = s.reader.get(a.pid)!;
    const to = s.reader.get(b.pid)!.$offset;
    expect(() => va.$moveTo(to)).toThrow(TypeError);
    expect(() => va.$moveTo(to)).toThrow(/TaskCtx: this view belongs to its owner/);
    s.reader.forEach((v) => expect(() => v.$moveTo(to)).toThrow(TypeError));
    expect(() => s.reader.at(s.reader.handle(a.pid)!).$moveTo(to)).toThrow(TypeError);
    expect(s.reader.get(a.pid)!.dom_id).toBe(111);
    // A view of one's own over the same bytes moves freely.
    const mine = TaskCtx.wrap(va.$view, va.$offset);
    expect(mine.$moveTo(to).dom_id).toBe(222);
  });

  it("a scan inside a scan leaves the outer cursor on its entry", () => {
    const s = simStorage();
    for (let i = 0; i < 3; i++) {
      const t = s.kernel.createTask();
      s.tasks.get(t, CREATE)!.dom_id = 100 + t.pid;
    }
    const outer: [number, number][] = [];
    s.reader.scan((c, pid) => {
      let inner = 0;
      s.reader.scan(() => inner++);
      outer.push([pid, c.dom_id]);
      expect(inner).toBe(3);
    });
    expect(outer).toEqual(outer.map(([pid]) => [pid, 100 + pid]));
    expect(outer.length).toBe(3);
  });

  it("scan falls back to forEach's views for a value class whose wrap is not a view at the offset asked", () => {
    const s = simStorage();
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = s.kernel.createTask();
      s.tasks.get(t, CREATE)!.dom_id = 7 * t.pid;
      pids.push(t.pid);
    }
    // A hand-written class: its views start at their own DataView (offset 0), not at the region's.
    class Windowed extends TaskCtx {
      static override wrap(target: ArrayBuffer | SharedArrayBuffer | DataView, byteOffset = 0): TaskCtx {
        const dv = target instanceof DataView ? target : new DataView(target);
        return new TaskCtx(new DataView(dv.buffer, dv.byteOffset + byteOffset, TaskCtx.size), 0);
      }
    }
    using r = LocalStorage.open(s.mapping, "task_ctx_stor", Windowed, { regionPage: s.regionPage });
    const seen: number[][] = [];
    r.scan((v, pid) => seen.push([pid, v.dom_id]));
    expect(seen).toEqual(pids.map((p) => [p, 7 * p]));
  });

  it("refuses owner ids outside the index", () => {
    const s = simStorage();
    for (const k of [0, -1, 1.5, 2 ** 25, Number.NaN, 2 ** 40]) expect(s.reader.get(k)).toBeUndefined();
  });

  it("keeps task and cgroup storage apart in one region", () => {
    const s = simStorage();
    const cg = s.kernel.createCgroup("app");
    const t = s.kernel.createTask({ cgroup: cg });
    expect(t.pid).toBe(1);
    expect(cg.id).toBe(2);
    s.cgroups.get(cg, CREATE)!.nr_tasks = 1;
    s.tasks.get(t, CREATE)!.dom_id = 5;
    expect(s.cgReader.get(cg.id)!.nr_tasks).toBe(1);
    expect(s.cgReader.get(t.pid)).toBeUndefined(); // pid 1 has no cgroup entry
    expect(s.reader.get(cg.id)).toBeUndefined(); // id 2 has no task entry
    expect(() => s.kernel.removeCgroup(cg)).toThrow(/busy/); // a task still lives in it
    expect(s.cgReader.size).toBe(1);
  });

  it("frees the entry when the cgroup is removed", () => {
    const s = simStorage();
    const cg = s.kernel.createCgroup("gone");
    s.cgroups.get(cg, CREATE);
    const h = s.cgReader.handle(cg.id)!;
    s.kernel.removeCgroup(cg);
    expect(s.cgReader.get(cg.id)).toBeUndefined();
    expect(() => s.cgReader.at(h)).toThrow(expect.objectContaining({ name: "StaleHandleError" }));
  });

  it("handles go stale when the owner exits, and stay stale when the slot is reused", () => {
    const s = simStorage();
    const a = s.kernel.createTask();
    s.tasks.get(a, CREATE)!.load = 1n;
    const h = s.reader.handle(a.pid)!;
    expect(s.reader.at(h).load).toBe(1n);
    expect(s.reader.ownerOf(h)).toBe(a.pid);
    s.kernel.exitTask(a); // a reader still holds h
    expect(s.reader.valid(h)).toBe(false);
    let err: unknown;
    try {
      s.reader.at(h);
    } catch (e) {
      err = e;
    }
    expect(isStaleHandleError(err)).toBe(true);
    const b = s.kernel.createTask();
    s.tasks.get(b, CREATE)!.load = 2n;
    const hb = s.reader.handle(b.pid)!;
    // Lowest-first reuse: b took a's slot, with a new generation.
    expect(Math.floor(hb / 2 ** 24)).toBe(Math.floor(h / 2 ** 24));
    expect(hb).not.toBe(h);
    expect(() => s.reader.at(h)).toThrow(/freed or reused/);
    expect(s.reader.at(hb).load).toBe(2n);
  });

  it("rejects handles of another map", () => {
    const s = simStorage();
    const cg = s.kernel.createCgroup("x");
    s.cgroups.get(cg, CREATE);
    const h = s.cgReader.handle(cg.id)!;
    // The brand makes this a type error; at run time the entry's map id catches it.
    expect(() => s.reader.at(h as unknown as Handle<"task_ctx_stor">)).toThrow(/freed or reused/);
    expect(() => s.reader.at(12345 as Handle<"task_ctx_stor">)).toThrow(/freed or reused/);
  });

  it("iterates every live entry with its owner", () => {
    const s = simStorage();
    const want = new Map<number, bigint>();
    for (let i = 0; i < 300; i++) {
      const t = s.kernel.createTask();
      if (i % 3 === 0) continue;
      s.tasks.get(t, CREATE)!.load = BigInt(t.pid * 10);
      want.set(t.pid, BigInt(t.pid * 10));
    }
    const cg = s.kernel.createCgroup("c");
    s.cgroups.get(cg, CREATE); // same region, other map: not yielded
    const seen = new Map<number, bigint>();
    for (const [pid, v] of s.reader) seen.set(pid, v.load);
    expect(seen).toEqual(want);
    expect(s.reader.owners().sort((a, b) => a - b)).toEqual([...want.keys()].sort((a, b) => a - b));
  });

  it("iteration is lazy, yields a fresh pair each step and throws ClosedError once closed mid-walk", () => {
    const s = simStorage();
    for (let i = 0; i < 120; i++) s.tasks.get(s.kernel.createTask(), CREATE);
    const it = s.reader.entries();
    const a = it.next();
    const b = it.next();
    expect(a.done).toBe(false);
    expect(a.value).not.toBe(b.value);
    expect(a.value![0]).toBeLessThan(b.value![0]);
    expect([...it].length).toBe(118);
    expect(it.next()).toEqual({ value: undefined, done: true });
    const late = s.reader[Symbol.iterator]();
    const mid = s.reader.entries();
    mid.next();
    s.reader.close();
    const closedBy = (f: () => unknown): boolean => {
      try {
        f();
      } catch (err) {
        return isClosedError(err);
      }
      return false;
    };
    expect(closedBy(() => late.next())).toBe(true);
    expect(closedBy(() => mid.next())).toBe(true);
    const afterClose = s.reader.entries(); // like a generator: nothing runs before next()
    expect(closedBy(() => afterClose.next())).toBe(true);
  });

  it("reports stats from the region's counters", () => {
    const s = simStorage();
    for (let i = 0; i < 1000; i++) s.tasks.get(s.kernel.createTask(), CREATE);
    const st = s.reader.stats();
    expect(st.liveEntries).toBe(1000);
    expect(st.regionLiveEntries).toBe(1000);
    expect(st.liveBytes).toBe(1000 * TaskCtx.size);
    expect(st.presentPages).toBe(s.kernel.arena.presentPages); // header agrees with the arena's own bitmap
    expect(st.presentBytes).toBe(st.presentPages * 4096);
    expect(st.bytesPerLiveEntry).toBeLessThan(200);
    expect(st.slabPages).toBeGreaterThan(0);
    expect(st.epoch).toBeGreaterThan(1);
  });

  it("revalidates after the epoch moves (trim freed pages)", () => {
    const s = simStorage();
    const tasks = Array.from({ length: 400 }, () => s.kernel.createTask());
    for (const t of tasks) s.tasks.get(t, CREATE);
    const keep = tasks[0]!;
    s.reader.get(keep.pid)!.load = 77n;
    for (const t of tasks.slice(1)) s.kernel.exitTask(t);
    const before = s.reader.stats();
    s.kernel.region.trim();
    s.kernel.region.trim();
    const after = s.reader.stats();
    expect(after.epoch).toBeGreaterThan(before.epoch);
    expect(after.presentPages).toBeLessThan(before.presentPages);
    expect(after.presentPages).toBe(s.kernel.arena.presentPages);
    expect(s.reader.get(keep.pid)!.load).toBe(77n);
    expect(s.reader.owners()).toEqual([keep.pid]);
  });

  it("throws ClosedError on every access after close, and close twice is harmless", () => {
    const s = simStorage();
    const t = s.kernel.createTask();
    s.tasks.get(t, CREATE);
    const h = s.reader.handle(t.pid)!;
    {
      using r = LocalStorage.open(s.mapping, "task_ctx_stor", TaskCtx, { regionPage: s.regionPage });
      expect(r.get(t.pid)).toBeDefined();
    }
    s.reader.close();
    s.reader.close();
    for (const f of [() => s.reader.get(t.pid), () => s.reader.at(h), () => s.reader.stats(), () => [...s.reader], () => s.reader.readConsistent(t.pid, (v) => v.load)]) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isClosedError(err)).toBe(true);
    }
  });

  it("notices a closed mapping when the epoch moves", () => {
    const s = simStorage();
    s.mapping[Symbol.dispose]();
    s.tasks.get(s.kernel.createTask(), CREATE);
    s.kernel.region.refill();
    s.kernel.region.trim();
    s.kernel.region.trim();
    for (let i = 0; i < 100; i++) s.tasks.get(s.kernel.createTask(), CREATE);
    expect(() => s.reader.get(1)).toThrow(/closed/);
  });
});

describe("opening a region", () => {
  const layoutError = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(isLayoutError(e)).toBe(true);
      return (e as Error).message;
    }
    throw new Error("no LayoutError");
  };

  it("names the map and the place when the value type does not match", () => {
    const s = simStorage();
    expect(layoutError(() => LocalStorage.open(s.mapping, "task_ctx_stor", CgrpCtx, { regionPage: 1 }))).toMatch(/CgrpCtx.*task_ctx_stor/s);
    expect(layoutError(() => LocalStorage.open(s.mapping, "nope", TaskCtx, { regionPage: 1 }))).toMatch(/no storage map nope/);
  });

  it("checks magic, region page and size", () => {
    const s = simStorage();
    expect(layoutError(() => new StorageRegion(s.mapping, { regionPage: 0 }))).toMatch(/magic/);
    expect(layoutError(() => new StorageRegion(s.mapping, { regionPage: 5000 }))).toMatch(/no header page/);
    const copy = new SharedArrayBuffer(s.mapping.buffer.byteLength);
    new Uint8Array(copy).set(new Uint8Array(s.mapping.buffer));
    const fake = { buffer: copy, address: 0n, length: copy.byteLength, closed: false, [Symbol.dispose]() {} };
    new DataView(copy).setUint32(4096 + 8, 2, true); // version 2
    expect(layoutError(() => new StorageRegion(fake, { regionPage: 1 }))).toMatch(/version 2.*offset 0x1008/);
    new DataView(copy).setUint32(4096 + 8, 1, true);
    new DataView(copy).setUint32(4096 + 16, 3, true); // region_pgoff
    expect(layoutError(() => new StorageRegion(fake, { regionPage: 1 }))).toMatch(/page 3/);
    const small = { ...fake, buffer: copy.slice(0, 8 * 4096) };
    new DataView(small.buffer).setUint32(4096 + 16, 1, true);
    expect(layoutError(() => new StorageRegion(small, { regionPage: 1 }))).toMatch(/does not fit/);
  });

  it("works with the region at page 0 (no arena globals)", () => {
    const s = simStorage({ regionPage: 0 });
    const t = s.kernel.createTask();
    s.tasks.get(t, CREATE)!.load = 5n;
    expect(s.reader.get(t.pid)!.load).toBe(5n);
  });
});

describe("entry validation", () => {
  it("treats an entry as absent when any header field disagrees with the index word (a free or reuse in flight)", () => {
    const s = simStorage();
    const t = s.kernel.createTask();
    const view = s.tasks.get(t, CREATE)!;
    const e = view.$offset - s.reader.info.valueOff; // entry header, absolute
    const dv = new DataView(s.mapping.buffer);
    const poke = (off: number, size: 1 | 2 | 4, value: number, f: () => void) => {
      const get = size === 1 ? () => dv.getUint8(e + off) : size === 2 ? () => dv.getUint16(e + off, true) : () => dv.getUint32(e + off, true);
      const set = (v: number) => (size === 1 ? dv.setUint8(e + off, v) : size === 2 ? dv.setUint16(e + off, v, true) : dv.setUint32(e + off, v, true));
      const old = get();
      set(value);
      f();
      set(old);
    };
    const absent = () => {
      expect(s.reader.get(t.pid)).toBeUndefined();
      expect(s.reader.handle(t.pid)).toBeUndefined();
    };
    const h = s.reader.handle(t.pid)!;
    poke(ENTRY.state, 1, 0, absent); // state FREE, owner not yet cleared
    poke(ENTRY.state, 1, 0, () => expect(() => s.reader.at(h)).toThrow(/freed/));
    poke(ENTRY.gen, 4, 99, absent); // generation moved on
    poke(ENTRY.owner_id, 4, t.pid + 1, absent);
    poke(ENTRY.owner_id + 4, 4, 1, absent); // high half of the u64 owner id
    poke(ENTRY.map_id, 2, 1, absent);
    poke(ENTRY.map_id, 2, 1, () => expect(() => s.reader.at(h)).toThrow(/freed/));
    expect(s.reader.get(t.pid)?.$offset).toBe(view.$offset); // restored: found again
  });
});

describe("absent pages", () => {
  it("the reader gives the same answers when every absent page holds garbage (it never relies on one)", () => {
    const s = simStorage({ pages: 2048 });
    const tasks = Array.from({ length: 5000 }, () => s.kernel.createTask());
    s.kernel.run(true, () =>
      tasks.forEach((t, i) => {
        if (i % 3 !== 0) s.tasks.get(t, CREATE)!.load = BigInt(t.pid); // sleepable: may refill the pool
      }),
    );
    tasks.forEach((t, i) => {
      if (i % 5 === 0 || (i > 1000 && i < 3000)) s.kernel.exitTask(t);
    });
    s.kernel.region.trim();
    s.kernel.region.trim(); // holes below the high-water mark
    const arena = s.kernel.arena;
    const copy = new SharedArrayBuffer(s.mapping.buffer.byteLength);
    const bytes = new Uint8Array(copy);
    bytes.set(new Uint8Array(s.mapping.buffer));
    let absent = 0;
    for (let p = 0; p < arena.pages; p++) {
      if (arena.isPresent(p)) continue;
      bytes.fill(0xa5, p * 4096, (p + 1) * 4096);
      if (p < s.reader.stats().hwmPages + 1) absent++;
    }
    expect(absent).toBeGreaterThan(10);
    const poisoned = LocalStorage.open({ buffer: copy, address: 0n, length: copy.byteLength, closed: false, [Symbol.dispose]() {} }, "task_ctx_stor", TaskCtx, { regionPage: 1 });
    for (let pid = 1; pid <= 5100; pid++) expect(poisoned.get(pid)?.load, `pid ${pid}`).toBe(s.reader.get(pid)?.load);
    expect(poisoned.owners()).toEqual(s.reader.owners());
    expect(poisoned.stats()).toEqual(s.reader.stats());
  });
});
