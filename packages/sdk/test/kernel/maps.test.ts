import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { isBpfSyscallError, isClosedError } from "../../src/errors/index.js";
import {
  BPF_ANY, BPF_EXIST, BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, BPF_NOEXIST,
  BPF_ATTR_SIZE, BPF_MAP_CREATE, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_UPDATE_ELEM, KernelTransport, MAP_CREATE_ATTR,
  MAP_ELEM_ATTR, NativeMemory, bpf, close, mapInfo, mapLookup, perCpuValueSize, possibleCpus,
} from "../../src/kernel/index.js";
import type { MapFd } from "../../src/transport/transport.js";
import { readU32, readU64, u32le, u64le } from "./asm.js";

describe.skipIf(requirement(rootMissing()))("kernel maps", () => {
  it("hash map: create, update, lookup, delete, next-key iteration", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_hash", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 64 });
    for (let i = 1; i <= 20; i++) t.updateElem(m, u32le(i), u64le(BigInt(i * 1000)));
    expect(readU64(t.lookupElem(m, u32le(7), 8)!)).toBe(7000n);
    expect(t.lookupElem(m, u32le(99), 8)).toBeUndefined();

    // flags: NOEXIST on an existing key fails with EEXIST, EXIST on a missing key with ENOENT
    expect(() => t.updateElem(m, u32le(7), u64le(1n), BPF_NOEXIST)).toThrow(/BPF_MAP_UPDATE_ELEM: EEXIST/);
    expect(() => t.updateElem(m, u32le(500), u64le(1n), BPF_EXIST)).toThrow(/BPF_MAP_UPDATE_ELEM: ENOENT/);

    expect(t.deleteElem(m, u32le(7))).toBe(true);
    expect(t.deleteElem(m, u32le(7))).toBe(false);

    const seen: number[] = [];
    for (let k = t.nextKey(m, undefined, 4); k !== undefined; k = t.nextKey(m, k, 4)) seen.push(readU32(k));
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()].map((i) => i + 1).filter((i) => i !== 7));

    const info = t.mapInfo(m);
    expect(info).toMatchObject({ type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 8, maxEntries: 64, name: "kt_hash" });

    const out = new Uint8Array(8);
    expect(t.lookupElemInto(m, u32le(3), out)).toBe(true);
    expect(readU64(out)).toBe(3000n);
    expect(t.lookupElemInto(m, u32le(7), out)).toBe(false);
  });

  it("batch lookup walks a hash map to the end", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_batch", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 256 });
    for (let i = 0; i < 100; i++) t.updateElem(m, u32le(i), u32le(i * 3));
    const got = new Map<number, number>();
    let inBatch: Uint8Array | undefined;
    let steps = 0;
    do {
      const r = t.lookupBatch(m, { keySize: 4, valueSize: 4, count: 16, ...(inBatch ? { inBatch } : {}) });
      for (let i = 0; i < r.count; i++) got.set(readU32(r.keys, i * 4), readU32(r.values, i * 4));
      inBatch = r.nextBatch;
      steps++;
    } while (inBatch !== undefined && steps < 100);
    expect(got.size).toBe(100);
    for (const [k, v] of got) expect(v).toBe(k * 3);
    expect(steps).toBeGreaterThan(1);
  });

  it("array map: out-of-range keys fail, delete is not supported", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_array", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 });
    t.updateElem(m, u32le(3), u64le(33n), BPF_ANY);
    expect(readU64(t.lookupElem(m, u32le(3), 8)!)).toBe(33n);
    expect(readU64(t.lookupElem(m, u32le(0), 8)!)).toBe(0n);
    expect(t.lookupElem(m, u32le(4), 8)).toBeUndefined();
    expect(() => t.deleteElem(m, u32le(1))).toThrow(/BPF_MAP_DELETE_ELEM: EINVAL/);
  });

  it("mmapable array: writes through the syscall show in the mapping and back", () => {
    using t = new KernelTransport();
    const m = t.createMap({
      name: "kt_mmap", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 16, flags: BPF_F_MMAPABLE,
    });
    using region = t.mmapMap(m, 16 * 8);
    const words = new BigUint64Array(region.buffer, 0, 16);
    t.updateElem(m, u32le(5), u64le(0x1122334455667788n));
    expect(words[5]).toBe(0x1122334455667788n);
    words[9] = 99n;
    expect(readU64(t.lookupElem(m, u32le(9), 8)!)).toBe(99n);
    expect(region.address % 4096n).toBe(0n);
  });

  it("freeze makes a map read-only for user space", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_ro", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: BPF_F_RDONLY_PROG });
    t.updateElem(m, u32le(0), u32le(5));
    t.freezeMap(m);
    expect(() => t.updateElem(m, u32le(0), u32le(6))).toThrow(/BPF_MAP_UPDATE_ELEM: EPERM/);
    expect(readU32(t.lookupElem(m, u32le(0), 4)!)).toBe(5);
  });

  it("bad map parameters raise BpfSyscallError naming the command and errno", () => {
    using t = new KernelTransport();
    let err: unknown;
    try {
      t.createMap({ name: "kt_bad", type: BPF_MAP_TYPE_HASH, keySize: 0, valueSize: 8, maxEntries: 1 });
    } catch (e) {
      err = e;
    }
    expect(isBpfSyscallError(err)).toBe(true);
    expect(err).toMatchObject({ command: "BPF_MAP_CREATE", code: "EINVAL", errno: 22 });
    expect((err as Error).message).toMatch(/^BPF_MAP_CREATE: EINVAL \(invalid argument/);
  });

  it("wrong key and value sizes are refused before the kernel reads or writes past a buffer", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_sizes", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 512, maxEntries: 4 });
    t.updateElem(m, u32le(1), new Uint8Array(512).fill(7));
    expect(() => t.updateElem(m, new Uint8Array(2), new Uint8Array(512))).toThrow(/BPF_MAP_UPDATE_ELEM: EINVAL .*key is 2 bytes, map 'kt_sizes' has 4-byte keys/);
    expect(() => t.updateElem(m, u32le(1), new Uint8Array(8))).toThrow(/value is 8 bytes, map 'kt_sizes' takes 512/);
    expect(() => t.lookupElem(m, new Uint8Array(8), 512)).toThrow(/BPF_MAP_LOOKUP_ELEM: EINVAL/);
    expect(() => t.lookupElem(m, u32le(1), 513)).toThrow(/asked for 513 bytes/);
    expect(() => t.deleteElem(m, new Uint8Array(1))).toThrow(/BPF_MAP_DELETE_ELEM: EINVAL/);
    expect(() => t.nextKey(m, new Uint8Array(3), 4)).toThrow(/BPF_MAP_GET_NEXT_KEY: EINVAL/);
    // a shorter read gets the value's prefix; the kernel's full 512-byte copy lands in scratch
    expect(t.lookupElem(m, u32le(1), 16)).toEqual(new Uint8Array(16).fill(7));
    const out = new Uint8Array(4);
    expect(t.lookupElemInto(m, u32le(1), out)).toBe(true);
    expect(out).toEqual(new Uint8Array(4).fill(7));
    // a map fd this transport did not create is sized through BPF_OBJ_GET_INFO_BY_FD
    const other = new KernelTransport();
    const foreign = other.createMap({ name: "kt_foreign", type: BPF_MAP_TYPE_HASH, keySize: 8, valueSize: 4, maxEntries: 1 });
    expect(() => t.updateElem(foreign, u32le(1), u32le(1))).toThrow(/map 'kt_foreign' has 8-byte keys/);
    other[Symbol.dispose]();
    // closed: EBADF (EINVAL should the number already hold some other, non-bpf file)
    expect(() => t.lookupElem(foreign, u64le(1n), 4)).toThrow(/BPF_MAP_LOOKUP_ELEM: (EBADF|EINVAL)/);
  });

  it("nonsense batch sizes are a typed error, not a RangeError", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_nb", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 4 });
    expect(() => t.lookupBatch(m, { keySize: 4, valueSize: 4, count: -1 })).toThrow(/calloc: EINVAL .*bad buffer length -4/);
    expect(() => t.lookupBatch(m, { keySize: 4, valueSize: 4, count: Number.NaN })).toThrow(/calloc: EINVAL/);
  });

  it("per-CPU values hold one 8-byte-aligned slot per possible CPU", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_pcpu", type: BPF_MAP_TYPE_PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
    const size = perCpuValueSize(4);
    expect(size).toBe(8 * possibleCpus());
    const v = new Uint8Array(size);
    for (let c = 0; c < possibleCpus(); c++) new DataView(v.buffer).setUint32(c * 8, 100 + c, true);
    t.updateElem(m, u32le(0), v);
    const back = t.lookupElem(m, u32le(0), size)!;
    for (let c = 0; c < possibleCpus(); c++) expect(readU32(back, c * 8)).toBe(100 + c);
  });

  it("raw bpf(cmd, attr) takes a caller-built union bpf_attr", () => {
    const attr = new Uint8Array(BPF_ATTR_SIZE);
    const v = new DataView(attr.buffer);
    const f = MAP_CREATE_ATTR.fields;
    v.setUint32(f.map_type[0], BPF_MAP_TYPE_HASH, true);
    v.setUint32(f.key_size[0], 8, true);
    v.setUint32(f.value_size[0], 8, true);
    v.setUint32(f.max_entries[0], 2, true);
    attr.set(new TextEncoder().encode("kt_raw"), f.map_name[0]);
    const fd = bpf(BPF_MAP_CREATE, attr);
    try {
      expect(mapInfo(fd)).toMatchObject({ type: BPF_MAP_TYPE_HASH, keySize: 8, name: "kt_raw" });
      using key = NativeMemory.copyOf(u64le(5n));
      using val = NativeMemory.copyOf(u64le(6n));
      const e = new Uint8Array(BPF_ATTR_SIZE);
      const ev = new DataView(e.buffer);
      ev.setUint32(MAP_ELEM_ATTR.fields.map_fd[0], fd, true);
      ev.setBigUint64(MAP_ELEM_ATTR.fields.key[0], BigInt(key.address), true);
      ev.setBigUint64(MAP_ELEM_ATTR.fields.value[0], BigInt(val.address), true);
      bpf(BPF_MAP_UPDATE_ELEM, e);
      expect(readU64(mapLookup(fd, u64le(5n), 8)!)).toBe(6n);
    } finally {
      close(fd);
    }
    expect(() => bpf(BPF_MAP_CREATE, new Uint8Array(BPF_ATTR_SIZE + 1))).toThrow(/BPF_MAP_CREATE: E2BIG/);
  });

  it("close twice is harmless; after dispose every call throws ClosedError", () => {
    const t = new KernelTransport();
    const m = t.createMap({ name: "kt_close", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    t.close(m);
    t.close(m);
    const m2 = t.createMap({ name: "kt_close2", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    t[Symbol.dispose]();
    t[Symbol.dispose]();
    expect(t.openFds()).toEqual([]);
    const calls: (() => unknown)[] = [
      () => t.createMap({ name: "x", type: 1, keySize: 4, valueSize: 4, maxEntries: 1 }),
      () => t.lookupElem(m2, u32le(0), 4),
      () => t.updateElem(m2, u32le(0), u32le(0)),
      () => t.deleteElem(m2, u32le(0)),
      () => t.nextKey(m2, undefined, 4),
      () => t.freezeMap(m2),
      () => t.mmapMap(m2, 4096),
      () => t.loadBtf(new Uint8Array(24)),
      () => t.loadProgram({ name: "p", type: 1, license: "GPL", insns: new Uint8Array(8) }),
      () => t.runProgram(3 as never),
      () => t.attachProgram(3 as never, { kind: "raw_tracepoint", name: "sys_enter" }),
    ];
    for (const c of calls) {
      let err: unknown;
      try {
        c();
      } catch (e) {
        err = e;
      }
      expect(isClosedError(err)).toBe(true);
    }
    t.close(m2 as MapFd);
  });
});
