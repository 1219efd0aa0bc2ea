import { mkdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalStorage } from "@bpf-skel/sdk/storage";
import { MappedStorage } from "@bpf-skel/sdk/storage/kernel";
import { itArena } from "../support/arena.js";
import { clang19Missing, requirement, rootMissing } from "../support/env.js";
import { CgrpCtx } from "./generated/cgrp-ctx.js";
import { loadFixture } from "./support/fixture-loader.js";
import { FIXTURES } from "./support/harness.js";

/** cgroup2Root finds a mounted cgroup v2 hierarchy (bpf_cgroup_from_id looks ids up there). */
function cgroup2Root(): string | undefined {
  const line = readFileSync("/proc/mounts", "utf8").split("\n").find((l) => l.split(" ")[2] === "cgroup2");
  return line?.split(" ")[1];
}
const cgroup2Missing = () => (cgroup2Root() === undefined ? "no cgroup2 hierarchy mounted" : undefined);

// Mapped cgroup storage: an entry keyed by cgroup id, created through bpf_cgroup_from_id +
// skel_cgrp_storage_get, read in place, and freed by the library's tp_btf/cgroup_rmdir hook.
describe.skipIf(requirement(rootMissing()) || requirement(clang19Missing()) || requirement(cgroup2Missing()))("mapped cgroup storage on the kernel", () => {
  itArena("creates an entry per cgroup id and frees it at rmdir", () => {
    using f = loadFixture(join(FIXTURES, "cgrp_ctx.bpf.o"));
    using driver = new MappedStorage(f.storage, { refillIntervalMs: 0 });
    using storage: LocalStorage<CgrpCtx, "cgrp_ctx_stor"> = driver.open("cgrp_ctx_stor", CgrpCtx);
    expect(storage.owner).toBe("cgroup");
    f.attachAll();
    const dirs = [0, 1, 2].map((i) => join(cgroup2Root()!, `bskel-test-${process.pid}-${i}`));
    const ids: number[] = [];
    try {
      for (const [i, d] of dirs.entries()) {
        mkdirSync(d);
        const id = statSync(d).ino; // kernfs node id == cgroup id on 64-bit
        ids.push(id);
        const args = new Uint8Array(16);
        const v = new DataView(args.buffer);
        v.setBigUint64(0, BigInt(id), true);
        v.setUint32(8, 100 + i, true);
        for (let touch = 0; touch <= i; touch++) {
          const r = f.transport.runProgram(f.programs.get("cgrp_touch")!, { ctx: args });
          expect(new DataView(r.ctx!.buffer, r.ctx!.byteOffset).getInt32(12, true)).toBe(0);
        }
      }
      for (const [i, id] of ids.entries()) {
        const c = storage.get(id);
        expect(c, `cgroup ${id}`).toBeDefined();
        expect(c!.cgid).toBe(BigInt(id));
        expect(c!.weight).toBe(100 + i);
        expect(c!.touches).toBe(BigInt(i + 1));
      }
      expect(storage.owners().sort()).toEqual([...ids].sort());
    } finally {
      for (const d of dirs) {
        try {
          rmdirSync(d);
        } catch {
          /* not created */
        }
      }
    }
    for (const id of ids) expect(storage.has(id), `entry of removed cgroup ${id}`).toBe(false);
    expect(storage.size).toBe(0);
    expect(Number(storage.region.header.counters.frees)).toBe(ids.length);
  });
});
