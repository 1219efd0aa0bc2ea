import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/index.js";
import { root } from "./fixture-list.js";

const fixture = resolve(root, "test/fixtures/accessors/task_ctx.bpf.o");

describe("bpf-skel gen", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpf-skel-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
    try {
      return { code: await main(["node", "bpf-skel", ...args]), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it("writes OUT.ts matching the golden", async () => {
    const r = await run("gen", fixture, "--type", "task_ctx", "-o", join(dir, "task_ctx"));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "task_ctx.ts"), "utf8")).toBe(
      readFileSync(resolve(root, "packages/codegen/test/golden/task_ctx.ts"), "utf8"),
    );
  });

  it("--target js writes OUT.js and OUT.d.ts", async () => {
    const r = await run("gen", fixture, "-t", "task_ctx", "-o", join(dir, "js", "..", "ctx.ts"), "--target", "js");
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "ctx.js"), "utf8")).toContain("export class TaskCtx extends StructView");
    expect(readFileSync(join(dir, "ctx.d.ts"), "utf8")).toContain("get force_local(): boolean;");
    expect(existsSync(join(dir, "ctx.ts"))).toBe(false);
  });

  it("--import sets the module generated code imports from", async () => {
    const r = await run("gen", fixture, "-t", "task_ctx", "--import", "../../views/index.js", "-o", join(dir, "imp"));
    expect(r.code).toBe(0);
    const golden = readFileSync(resolve(root, "packages/codegen/test/golden/task_ctx.ts"), "utf8");
    const out = readFileSync(join(dir, "imp.ts"), "utf8");
    expect(out).toContain('from "../../views/index.js";');
    expect(out.replace('from "../../views/index.js";', 'from "@bpf-skel/sdk";')).toBe(golden);
  });

  it("exits 1 with the typed error for bad input, 2 for usage errors", async () => {
    const missing = await run("gen", fixture, "--type", "no_such_type", "-o", join(dir, "x"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no struct, union, enum or typedef named 'no_such_type' \(task_ctx\.bpf\.o\)/);
    const noFile = await run("gen", join(dir, "nope.bpf.o"), "--type", "x");
    expect(noFile.code).toBe(1);
    const notBtf = await run("gen", resolve(root, "package.json"), "--type", "x");
    expect(notBtf.code).toBe(1);
    expect(notBtf.err).toMatch(/package\.json/);
    const noType = await run("gen", fixture);
    expect(noType.code).toBe(1); // an object declares no storage, so it needs --type
    expect(noType.err).toMatch(/no --type given and the input declares no storage \(task_ctx\.bpf\.o\)/);
    expect((await run("gen", fixture, "--type", "x", "--target", "rust")).code).toBe(2);
  });
});
