import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE } from "@bpf-skel/runtime-sim";
import { storageClass } from "@bpf-skel/sdk/storage";
import { CgrpCtx, TaskCtx } from "./generated/values.js";
import { simStorage } from "./harness.js";

// What bpf-skel gen emits for `"storage": [{ "name": "task_ctx_stor", "owner": "task", "value": "task_ctx" }]`.
class TaskCtxStorStorage extends storageClass("task_ctx_stor", "task", TaskCtx) {}
class CgrpCtxStorStorage extends storageClass("cgrp_ctx_stor", "cgroup", CgrpCtx) {}

describe("generated storage wrappers (storageClass)", () => {
  it("open a map by its declaration and read typed values", () => {
    const s = simStorage();
    using tasks = TaskCtxStorStorage.from(s.mapping, { regionPage: 1 });
    using cgroups = CgrpCtxStorStorage.from(s.mapping, { regionPage: 1 });
    const t = s.kernel.createTask();
    s.tasks.get(t, CREATE)!.load = 3n;
    const v: TaskCtx | undefined = tasks.get(t.pid);
    expect(v?.load).toBe(3n);
    const h = tasks.handle(t.pid)!;
    expect(tasks.at(h).load).toBe(3n);
    expect([...tasks].map(([pid]) => pid)).toEqual([t.pid]);
    expect(cgroups.size).toBe(0);
    expect(TaskCtxStorStorage.mapName).toBe("task_ctx_stor");
    expect(TaskCtxStorStorage.value).toBe(TaskCtx);
  });

  it("refuses a wrapper whose owner kind differs from the map's", () => {
    const s = simStorage();
    const Wrong = storageClass("task_ctx_stor", "cgroup", TaskCtx);
    expect(() => Wrong.from(s.mapping, { regionPage: 1 })).toThrow(/keyed by task/);
  });

  it("handles of one map do not type-check on another", () => {
    const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");
    const dir = mkdtempSync(join(root, ".tmp-brand-"));
    try {
      const file = join(dir, "brand.ts");
      writeFileSync(
        file,
        `import { storageClass, type ViewClass } from "${join(root, "packages/sdk/src/storage/index.js")}";\n` +
          `declare const V: ViewClass<{ x: number }>;\n` +
          `class A extends storageClass("a_stor", "task", V) {}\n` +
          `class B extends storageClass("b_stor", "task", V) {}\n` +
          `declare const a: A; declare const b: B;\n` +
          `const h = a.handle(1)!;\n` +
          `a.at(h);\n` +
          `b.at(h);\n` +
          `b.at(42);\n`,
      );
      const program = ts.createProgram([file], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"], skipLibCheck: true, types: [] });
      const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
      const lines = diags.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
      expect(lines).toEqual([8, 9]); // b.at(a's handle) and b.at(a plain number); a.at(h) is fine
      expect(ts.flattenDiagnosticMessageText(diags[0]!.messageText, "\n")).toMatch(/a_stor.*b_stor|b_stor.*a_stor/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
