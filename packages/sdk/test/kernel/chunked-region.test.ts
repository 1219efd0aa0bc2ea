import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { isBpfSyscallError } from "../../src/errors/index.js";
import {
  BPF_F_MMAPABLE, BPF_MAP_TYPE_ARRAY, MAP_ANONYMOUS, MAP_FIXED, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, PROT_NONE, PROT_READ,
  PROT_WRITE, close, mapCreate, mmap, munmap, viewOf,
} from "../../src/kernel/index.js";
import { BpfObject } from "../../src/loader/index.js";
import { DisposableStack } from "../../src/util/index.js";
import { fdCount, fixture } from "../loader/support.js";
import { u32le } from "./asm.js";

// Kernel facts for an arena-free mapped region (kernels that refuse BPF arenas, as this CI VM's
// does): an array of maps whose slots hold mmapable 64 KiB array chunks, created on demand after
// the programs loaded, mapped side by side into one reserved range, and reached from BPF at a
// region offset through two inlined lookups (test/fixtures/loader/chunked_region.bpf.c).
const CHUNK = 1 << 16;
const SLOTS = 1024;

describe.skipIf(requirement(rootMissing()))("an arena-free region: mmapable array chunks in an array of maps", () => {
  it("chunks added after load map side by side; BPF and user space read each other's writes in place; a hole is absent to BPF", () => {
    const before = fdCount();
    {
      using stack = new DisposableStack();
      const obj = stack.use(BpfObject.open(fixture("loader/chunked_region.bpf.o")).load());
      const outer = obj.map("region");
      // Reserve the whole region's addresses, then put chunks 0, 1 and 3 in place (2 is a hole).
      const base = mmap(0, SLOTS * CHUNK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
      stack.defer(() => munmap(base, SLOTS * CHUNK));
      for (const c of [0, 1, 3]) {
        const fd = stack.adopt(mapCreate({ name: `chunk${c}`, type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: CHUNK, maxEntries: 1, flags: BPF_F_MMAPABLE }), close);
        outer.update(c, u32le(fd));
        expect(mmap(base + c * CHUNK, CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd)).toBe(base + c * CHUNK);
        // The kernel allocates a chunk whole when it is created (memlock: the value plus a page).
        expect(Number(/memlock:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))![1])).toBeGreaterThanOrEqual(CHUNK);
      }
      // /proc/self/maps, not our bookkeeping: three shared bpf-map mappings inside the reservation.
      const inside = readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) => {
        const [lo, hi] = (l.split(" ")[0] ?? "").split("-").map((x) => parseInt(x, 16));
        return lo! >= base && hi! <= base + SLOTS * CHUNK && l.includes("bpf-map");
      });
      expect(inside.map((l) => l.split(" ")[1])).toEqual(["rw-s", "rw-s", "rw-s"]);

      const region = new DataView(viewOf(base, 4 * CHUNK));
      const rw = (off: number, op: number, val = 0n) => {
        const ctx = new Uint8Array(24);
        const v = new DataView(ctx.buffer);
        v.setUint32(0, off, true);
        v.setUint32(4, op, true);
        v.setBigUint64(8, val, true);
        const r = obj.run("region_rw", ctx);
        return { absent: r.retval === 1, out: new DataView(r.ctx!.buffer, r.ctx!.byteOffset).getBigUint64(16, true) };
      };
      for (const off of [0, 8, CHUNK - 8, CHUNK, CHUNK + 4136, 3 * CHUNK + CHUNK - 8]) {
        region.setBigUint64(off, 0x1000000000n + BigInt(off), true);
        expect(rw(off, 0)).toEqual({ absent: false, out: 0x1000000000n + BigInt(off) });
        expect(rw(off, 2, 5n).out).toBe(0x1000000005n + BigInt(off));
        expect(region.getBigUint64(off, true)).toBe(0x1000000005n + BigInt(off));
      }
      // A user write across the chunk 0/1 boundary lands half in each map.
      new Uint8Array(region.buffer, CHUNK - 4, 8).set([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(rw(CHUNK, 0).out & 0xffffffffn).toBe(0x08070605n);
      // The hole and offsets past the outer map are absent to BPF (never touched by user space:
      // reading a PROT_NONE page would kill the process).
      expect(rw(2 * CHUNK + 64, 0).absent).toBe(true);
      expect(rw(SLOTS * CHUNK, 0).absent).toBe(true);
    }
    expect(fdCount()).toBe(before);
  });

  it("a chunk of another shape than the template is refused on insert", () => {
    using obj = BpfObject.open(fixture("loader/chunked_region.bpf.o")).load();
    const outer = obj.map("region");
    for (const shape of [{ valueSize: CHUNK, maxEntries: 1, flags: 0 }, { valueSize: CHUNK, maxEntries: 2, flags: BPF_F_MMAPABLE }, { valueSize: 4096, maxEntries: 16, flags: BPF_F_MMAPABLE }]) {
      const fd = mapCreate({ name: "chunk_bad", type: BPF_MAP_TYPE_ARRAY, keySize: 4, ...shape });
      try {
        let error: unknown;
        try {
          outer.update(0, u32le(fd));
        } catch (e) {
          error = e;
        }
        expect(isBpfSyscallError(error) && error.command === "BPF_MAP_UPDATE_ELEM" && error.code === "EINVAL", `${JSON.stringify(shape)}: ${String(error)}`).toBe(true);
      } finally {
        close(fd);
      }
    }
  });

  it("a non-sleepable tp_btf program counts switches at a region offset that user space reads in place", async () => {
    using stack = new DisposableStack();
    const obj = stack.use(BpfObject.open(fixture("loader/chunked_region.bpf.o")));
    const off = CHUNK + 16;
    new DataView(obj.globals(".bss").buffer, obj.globals(".bss").byteOffset).setUint32(obj.variable("switch_off").offset, off, true);
    obj.load();
    const fd = stack.adopt(mapCreate({ name: "chunk1", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: CHUNK, maxEntries: 1, flags: BPF_F_MMAPABLE }), close);
    obj.map("region").update(1, u32le(fd));
    const at = mmap(0, CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
    stack.defer(() => munmap(at, CHUNK));
    const chunk = new DataView(viewOf(at, CHUNK));
    obj.attach();
    const start = chunk.getBigUint64(off - CHUNK, true);
    await new Promise((r) => setTimeout(r, 200)); // a 2-core machine switches tasks many times in 200 ms
    expect(chunk.getBigUint64(off - CHUNK, true)).toBeGreaterThan(start);
  });
});
