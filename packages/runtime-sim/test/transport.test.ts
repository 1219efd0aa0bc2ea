import { describe, expect, it } from "vitest";
import {
  BPF_ANY, BPF_EXIST, BPF_F_MMAPABLE, BPF_F_NO_PREALLOC, BPF_F_SLEEPABLE, BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE,
  BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_TASK_STORAGE,
  BPF_NOEXIST, SimKernel, SimTransport,
} from "@bpf-skel/runtime-sim";
import { isBpfSyscallError } from "@bpf-skel/sdk/errors";
import type { Transport } from "@bpf-skel/sdk";
import { LocalStorage } from "@bpf-skel/sdk/storage";
import { TaskCtx } from "../../sdk/test/storage/generated/values.js";

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const errno = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(isBpfSyscallError(e)).toBe(true);
    return (e as { code: string }).code;
  }
  throw new Error("no error");
};

describe("SimTransport", () => {
  it("is a Transport", () => {
    using t = new SimTransport();
    const tr: Transport = t;
    expect(tr.kind).toBe("sim");
  });

  it("hash maps: update flags, lookup, delete, iteration, capacity", () => {
    using t = new SimTransport();
    const fd = t.createMap({ name: "h", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 2 });
    t.updateElem(fd, u32(1), new Uint8Array(8).fill(1), BPF_NOEXIST);
    expect(errno(() => t.updateElem(fd, u32(1), new Uint8Array(8), BPF_NOEXIST))).toBe("EEXIST");
    expect(errno(() => t.updateElem(fd, u32(2), new Uint8Array(8), BPF_EXIST))).toBe("ENOENT");
    t.updateElem(fd, u32(2), new Uint8Array(8).fill(2), BPF_ANY);
    expect(errno(() => t.updateElem(fd, u32(3), new Uint8Array(8)))).toBe("E2BIG");
    expect(t.lookupElem(fd, u32(2), 8)).toEqual(new Uint8Array(8).fill(2));
    const keys: number[] = [];
    for (let k = t.nextKey(fd, undefined, 4); k; k = t.nextKey(fd, k, 4)) keys.push(new DataView(k.buffer, k.byteOffset).getUint32(0, true));
    expect(keys.sort()).toEqual([1, 2]);
    expect(t.deleteElem(fd, u32(1))).toBe(true);
    expect(t.deleteElem(fd, u32(1))).toBe(false);
    expect(t.lookupElem(fd, u32(1), 8)).toBeUndefined();
    t.freezeMap(fd);
    expect(errno(() => t.updateElem(fd, u32(5), new Uint8Array(8)))).toBe("EPERM");
  });

  it("array maps: fixed slots, mmapable", () => {
    using t = new SimTransport();
    const fd = t.createMap({ name: "a", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: BPF_F_MMAPABLE });
    t.updateElem(fd, u32(3), u32(42));
    using m = t.mmapMap(fd, 32);
    expect(new Uint32Array(m.buffer)[6]).toBe(42); // 8-byte stride
    expect(errno(() => t.updateElem(fd, u32(4), u32(1)))).toBe("E2BIG");
    expect(errno(() => t.deleteElem(fd, u32(0)))).toBe("EINVAL");
  });

  it("task and cgroup storage maps keyed by pid / cgroup id, with the kernel's creation rules", () => {
    using t = new SimTransport();
    expect(errno(() => t.createMap({ name: "s", type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0 }))).toBe("EINVAL");
    const fd = t.createMap({ name: "s", type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F_NO_PREALLOC });
    const cfd = t.createMap({ name: "c", type: BPF_MAP_TYPE_CGRP_STORAGE, keySize: 4, valueSize: 4, maxEntries: 0, flags: BPF_F_NO_PREALLOC });
    const task = t.kernel.createTask();
    expect(t.lookupElem(fd, u32(task.pid), 8)).toBeUndefined();
    t.updateElem(fd, u32(task.pid), new Uint8Array(8).fill(7));
    expect(t.lookupElem(fd, u32(task.pid), 8)).toEqual(new Uint8Array(8).fill(7));
    expect(errno(() => t.lookupElem(fd, u32(9999), 8))).toBe("ENOENT");
    expect(errno(() => t.nextKey(fd, undefined, 4))).toBe("ENOTSUPP");
    t.updateElem(cfd, u32(t.kernel.rootCgroup.id), u32(5));
    expect(t.lookupElem(cfd, u32(1), 4)).toEqual(u32(5));
    t.kernel.exitTask(task);
    expect(t.storageMap(fd).counters.deletes).toBe(1);
  });

  it("arena maps: the region is the mmap; a LocalStorage reads what a sleepable program created", () => {
    using t = new SimTransport(new SimKernel({ autoRefill: false }));
    expect(errno(() => t.createMap({ name: "ar", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 64 }))).toBe("EINVAL");
    expect(errno(() => t.createMap({ name: "ar", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 2 ** 21, flags: BPF_F_MMAPABLE }))).toBe("E2BIG");
    const arena = t.createMap({ name: "ar", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 256, flags: BPF_F_MMAPABLE, mapExtra: 1n << 44n });
    expect(errno(() => t.lookupElem(arena, u32(0), 8))).toBe("EINVAL");
    const stor = t.kernel.defineStorage("task_ctx_stor", "task", TaskCtx);
    const task = t.kernel.createTask();
    // A SEC("syscall") program (sleepable) creates the entry; a non-sleepable one just reads it.
    const init = t.loadProgram({ name: "init", type: 31, license: "GPL", flags: BPF_F_SLEEPABLE, sim: () => (stor.get(task, CREATE) === null ? -12 : 0) });
    const probe = t.loadProgram({ name: "probe", type: 26, license: "GPL", sim: () => (t.kernel.context.sleepable ? 1 : 0) });
    expect(t.runProgram(init).retval).toBe(0);
    expect(t.runProgram(probe, { repeat: 3 }).retval).toBe(0);
    using m = t.mmapMap(arena, 256 * 4096);
    expect(m.address).toBe(1n << 44n);
    using r = LocalStorage.open(m, "task_ctx_stor", TaskCtx, { regionPage: 1 });
    r.get(task.pid)!.dom_id = 3; // user space writes; BPF sees it
    expect(stor.get(task)!.dom_id).toBe(3);
    expect(errno(() => t.loadProgram({ name: "x", type: 26, license: "GPL" }))).toBe("EINVAL");
  });

  it("attached exit programs run when a task exits, before its storage is freed", () => {
    using t = new SimTransport();
    const stor = t.kernel.defineStorage("task_ctx_stor", "task", TaskCtx);
    const loads: bigint[] = [];
    const prog = t.loadProgram({ name: "on_exit", type: 26, license: "GPL", sim: (ctx) => {
      loads.push(stor.get(ctx as never)?.load ?? -1n);
      return 0;
    } });
    const link = t.attachProgram(prog, { kind: "tracepoint", category: "sched", name: "sched_process_exit" });
    const task = t.kernel.createTask();
    stor.get(task, CREATE)!.load = 11n;
    t.kernel.exitTask(task);
    t.close(link);
    t.kernel.exitTask(t.kernel.createTask());
    expect(loads).toEqual([11n]);
  });

  it("dispose closes mappings and fds", () => {
    const t = new SimTransport();
    const fd = t.createMap({ name: "a", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_MMAPABLE });
    const m = t.mmapMap(fd, 8);
    t[Symbol.dispose]();
    t[Symbol.dispose]();
    expect(m.closed).toBe(true);
    expect(errno(() => t.lookupElem(fd, u32(0), 4))).toBe("EBADF");
    expect(errno(() => t.createMap({ name: "b", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1 }))).toBe("EBADF");
  });

  it("dispose closes the kernel it made, and leaves a kernel it was given to its owner", () => {
    const own = new SimTransport();
    own[Symbol.dispose]();
    expect(() => own.kernel.createTask()).toThrow(/simulated kernel was closed/);
    using kernel = new SimKernel();
    new SimTransport(kernel)[Symbol.dispose]();
    expect(kernel.createTask().pid).toBeGreaterThan(0);
  });
});
