import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { storageStep, TASKS } from "../src/storage-demo.js";
import { repo, workspace } from "../src/workspace.js";

describe("main demo", () => {
  const dir = workspace();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("storage step: what the wrapper reads is what the simulated kernel holds", async () => {
    const lines: string[] = [];
    const r = await storageStep(dir, (l) => lines.push(l));
    // Every live task's record, read in place through the generated wrapper, equals the BPF side's view.
    expect([...r.read.keys()].sort((a, b) => a - b)).toEqual([...r.kernel.keys()].sort((a, b) => a - b));
    for (const [pid, rec] of r.read) expect(rec).toEqual(r.kernel.get(pid));
    expect(r.read.size).toBe(TASKS.length);
    for (const [i, t] of TASKS.entries()) {
      const rec = [...r.read.values()][i] as { comm: string; weight: number; runtime_ns: string };
      expect(rec.comm).toBe(t.comm);
      expect(rec.weight).toBe(t.weight);
      expect(BigInt(rec.runtime_ns)).toBe(BigInt((i + 1) * 6) * 1_000_000n); // 1+2+3 rounds of (i+1) ms
    }
    expect(r.staleError).toMatch(/freed or reused entry/);
    expect(r.stats.liveEntries).toBe(TASKS.length - 1);
    expect(r.stats.presentPages).toBeGreaterThan(0);
    expect(r.stats.bytesPerLiveEntry).toBe((r.stats.presentPages * 4096) / (TASKS.length - 1));
    expect(lines.some((l) => l.includes(`get(${r.exitedPid}) → undefined`))).toBe(true);
  });

  it("npm start's program (built) prints both steps in about 30 lines", () => {
    const js = join(repo, "examples/dist/demo.js");
    expect(existsSync(js), "examples/dist/demo.js missing: run npx tsc -b").toBe(true);
    const out = execFileSync(process.execPath, [js], { encoding: "utf8", cwd: repo });
    const lines = out.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(32);
    expect(out).toContain('record: TaskCtx { force_local: true, cpumask: \'0xffff888012345678\' }');
    expect(out).toContain("bytes:  0100000000000000785634128088ffff");
    // The table: one row per live task, comm and weight as spawned.
    for (const t of TASKS) expect(out).toMatch(new RegExp(`^\\s+\\d+\\s+${t.comm}\\s+${t.weight}\\s`, "m"));
    expect(out).toMatch(/at\(handle\) → StaleHandleError: handle names a freed or reused entry/);
    expect(out).toMatch(new RegExp(`stats: ${TASKS.length - 1} live entries, \\d+ present pages .* bytes per entry, epoch \\d+`));
  });
});
