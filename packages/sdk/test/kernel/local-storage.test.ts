import { openSync, closeSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import {
  BPF_F_NO_PREALLOC, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_TASK_STORAGE, BPF_NOEXIST, KernelTransport, close, pidfdOpen,
} from "../../src/kernel/index.js";
import { intBtf, readU64, u32le, u64le } from "./asm.js";

/** ownCgroupDir is this process's cgroup v2 directory. */
function ownCgroupDir(): string {
  const mounts = readFileSync("/proc/self/mounts", "utf8").split("\n").map((l) => l.split(" "));
  const root = mounts.find((m) => m[2] === "cgroup2")![1]!;
  const path = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => l.startsWith("0::"))!.slice(3);
  return `${root}${path === "/" ? "" : path}`;
}

describe.skipIf(requirement(rootMissing()))("kernel local storage maps from user space", () => {
  it("task storage: BTF-typed, keyed by a pidfd", () => {
    using t = new KernelTransport();
    const btf = t.loadBtf(intBtf([{ name: "int", size: 4 }, { name: "long", size: 8 }]));
    const def = {
      name: "kt_task", type: BPF_MAP_TYPE_TASK_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F_NO_PREALLOC,
      btf: { fd: btf, keyTypeId: 1, valueTypeId: 2 },
    };
    const map = t.createMap(def);
    const pidfd = pidfdOpen(process.pid);
    try {
      const key = u32le(pidfd);
      expect(t.lookupElem(map, key, 8)).toBeUndefined();
      t.updateElem(map, key, u64le(0xfeedn), BPF_NOEXIST);
      expect(readU64(t.lookupElem(map, key, 8)!)).toBe(0xfeedn);
      expect(() => t.updateElem(map, key, u64le(1n), BPF_NOEXIST)).toThrow(/EEXIST/);
      expect(t.deleteElem(map, key)).toBe(true);
      expect(t.lookupElem(map, key, 8)).toBeUndefined();
      // a plain fd that is not a pidfd is refused
      expect(() => t.updateElem(map, u32le(btf), u64le(1n))).toThrow(/BPF_MAP_UPDATE_ELEM: EBADF/);
    } finally {
      close(pidfd);
    }
    // without BTF the kernel refuses local storage maps
    expect(() => t.createMap({ ...def, btf: undefined })).toThrow(/BPF_MAP_CREATE: EINVAL/);
  });

  it("cgroup storage: keyed by a cgroup directory fd", () => {
    using t = new KernelTransport();
    const btf = t.loadBtf(intBtf([{ name: "int", size: 4 }, { name: "long", size: 8 }]));
    const map = t.createMap({
      name: "kt_cgrp", type: BPF_MAP_TYPE_CGRP_STORAGE, keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F_NO_PREALLOC,
      btf: { fd: btf, keyTypeId: 1, valueTypeId: 2 },
    });
    const cg = openSync(ownCgroupDir(), "r");
    try {
      t.updateElem(map, u32le(cg), u64le(42n));
      expect(readU64(t.lookupElem(map, u32le(cg), 8)!)).toBe(42n);
    } finally {
      closeSync(cg);
    }
  });
});
