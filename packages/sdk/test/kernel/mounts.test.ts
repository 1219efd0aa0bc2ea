import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { BPF_MAP_TYPE_ARRAY, KernelTransport, ensureMounted, isMounted, objGet, close } from "../../src/kernel/index.js";

const mountsAt = (dir: string) =>
  readFileSync("/proc/self/mounts", "utf8").split("\n").filter((l) => l.split(" ")[1] === dir).length;

describe.skipIf(requirement(rootMissing()))("filesystem mounts", () => {
  it("ensureMounted mounts a bpffs once, and pins work on it", () => {
    const dir = mkdtempSync(join(tmpdir(), "bpf-skel-fs-"));
    try {
      expect(isMounted(dir, "bpf")).toBe(false);
      ensureMounted(dir, "bpf");
      ensureMounted(dir, "bpf");
      expect(isMounted(dir, "bpf")).toBe(true);
      expect(mountsAt(dir)).toBe(1);
      using t = new KernelTransport();
      const m = t.createMap({ name: "kt_fs", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1 });
      t.pin(m, join(dir, "m"));
      const fd = objGet(join(dir, "m"));
      expect(t.mapInfo(fd as never).id).toBe(t.mapInfo(m).id);
      close(fd);
      unlinkSync(join(dir, "m"));
    } finally {
      if (existsSync(dir)) {
        while (mountsAt(dir) > 0) execFileSync("umount", [dir]);
        rmdirSync(dir);
      }
    }
  });
});
