import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clang19Missing, requirement, rootMissing } from "../support/env.js";
import { loadFixture } from "./support/fixture-loader.js";

const fixture = join(import.meta.dirname, "../fixtures/storage-kernel/task_ctx.bpf.o");

// Every program storage.bpf.h generates, plus the fixture's own, must pass the 6.18 verifier.
describe.skipIf(requirement(rootMissing()) || requirement(clang19Missing()))("storage.bpf.h on the verifier", () => {
  it("loads every program of the task_ctx fixture", () => {
    using f = loadFixture(fixture);
    expect([...f.programs.keys()].sort()).toEqual([
      "bench_get", "bskel_init", "bskel_refill", "on_exec", "on_switch", "task_ctx_stor__bskel_exit", "task_ctx_stor__bskel_reg",
    ]);
    expect(f.mapDefs.get("bskel_arena")).toMatchObject({ type: 33, mapExtra: 1n << 44n });
    expect(f.arena.address).toBe(1n << 44n);
  });
});
