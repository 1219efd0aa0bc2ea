import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { balance } from "../src/balancer.js";
import { repo, workspace } from "../src/workspace.js";

const imbalance = (l: bigint[]): number => {
  const total = l.reduce((a, b) => a + b, 0n);
  const max = l.reduce((a, b) => (b > a ? b : a));
  const min = l.reduce((a, b) => (b < a ? b : a));
  return Number(max - min) / Number(total);
};

describe("atropos-style balancer", () => {
  const dir = workspace();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("moves load out of the busy domain through mapped storage, and BPF applies the moves", async () => {
    const r = await balance(dir, { tasks: 12, rounds: 4, seed: 7 }, () => {});
    const start = imbalance(r.loads[0]!);
    const end = imbalance(r.loads.at(-1)!);
    expect(start).toBeGreaterThan(0.4); // odd pids are busy and start together
    expect(end).toBeLessThan(0.1);
    const moves = r.moves.flat();
    expect(moves.length).toBeGreaterThan(0);
    // Every requested move happened on the BPF side; user space sees the same domain.
    const moved = new Map<number, number>();
    for (const m of moves) moved.set(m.pid, (moved.get(m.pid) ?? 0) + 1);
    for (const [pid, [userDom, kernelDom, migrations]] of r.doms) {
      expect(userDom).toBe(kernelDom);
      expect(migrations).toBe(moved.get(pid) ?? 0);
    }
    const last = new Map(moves.map((m) => [m.pid, m.to]));
    for (const [pid, to] of last) expect(r.doms.get(pid)![1]).toBe(to);
  });

  it("different seeds and sizes still converge", async () => {
    for (const seed of [1, 2, 3]) {
      const r = await balance(dir, { tasks: 40, rounds: 6, seed, maxMoves: 4 }, () => {});
      expect(imbalance(r.loads.at(-1)!)).toBeLessThan(imbalance(r.loads[0]!));
      expect(imbalance(r.loads.at(-1)!)).toBeLessThan(0.15);
    }
  });

  it("npm run example:balancer's program (built) prints its rounds", () => {
    const js = join(repo, "examples/dist/balancer.js");
    expect(existsSync(js), "examples/dist/balancer.js missing: run npx tsc -b").toBe(true);
    const out = execFileSync(process.execPath, [js], { encoding: "utf8", cwd: repo });
    expect(out).toMatch(/^balancer: 12 tasks, 2 domains/);
    expect(out.match(/^round \d: dom0 +[\d.]+%  dom1 +[\d.]+%/gm)?.length).toBe(4);
    const after = /^after: +dom0 +([\d.]+)%  dom1 +([\d.]+)%  \((\d+) migrations/m.exec(out);
    expect(after).not.toBeNull();
    expect(Math.abs(Number(after![1]) - Number(after![2]))).toBeLessThan(10);
  });
});
