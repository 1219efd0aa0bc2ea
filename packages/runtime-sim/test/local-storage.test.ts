import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, SimKernel, freeOwnerStorage } from "@bpf-skel/runtime-sim";
import { TaskCtx } from "../../sdk/test/storage/generated/values.js";

describe("local storage semantics", () => {
  it("takes the 16-slot cache fast path after the first lookup", () => {
    const k = new SimKernel();
    const m = k.defineStorage("task_ctx_stor", "task", TaskCtx);
    const t = k.createTask();
    m.get(t, CREATE); // create fills the cache
    const c = m.storage.counters;
    expect(c.creates).toBe(1);
    const walks = c.slowWalks;
    for (let i = 0; i < 1000; i++) m.get(t);
    expect(c.cacheHits).toBe(1000);
    expect(c.slowWalks).toBe(walks);
  });

  it("walks the owner's list when another map took the cache slot, then refills it", () => {
    const k = new SimKernel();
    // 17 maps: with 16 cache slots, two maps share one (least used first, like the kernel).
    const maps = Array.from({ length: 17 }, (_, i) => k.localStorageMap(`m${i}`, "task", 8));
    expect(new Set(maps.map((m) => m.cacheIdx)).size).toBe(16);
    const [a, b] = [maps[0]!, maps[16]!];
    expect(a.cacheIdx).toBe(b.cacheIdx);
    const t = k.createTask();
    a.link(t, new Uint8Array(8), 0);
    b.link(t, new Uint8Array(8), 0); // b now owns the shared slot
    expect(a.lookup(t)).toBeDefined();
    expect(a.counters.slowWalks).toBe(1); // slot held b: walk the list, refill for a
    expect(a.lookup(t)).toBeDefined();
    expect(a.counters.cacheHits).toBe(1);
    expect(b.lookup(t)).toBeDefined();
    expect(b.counters.slowWalks).toBe(1);
    expect(t.storage!.list.length).toBe(2);
  });

  it("keeps the owner's list newest first; unlink from the middle keeps the rest reachable", () => {
    const k = new SimKernel();
    const maps = Array.from({ length: 4 }, (_, i) => k.localStorageMap(`m${i}`, "task", 8));
    const t = k.createTask();
    for (const [i, m] of maps.entries()) m.link(t, new Uint8Array([i, 0, 0, 0, 0, 0, 0, 0]), 0);
    expect(t.storage!.list.map((e) => e.map.name)).toEqual(["m3", "m2", "m1", "m0"]);
    expect(maps[1]!.unlink(t)).toBe(true);
    expect(maps[1]!.unlink(t)).toBe(false);
    expect(t.storage!.list.map((e) => e.map.name)).toEqual(["m3", "m2", "m0"]);
    for (const [i, m] of maps.entries()) expect(m.lookup(t)?.value[0]).toBe(i === 1 ? undefined : i);
    k.exitTask(t);
    expect(maps.map((m) => m.counters.deletes)).toEqual([1, 1, 1, 1]);
  });

  it("recycles the elements of mapped maps (bpf_mem_cache), never those holding classic values", () => {
    const k = new SimKernel();
    const m = k.defineStorage("task_ctx_stor", "task", TaskCtx);
    const classic = k.localStorageMap("c", "task", 8);
    const a = k.createTask();
    m.get(a, CREATE);
    const va = new Uint8Array(8).fill(7);
    classic.link(a, va, 0);
    const ea = m.storage.lookup(a)!;
    const ca = classic.lookup(a)!;
    k.exitTask(a);
    const b = k.createTask();
    const offB = m.getOffset(b, CREATE);
    classic.link(b, new Uint8Array(8), 0);
    expect(m.storage.lookup(b)).toBe(ea); // the same element, now b's
    expect(ea.ref).toBe(offB);
    expect(classic.lookup(b)).not.toBe(ca);
    expect(ca.value).toBe(va); // a stale classic element keeps its bytes
    expect(m.storage.lookup(a)).toBeUndefined();
  });

  it("a recycled owner storage starts with no cache hits (stale slots of the previous owner never match)", () => {
    const k = new SimKernel();
    const m = k.localStorageMap("m", "task", 8);
    const n = k.localStorageMap("n", "task", 8);
    const a = k.createTask();
    m.link(a, new Uint8Array(8), 0);
    const storageOfA = a.storage;
    k.exitTask(a);
    const b = k.createTask();
    n.link(b, new Uint8Array(8), 0);
    expect(b.storage).toBe(storageOfA); // recycled, like bpf_mem_cache
    const hits = m.counters.cacheHits;
    expect(m.lookup(b)).toBeUndefined(); // a's old slot for m must not read as b's element
    expect(m.counters.cacheHits).toBe(hits);
    expect(n.lookup(b)).toBeDefined();
  });

  it("owner storages stay with their kernel: another kernel never gets one pointing into the first one's maps", () => {
    const a = new SimKernel();
    const ma = a.defineStorage("t", "task", TaskCtx);
    const ca = a.localStorageMap("c", "task", 8);
    const ta = a.createTask();
    ma.get(ta, CREATE);
    ca.link(ta, new Uint8Array(8), 0);
    const storageOfA = ta.storage!;
    a.exitTask(ta); // the exit leaves storageOfA's cache slots pointing at ma's and ca's elements
    expect(a.pooledStorages).toBe(1);
    const b = new SimKernel();
    const mb = b.defineStorage("t", "task", TaskCtx);
    const tb = b.createTask();
    mb.get(tb, CREATE);
    expect(tb.storage).not.toBe(storageOfA);
    const mapsOfA = new Set([ma.storage, ca]);
    expect(tb.storage!.cache.filter((e) => e !== undefined && mapsOfA.has(e.map))).toEqual([]);
    expect(a.pooledStorages).toBe(1);
    const ta2 = a.createTask();
    ma.get(ta2, CREATE);
    expect(ta2.storage).toBe(storageOfA); // reused within its own kernel
  });

  it("closing a kernel drops its pooled owner storages and pools none afterwards", () => {
    const k = new SimKernel();
    const m = k.defineStorage("t", "task", TaskCtx);
    const ts = Array.from({ length: 10 }, () => k.createTask());
    for (const t of ts) m.get(t, CREATE);
    for (const t of ts.slice(0, 5)) k.exitTask(t);
    expect(k.pooledStorages).toBe(5);
    k[Symbol.dispose]();
    expect(k.pooledStorages).toBe(0);
    expect(() => k.exitTask(ts[5]!)).toThrow(/closed/);
    freeOwnerStorage(ts[6]!); // a late free of a closed kernel's owner
    expect(ts[6]!.storage).toBeNull();
    expect(k.pooledStorages).toBe(0);
  });

  it("unlinking an owner's last element frees its storage: a later lookup finds none (a miss, no walk)", () => {
    const k = new SimKernel();
    const m = k.localStorageMap("m", "task", 8);
    const n = k.localStorageMap("n", "task", 8);
    const t = k.createTask();
    m.link(t, new Uint8Array(8), 0);
    n.link(t, new Uint8Array(8), 0);
    const storage = t.storage;
    expect(m.unlink(t)).toBe(true);
    expect(t.storage).toBe(storage); // n's element is still there
    expect(n.unlink(t)).toBe(true);
    expect(t.storage).toBeNull();
    expect(k.pooledStorages).toBe(1);
    const { slowWalks, misses } = m.counters;
    expect(m.lookup(t)).toBeUndefined();
    expect(m.counters.slowWalks).toBe(slowWalks);
    expect(m.counters.misses).toBe(misses + 1);
    expect(m.unlink(t)).toBe(false);
    m.link(t, new Uint8Array(8), 0);
    expect(t.storage).toBe(storage); // back from the pool
    expect(k.pooledStorages).toBe(0);
    // The same through a mapped map's delete (bpf_task_storage_delete).
    const mapped = k.defineStorage("t", "task", TaskCtx);
    const u = k.createTask();
    mapped.get(u, CREATE);
    expect(mapped.delete(u)).toBe(true);
    expect(u.storage).toBeNull();
    const walks = mapped.storage.counters.slowWalks;
    expect(mapped.get(u)).toBeNull();
    expect(mapped.storage.counters.slowWalks).toBe(walks);
  });

  it("without F_CREATE a missing entry is NULL; delete returns ENOENT the second time", () => {
    const k = new SimKernel();
    const m = k.defineStorage("task_ctx_stor", "task", TaskCtx);
    const t = k.createTask();
    expect(m.get(t)).toBeNull();
    expect(m.getOffset(t)).toBe(0);
    expect(m.get(t, CREATE)).not.toBeNull();
    expect(m.delete(t)).toBe(true);
    expect(m.delete(t)).toBe(false);
    expect(m.get(t)).toBeNull();
    expect(k.region.lookup(m.mapId, t.pid)).toBe(0);
  });

  it("several storage maps per owner; exit frees all of them, in the region too", () => {
    const k = new SimKernel();
    const a = k.defineStorage("a", "task", TaskCtx);
    const b = k.defineStorage("b", "task", TaskCtx);
    const t = k.createTask();
    a.get(t, CREATE)!.load = 1n;
    b.get(t, CREATE)!.load = 2n;
    expect(a.get(t)!.load).toBe(1n);
    expect(b.get(t)!.load).toBe(2n);
    expect(k.region.counter("live_entries")).toBe(2);
    k.exitTask(t);
    expect(t.storage).toBeNull();
    expect(k.region.counter("live_entries")).toBe(0);
    expect(a.get(t, CREATE)).toBeNull(); // a dead task gets no new storage
    expect(a.storage.counters.deletes).toBe(1);
    freeOwnerStorage(t); // twice is harmless
  });

  it("exit hooks run non-sleepable before the storage goes, init hooks sleepable", () => {
    const k = new SimKernel({ autoRefill: false });
    const m = k.defineStorage("task_ctx_stor", "task", TaskCtx);
    const seen: string[] = [];
    k.onTaskInit.add((t) => {
      seen.push(`init ${t.pid} sleepable=${k.context.sleepable}`);
      m.get(t, CREATE);
    });
    k.onTaskExit.add((t) => seen.push(`exit ${t.pid} sleepable=${k.context.sleepable} has=${m.get(t) !== null}`));
    const t = k.createTask();
    k.exitTask(t);
    expect(seen).toEqual([`init 1 sleepable=true`, `exit 1 sleepable=false has=true`]);
  });

  it("cgroups: ids grow, rmdir of a busy cgroup fails, removal frees storage", () => {
    const k = new SimKernel();
    const m = k.defineStorage("cg", "cgroup", TaskCtx);
    const a = k.createCgroup("a");
    const b = k.createCgroup("b", a);
    expect(b.path).toBe("/a/b");
    expect(b.id).toBeGreaterThan(a.id);
    const t = k.createTask({ cgroup: b });
    m.get(b, CREATE);
    expect(() => k.removeCgroup(a)).toThrow(/busy/);
    expect(() => k.removeCgroup(b)).toThrow(/busy/);
    k.exitTask(t);
    k.removeCgroup(b);
    expect(k.region.lookup(m.mapId, b.id)).toBe(0);
    expect(() => k.createTask({ cgroup: b })).toThrow(/removed/);
    k.removeCgroup(a);
    expect(k.cgroup(a.id)).toBeUndefined();
  });

  it("tasks keep tgid, comm and weight: fork defaults, fork options and later changes", () => {
    const k = new SimKernel();
    const a = k.createTask();
    expect([a.tgid, a.comm, a.weight]).toEqual([a.pid, "task", 100]);
    const b = k.createTask({ comm: "worker", tgid: a.pid, weight: 7 });
    expect([b.tgid, b.comm, b.weight]).toEqual([a.pid, "worker", 7]);
    a.comm = "renamed";
    expect([a.tgid, a.comm, a.weight]).toEqual([a.pid, "renamed", 100]);
    a.weight = 3;
    expect([a.tgid, a.comm, a.weight]).toEqual([a.pid, "renamed", 3]);
    const c = k.createTask({ weight: 1 });
    expect([c.tgid, c.comm, c.weight]).toEqual([c.pid, "task", 1]);
  });

  it("allocates pids cyclically and skips live ones", () => {
    const k = new SimKernel({ pidMax: 8 });
    const ts = Array.from({ length: 7 }, () => k.createTask());
    expect(ts.map((t) => t.pid)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(() => k.createTask()).toThrow(/exhausted/);
    k.exitTask(ts[2]!);
    expect(k.createTask().pid).toBe(3);
  });
});
