import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, SimKernel } from "@bpf-skel/runtime-sim";
import { LocalStorage } from "@bpf-skel/sdk/storage";
import { CgrpCtx, TaskCtx } from "../../sdk/test/storage/generated/values.js";
import { clang19Missing, clangPath, requirement } from "../../../test/support/env.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const include = resolve(here, "../../sdk/include/bpf-skel");

describe.skipIf(requirement(clang19Missing()))("the simulator's region read by C through storage-layout.h", () => {
  it("C sees the same maps, owners, generations and values as the TypeScript reader", () => {
    const k = new SimKernel({ arenaPages: 2048 });
    const tasks = k.defineStorage("task_ctx_stor", "task", TaskCtx);
    const cgroups = k.defineStorage("cgrp_ctx_stor", "cgroup", CgrpCtx);
    const ts = Array.from({ length: 3000 }, (_, i) => k.createTask({ comm: `t${i}` }));
    k.run(true, () => ts.forEach((t) => (tasks.get(t, CREATE)!.force_local = t.pid % 2 === 1)));
    ts.forEach((t, i) => {
      if (i % 4 === 0) k.exitTask(t);
    });
    k.run(true, () => ts.filter((t) => t.alive).forEach((t) => (tasks.get(t)!.load = BigInt(t.pid) * 1000n)));
    for (let i = 0; i < 50; i++) cgroups.get(k.createCgroup(`c${i}`), CREATE)!.weight_sum = BigInt(i);
    k.region.trim();
    k.region.trim();

    const mapping = { buffer: k.arena.buffer, address: 0n, length: k.arena.buffer.byteLength, closed: false, [Symbol.dispose]() {} };
    const expected: string[] = [];
    const h = k.region;
    expected.push(`header 1 ${h.hwmPages} ${h.presentPages} 2`);
    const readers = [LocalStorage.open(mapping, "task_ctx_stor", TaskCtx, { regionPage: 1 }), LocalStorage.open(mapping, "cgrp_ctx_stor", CgrpCtx, { regionPage: 1 })] as const;
    const slabs: string[] = [];
    readers.forEach((r, m) => {
      expected.push(`map ${m} ${r.name} ${m + 1} ${r.info.valueSize} ${r.size}`);
      for (const owner of [...r.owners()].sort((a, b) => a - b)) {
        const handle = r.handle(owner)!;
        const gen = handle % 2 ** 24;
        const v = r.get(owner)!;
        const first = new DataView(v.$view.buffer).getBigUint64(v.$offset, true);
        expected.push(`entry ${m} ${owner} ${gen} ${first}`);
        slabs.push(`slab ${m} ${owner}`);
      }
    });
    const dir = mkdtempSync(join(tmpdir(), "bskel-walk-"));
    try {
      const region = new Uint8Array(k.arena.buffer, 4096, h.hwmPages * 4096);
      writeFileSync(join(dir, "region.bin"), region);
      execFileSync(clangPath(), ["-std=c11", "-Wall", "-Werror", "-O1", `-I${include}`, join(here, "c/walk-region.c"), "-o", join(dir, "walk")]);
      const out = execFileSync(join(dir, "walk"), [join(dir, "region.bin")], { encoding: "utf8" }).trim().split("\n");
      expect(out.filter((l) => !l.startsWith("slab "))).toEqual(expected);
      expect(out.filter((l) => l.startsWith("slab ")).sort()).toEqual(slabs.sort());
      expect(expected.length).toBeGreaterThan(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
