import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { itArena } from "../support/arena.js";
import { clang19Missing, requirement, rootMissing } from "../support/env.js";
import { loadFixture } from "./support/fixture-loader.js";

const fixture = join(import.meta.dirname, "../fixtures/storage-kernel/task_ctx.bpf.o");

// Every program storage.bpf.h generates, plus the fixture's own, must pass the 6.18 verifier.
describe.skipIf(requirement(rootMissing()) || requirement(clang19Missing()))("storage.bpf.h on the verifier", () => {
  itArena("loads every program of the task_ctx fixture", () => {
    using f = loadFixture(fixture);
    expect([...f.programs.keys()].sort()).toEqual([
      "bench_get", "bskel_init", "bskel_refill", "depopulate", "on_exec", "on_switch", "populate", "task_ctx_stor__bskel_exit",
      "task_ctx_stor__bskel_reg",
    ]);
    expect(f.mapDefs.get("bskel_arena")).toMatchObject({ type: 33, mapExtra: 0n });
    // map_extra 0: the kernel picks the address — page aligned, and never crossing a 4 GiB boundary.
    const start = f.arena.address;
    const end = start + BigInt(f.arena.length) - 1n;
    expect(start > 0n && start % 4096n === 0n).toBe(true);
    expect(start >> 32n).toBe(end >> 32n);
  });

  itArena("loads every program of the cgrp_ctx fixture (cgroup storage, rmdir hook, kfunc cgroup lookup)", () => {
    using f = loadFixture(join(import.meta.dirname, "../fixtures/storage-kernel/cgrp_ctx.bpf.o"));
    expect([...f.programs.keys()].sort()).toEqual(["bskel_init", "bskel_refill", "cgrp_ctx_stor__bskel_reg", "cgrp_ctx_stor__bskel_rmdir", "cgrp_touch"]);
    expect(f.mapDefs.get("cgrp_ctx_stor")).toMatchObject({ type: 32, keySize: 4, valueSize: 24 });
  });
});
