import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MappedStorage } from "@bpf-skel/sdk/storage/kernel";
import { itArena } from "../support/arena.js";
import { clang19Missing, requirement, rootMissing } from "../support/env.js";
import { ProcCtx } from "./generated/proc-ctx.js";
import { loadFixture } from "./support/fixture-loader.js";
import { FIXTURES, SYNTH_BASE } from "./support/harness.js";

// With `__arena` globals the loader copies .addr_space.1 to arena offset 0, so the region
// starts at page region_pgoff = 1: the header says so, the reader opens there, and the
// globals (BPF reads and writes them through the same arena) are left intact.
describe.skipIf(requirement(rootMissing()) || requirement(clang19Missing()))("mapped storage after arena globals", () => {
  itArena("places the region after .addr_space.1 and keeps the globals", () => {
    using f = loadFixture(join(FIXTURES, "arena_globals.bpf.o"));
    expect(f.storage.regionPage).toBe(1);
    using driver = new MappedStorage(f.storage, { refillIntervalMs: 0 });
    using storage = driver.open("proc_ctx_stor", ProcCtx);
    expect(storage.region.header.region_pgoff).toBe(1);
    const globals = new BigUint64Array(f.arena.buffer, 0, 2);
    expect(globals[0]).toBe(7n); // global_hits' initial value survived init
    for (let i = 0; i < 3; i++) {
      const args = new Uint8Array(16);
      const v = new DataView(args.buffer);
      v.setUint32(0, SYNTH_BASE + i, true);
      v.setBigUint64(8, BigInt(1000 + i), true);
      expect(f.object.run("put_owner", { ctx: args }).retval).toBe(0);
    }
    expect(globals[0]).toBe(10n);
    expect(globals[1]).toBe(BigInt(SYNTH_BASE + 2));
    for (let i = 0; i < 3; i++) {
      const p = storage.get(SYNTH_BASE + i)!;
      expect(p.value).toBe(BigInt(1000 + i));
      expect(p.owner).toBe(SYNTH_BASE + i);
    }
    expect(storage.size).toBe(3);
  });
});
