import { existsSync, readFileSync, readdirSync, unlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { itArena } from "../../../../test/support/arena.js";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { parseBtf } from "../../src/btf/parse.js";
import type { BtfComposite } from "../../src/btf/types.js";
import { isBpfSyscallError } from "../../src/errors/index.js";
import {
  BPF_F_MMAPABLE, BPF_F_SLEEPABLE, BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_ARRAY, BPF_PROG_TYPE_SYSCALL,
  BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, BPFFS, KernelTransport, isMounted, objInfo,
} from "../../src/kernel/index.js";
import type { BtfFd } from "../../src/transport/transport.js";
import {
  add64Imm, addrSpaceCast, assemble, call, exit, intBtf, jeqImm, ldImm64, ldMapValue, ldxMem, mov64Imm, mov64Reg, readU32, size,
  stxMem, u32le,
} from "./asm.js";

/** tinyBtf builds raw BTF with one type: `int` (4 bytes, signed, `bits` wide). */
const tinyBtf = (bits = 32): Uint8Array => intBtf([{ name: "int", size: 4, bits }]);

const vmlinux = () => parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")), { input: "vmlinux" });

describe.skipIf(requirement(rootMissing()))("kernel objects", () => {
  it("BTF_LOAD of a hand-built blob; a map uses its type ids", () => {
    using t = new KernelTransport();
    const blob = tinyBtf();
    const btf = t.loadBtf(blob);
    // struct bpf_btf_info: btf_size at 8
    expect(objInfo(btf, 32).getUint32(8, true)).toBe(blob.length);
    const m = t.createMap({
      name: "kt_btf", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1,
      btf: { fd: btf as BtfFd, keyTypeId: 1, valueTypeId: 1 },
    });
    expect(t.mapInfo(m).btfId).toBeGreaterThan(0);
    // the kernel checks the value type's size against value_size
    expect(() =>
      t.createMap({ name: "kt_btf2", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, btf: { fd: btf, keyTypeId: 1, valueTypeId: 1 } }),
    ).toThrow(/BPF_MAP_CREATE: EINVAL/);
  });

  it("bad BTF fails with the kernel's BTF log in the error", () => {
    using t = new KernelTransport();
    let err: unknown;
    try {
      t.loadBtf(tinyBtf(33)); // 33 bits do not fit a 4-byte int
    } catch (e) {
      err = e;
    }
    expect(isBpfSyscallError(err)).toBe(true);
    expect((err as Error).message).toMatch(/^BPF_BTF_LOAD: EINVAL .*btf log: /);
    expect((err as { log: string }).log).toMatch(/nr_bits|size/);
    expect(t.openFds()).toEqual([]);
  });

  itArena("arena: create with map_extra, mmap there, write from user space, read and write from BPF", () => {
    using t = new KernelTransport();
    const pages = 16;
    const address = 1n << 44n;
    const arena = t.createMap({
      name: "kt_arena", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: pages,
      flags: BPF_F_MMAPABLE, mapExtra: address,
    });
    expect(t.mapInfo(arena).mapExtra).toBe(address);
    using region = t.mmapMap(arena, pages * 4096, { address });
    expect(region.address).toBe(address);
    const start = address.toString(16);
    const end = (address + BigInt(pages * 4096)).toString(16);
    expect(readFileSync("/proc/self/maps", "utf8")).toContain(`${start}-${end} rw-s`);

    const u32 = new Uint32Array(region.buffer);
    u32[0] = 1234; // user space faults the first page in
    // BPF: p = arena + 0 (cast to kernel space); p[1] = p[0] + 1; return p[1]
    const prog = t.loadProgram({
      name: "kt_arena_rw", type: BPF_PROG_TYPE_SYSCALL, flags: BPF_F_SLEEPABLE, license: "GPL",
      insns: assemble(
        ldMapValue(1, arena, 0), addrSpaceCast(1, 1), ldxMem(size.W, 2, 1, 0), add64Imm(2, 1),
        stxMem(size.W, 1, 2, 4), mov64Reg(0, 2), exit(),
      ),
    });
    expect(t.runProgram(prog).retval).toBe(1235);
    expect(u32[1]).toBe(1235);
    // a second mapping at the same address must not clobber the first
    expect(() => t.mmapMap(arena, pages * 4096, { address })).toThrow(/mmap: E/);
  });

  itArena("fd_array_cnt binds maps no instruction references (an arena for addr_space_cast)", () => {
    using t = new KernelTransport();
    const address = 5n << 44n;
    const arena = t.createMap({
      name: "kt_bind", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 4, flags: BPF_F_MMAPABLE, mapExtra: address,
    });
    using region = t.mmapMap(arena, 4 * 4096, { address });
    new Uint32Array(region.buffer)[2] = 99;
    // r1 = user address of arena[8] (a plain number: no map reference); cast it; return *r1
    const insns = assemble(
      ldImm64(1, 0, Number(address & 0xffffffffn) + 8, Number(address >> 32n)), addrSpaceCast(1, 1), ldxMem(size.W, 0, 1, 0), exit(),
    );
    const def = { name: "kt_bind", type: BPF_PROG_TYPE_SYSCALL, flags: BPF_F_SLEEPABLE, license: "GPL", insns, fdArray: [arena] };
    expect(() => t.loadProgram(def)).toThrow(/associated arena/);
    const prog = t.loadProgram({ ...def, bindFdArray: true });
    expect(t.runProgram(prog).retval).toBe(99);
    // struct bpf_prog_info: nr_map_ids at 52
    expect(objInfo(prog, 232).getUint32(52, true)).toBe(1);
  });

  itArena("a 4 GiB arena (the kernel's largest) maps whole and its view spans all of it", () => {
    using t = new KernelTransport();
    const pages = 1 << 20;
    const address = 3n << 44n;
    const arena = t.createMap({
      name: "kt_arena4g", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: pages, flags: BPF_F_MMAPABLE, mapExtra: address,
    });
    using region = t.mmapMap(arena, pages * 4096, { address });
    expect(region.buffer.byteLength).toBe(2 ** 32);
    const bytes = new Uint8Array(region.buffer);
    bytes[2 ** 32 - 1] = 0xab; // faults in the last page only
    expect(bytes[2 ** 32 - 1]).toBe(0xab);
    expect(() => t.createMap({
      name: "kt_arena_big", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: pages + 1, flags: BPF_F_MMAPABLE,
    })).toThrow(/BPF_MAP_CREATE: E/);
  });

  it("a map pinned in bpffs is the same map when opened again", () => {
    using t = new KernelTransport();
    const m = t.createMap({ name: "kt_pin", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 });
    const path = `${BPFFS}/bpf_skel_test_${process.pid}`;
    t.pin(m, path);
    try {
      expect(isMounted(BPFFS, "bpf")).toBe(true);
      expect(existsSync(path)).toBe(true);
      const again = t.getPinnedMap(path);
      expect(t.mapInfo(again).id).toBe(t.mapInfo(m).id);
      t.updateElem(again, u32le(1), u32le(77));
      expect(readU32(t.lookupElem(m, u32le(1), 4)!)).toBe(77);
      t.close(again);
    } finally {
      unlinkSync(path);
    }
    expect(existsSync(path)).toBe(false);
    expect(() => t.getPinnedMap(path)).toThrow(/BPF_OBJ_GET: ENOENT/);
    // a pinned program is not a map
    const prog = t.loadProgram({ name: "kt_pinp", type: BPF_PROG_TYPE_SYSCALL, flags: BPF_F_SLEEPABLE, license: "GPL", insns: assemble(mov64Imm(0, 0), exit()) });
    t.pin(prog, path);
    try {
      const before = t.openFds().length;
      expect(() => t.getPinnedMap(path)).toThrow(/pinned object is not a map/);
      expect(t.openFds().length).toBe(before);
    } finally {
      unlinkSync(path);
    }
  });

  it("iter/task: an iterator program prints the tasks' pids; read to completion", () => {
    using t = new KernelTransport();
    const btf = vmlinux();
    const target = btf.find("bpf_iter_task", "func")!;
    const task = btf.find("task_struct", "struct") as BtfComposite;
    const pidOff = task.members.find((m) => m.name === "pid")!.bitOffset / 8;
    const prog = t.loadProgram({
      name: "kt_iter", type: BPF_PROG_TYPE_TRACING, expectedAttachType: BPF_TRACE_ITER, attachBtfId: target.id, license: "GPL",
      insns: assemble(
        ldxMem(size.DW, 6, 1, 0), // meta
        ldxMem(size.DW, 7, 1, 8), // task
        jeqImm(7, 0, 7),
        ldxMem(size.W, 2, 7, pidOff),
        stxMem(size.W, 10, 2, -4),
        ldxMem(size.DW, 1, 6, 0), // meta->seq
        mov64Reg(2, 10),
        add64Imm(2, -4),
        mov64Imm(3, 4),
        call(127), // bpf_seq_write
        mov64Imm(0, 0),
        exit(),
      ),
    });
    const link = t.attachProgram(prog, { kind: "iter" });
    const out = t.readIterator(link);
    expect(out.length % 4).toBe(0);
    const pids = new Set(new Uint32Array(out.buffer, out.byteOffset, out.length / 4));
    // our threads and our parent are walked; so are (nearly) all processes /proc lists right now
    expect(pids.has(process.ppid)).toBe(true);
    const procs = readdirSync("/proc").filter((p) => /^[0-9]+$/.test(p)).map(Number);
    expect(procs.filter((p) => pids.has(p)).length).toBeGreaterThanOrEqual(Math.floor(procs.length * 0.9));
    for (const tid of readdirSync("/proc/self/task")) expect(pids.has(Number(tid))).toBe(true);
    // each BPF_ITER_CREATE is a fresh walk
    expect(t.readIterator(link).length).toBeGreaterThan(0);
  });
});
