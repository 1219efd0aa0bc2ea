import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { isClosedError, isLoaderError, isBpfSyscallError } from "../../src/errors/index.js";
import { mapInfo, objGet, close as sysClose, BPF_F_RDONLY_PROG, BPF_F_MMAPABLE } from "../../src/kernel/index.js";
import { BpfMap, BpfObject } from "../../src/loader/index.js";
import { bpftoolJson, fixture, u32, u64 } from "./support.js";

const LIFECYCLE = fixture("lifecycle/lifecycle.bpf.o");

/** setU32 writes a u32 global into its section's bytes. */
function setU32(obj: BpfObject, name: string, value: number): void {
  const v = obj.variable(name);
  new DataView(obj.globals(v.section).buffer, obj.globals(v.section).byteOffset).setUint32(v.offset, value, true);
}

describe.skipIf(requirement(rootMissing()))("lifecycle: global data, maps, iterators", () => {
  it("global data is read and written from both sides; .rodata set before load is what BPF sees", () => {
    using obj = BpfObject.open(LIFECYCLE);
    expect(obj.state).toBe("opened");
    setU32(obj, "multiplier", 3);
    obj.load();
    expect(obj.state).toBe("loaded");
    // .data is mmapped: a write from TypeScript is what the program reads.
    const data = obj.globals(".data");
    const input = obj.variable("input");
    new DataView(data.buffer, data.byteOffset).setBigUint64(input.offset, 7n, true);
    const r = obj.run("copy_data", new Uint8Array(24));
    expect(r.retval).toBe(0);
    expect([u64(r.ctx!, 0), u64(r.ctx!, 8), u64(r.ctx!, 16)]).toEqual([7n, 3n, 21n]);
    // .bss written by BPF, read in place.
    const bss = obj.globals(".bss");
    expect(u64(bss, obj.variable("output").offset)).toBe(21n);
    expect(u64(bss, obj.variable("runs").offset)).toBe(1n);
    obj.run("copy_data", new Uint8Array(24));
    expect(u64(bss, obj.variable("runs").offset)).toBe(2n);
    // .rodata: frozen, read-only for programs, mmapable; a user-space write is refused.
    const ro = obj.map(".rodata");
    const info = mapInfo(ro.fd);
    expect(info.flags & (BPF_F_RDONLY_PROG | BPF_F_MMAPABLE)).toBe(BPF_F_RDONLY_PROG | BPF_F_MMAPABLE);
    expect(u32(obj.globals(".rodata"), obj.variable("multiplier").offset)).toBe(3);
    let err: unknown;
    try {
      ro.update(0, new Uint8Array(ro.valueSize));
    } catch (e) {
      err = e;
    }
    expect(isBpfSyscallError(err) && err.code).toBe("EPERM");
    // bpftool (not our code) sees the same .bss bytes.
    const dump = bpftoolJson("map", "dump", "id", String(mapInfo(obj.map(".bss").fd).id)) as { value: string[] | { [k: string]: unknown } }[];
    const hex = (dump[0]!.value as string[]).map((x) => Number.parseInt(x, 16));
    expect(u64(Uint8Array.from(hex), obj.variable("output").offset)).toBe(21n);
  });

  it("maps: lookup, update, delete, keys, batch lookup, and BPF_F_LOCK on a spin-locked value", () => {
    using obj = BpfObject.open(LIFECYCLE).load();
    const counts = obj.map("counts");
    const data = obj.globals(".data");
    const input = obj.variable("input").offset;
    for (const k of [1, 2, 2, 3, 3, 3]) {
      new DataView(data.buffer, data.byteOffset).setBigUint64(input, BigInt(k), true);
      obj.run("copy_data", new Uint8Array(24));
    }
    const value = (k: number) => u64(counts.lookup(k)!, 0);
    expect([value(1), value(2), value(3)]).toEqual([1n, 2n, 3n]);
    expect(counts.lookup(9)).toBeUndefined();
    const eight = new Uint8Array(8);
    new DataView(eight.buffer).setBigUint64(0, 40n, true);
    counts.update(4, eight);
    expect(value(4)).toBe(40n);
    expect(counts.delete(1)).toBe(true);
    expect(counts.delete(1)).toBe(false);
    const keys = [...counts.keys()].map((k) => u32(k, 0)).sort();
    expect(keys).toEqual([2, 3, 4]);
    const batch = counts.lookupBatch(2).map(([k, v]) => [u32(k, 0), u64(v, 0)] as const).sort((a, b) => a[0] - b[0]);
    expect(batch).toEqual([[2, 2n], [3, 3n], [4, 40n]]);
    // bpftool agrees on the keys.
    const dump = bpftoolJson("map", "dump", "id", String(mapInfo(counts.fd).id)) as { key: string[] }[];
    expect(dump.map((e) => Number.parseInt(e.key[0]!, 16)).sort()).toEqual([2, 3, 4]);

    // totals: struct locked { bpf_spin_lock; u32 hits; u64 total }; the program takes the lock.
    const totals = obj.map("totals");
    const zero = new Uint8Array(totals.valueSize);
    totals.update(0, zero, BpfMap.F_LOCK);
    new DataView(data.buffer, data.byteOffset).setBigUint64(input, 5n, true);
    for (let i = 0; i < 3; i++) obj.run("copy_data", new Uint8Array(24));
    const locked = totals.lookup(0, BpfMap.F_LOCK)!;
    expect([u32(locked, 4), u64(locked, 8)]).toEqual([3, 15n]);
    // BPF_F_LOCK on a map without a lock in its value is refused by the kernel.
    let err: unknown;
    try {
      counts.lookup(2, BpfMap.F_LOCK);
    } catch (e) {
      err = e;
    }
    expect(isBpfSyscallError(err) && err.code).toBe("EINVAL");
  });

  it("pin and unpin on bpffs; a pinned map opens from its path", () => {
    using obj = BpfObject.open(LIFECYCLE).load();
    const path = `/sys/fs/bpf/bpf_skel_lifecycle_${process.pid}`;
    const counts = obj.map("counts");
    counts.pin(path);
    expect(existsSync(path)).toBe(true);
    const fd = objGet(path);
    try {
      expect(mapInfo(fd).id).toBe(mapInfo(counts.fd).id);
    } finally {
      sysClose(fd);
    }
    counts.unpin();
    expect(existsSync(path)).toBe(false);
  });

  it("LIBBPF_PIN_BY_NAME maps are pinned under pinRoot and reused by the next load", () => {
    const root = `/sys/fs/bpf/bpf_skel_pins_${process.pid}`;
    mkdirSync(root, { recursive: true });
    try {
      const key = new Uint8Array(8);
      const val = Uint8Array.of(9, 0, 0, 0);
      {
        using a = BpfObject.open(fixture("loader/globals.bpf.o"), { pinRoot: root }).load();
        a.map("lru_map").update(key, val);
      }
      expect(readdirSync(root)).toEqual(["lru_map"]);
      using b = BpfObject.open(fixture("loader/globals.bpf.o"), { pinRoot: root }).load();
      expect(b.map("lru_map").lookup(key)).toEqual(val);
      // A pinned map with another definition is refused, not silently reused.
      const c = BpfObject.open(fixture("loader/globals.bpf.o"), { pinRoot: root });
      c.editMap("lru_map", { maxEntries: 32 });
      expect(() => c.load()).toThrow(/pinned map .* differs in maxEntries/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("an iterator link reads every thread of this process (cross-checked with /proc/self/task)", () => {
    using obj = BpfObject.open(LIFECYCLE);
    setU32(obj, "iter_pid", process.pid);
    obj.load().attach();
    expect([...obj.links.keys()]).toEqual(["list_tasks"]);
    const threads = readdirSync("/proc/self/task").length;
    const out = obj.readIter("list_tasks");
    const tgids = new Uint32Array(out.buffer, out.byteOffset, out.length / 4);
    expect(tgids.length).toBe(threads);
    expect(new Set(tgids)).toEqual(new Set([process.pid]));
  });

  it("state rules: edits only before load, nothing after close", () => {
    const obj = BpfObject.open(LIFECYCLE);
    expect(() => obj.maps).toThrow(/maps needs the object loaded, it is opened/);
    obj.setAutoload("list_tasks", false);
    obj.load();
    expect([...obj.programs.keys()]).toEqual(["copy_data"]);
    let err: unknown;
    try {
      obj.editMap("counts", { maxEntries: 1 });
    } catch (e) {
      err = e;
    }
    expect(isLoaderError(err)).toBe(true);
    const counts = obj.map("counts");
    obj.close();
    obj.close();
    expect(obj.state).toBe("closed");
    for (const f of [() => obj.maps, () => counts.lookup(1), () => obj.globals(".data")]) {
      let e2: unknown;
      try {
        f();
      } catch (e) {
        e2 = e;
      }
      expect(isClosedError(e2)).toBe(true);
    }
  });
});

describe.skipIf(requirement(rootMissing()))("map-in-map", () => {
  it("the outer map is created from its inner template; user space fills a slot and BPF reads through it", () => {
    using obj = BpfObject.open(fixture("lifecycle/map_in_map.bpf.o")).load();
    const outer = obj.map("outer");
    expect(mapInfo(outer.fd)).toMatchObject({ type: 12, keySize: 4, valueSize: 4, maxEntries: 2 });
    const t = obj.transport;
    const inner = t.createMap({ name: "inner_a", type: 2, keySize: 4, valueSize: 8, maxEntries: 4 });
    try {
      const v = new Uint8Array(8);
      for (let i = 0; i < 4; i++) {
        new DataView(v.buffer).setBigUint64(0, BigInt(10 ** i), true);
        t.updateElem(inner, Uint8Array.of(i, 0, 0, 0), v);
      }
      const fd = new Uint8Array(4);
      new DataView(fd.buffer).setUint32(0, inner, true);
      outer.update(1, fd);
      // User-space lookups of a map-in-map slot give the inner map's id.
      expect(u32(outer.lookup(1)!, 0)).toBe(mapInfo(inner).id);
      const args = new Uint8Array(16);
      args[0] = 1;
      const out = obj.run("sum_slot", args).ctx!;
      expect([u32(out, 4), u64(out, 8)]).toEqual([1, 1111n]);
      args[0] = 0;
      expect(obj.run("sum_slot", args).retval).toBe(1);
      // An inner map of another shape is refused by the kernel (it checks against the template).
      const wrong = t.createMap({ name: "inner_b", type: 2, keySize: 4, valueSize: 16, maxEntries: 4 });
      try {
        new DataView(fd.buffer).setUint32(0, wrong, true);
        expect(() => outer.update(0, fd)).toThrow(/BPF_MAP_UPDATE_ELEM: EINVAL/);
      } finally {
        t.close(wrong);
      }
    } finally {
      t.close(inner);
    }
  });
});

describe.skipIf(requirement(rootMissing()))("narrowed iterators", () => {
  it("iter/task with { pid } walks only that process's threads (bpf_iter_link_info)", async () => {
    const child = spawn("sleep", ["5"], { stdio: "ignore" });
    await once(child, "spawn");
    try {
      using obj = BpfObject.open(LIFECYCLE).load(); // iter_pid stays 0: the program itself filters nothing
      const out = obj.program("list_tasks").readIter({ iter: { pid: child.pid! } });
      expect([...new Uint32Array(out.buffer, out.byteOffset, out.length / 4)]).toEqual([child.pid!]);
      let err: unknown;
      try {
        obj.program("copy_data").attach({ iter: { pid: 1 } });
      } catch (e) {
        err = e;
      }
      expect(isLoaderError(err)).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
