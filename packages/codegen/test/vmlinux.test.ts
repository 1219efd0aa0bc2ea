import type { Btf } from "@bpf-skel/sdk";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { generateAccessors } from "../src/index.js";
import { root } from "./fixture-list.js";
import { loadFixture } from "./load.js";

// The generator on the running kernel's BTF: every named struct and union must generate,
// and task_struct's module (a few hundred types) must type-check.

const VMLINUX = "/sys/kernel/btf/vmlinux";

describe.skipIf(!existsSync(VMLINUX))("accessors from /sys/kernel/btf/vmlinux", () => {
  let btf: Btf;
  beforeAll(async () => {
    btf = await loadFixture(VMLINUX);
  });

  it("generates every named struct and union", { timeout: 300_000 }, () => {
    const names = new Set<string>();
    for (const t of btf.types) if ((t.kind === "struct" || t.kind === "union") && t.name) names.add(`${t.kind} ${t.name}`);
    expect(names.size).toBeGreaterThan(1000);
    const out = generateAccessors(btf, { types: [...names], input: "vmlinux", source: "raw BTF" });
    expect((out.match(/^export class /gm) ?? []).length).toBeGreaterThanOrEqual(names.size);
  });

  it("task_struct's module type-checks under strict options", { timeout: 300_000 }, () => {
    const out = generateAccessors(btf, { types: ["task_struct"], input: "vmlinux", source: "raw BTF" });
    expect(out).toContain("export class TaskStruct extends StructView");
    const dir = resolve(root, ".tmp", "vmlinux");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "task_struct.ts");
    writeFileSync(file, out);
    const program = ts.createProgram([file], {
      strict: true,
      noUnusedLocals: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      baseUrl: root,
      // Generated code imports only the views runtime; checking against it alone keeps this fast.
      paths: { "@bpf-skel/sdk": ["packages/sdk/src/views/index.ts"] },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file !== undefined && resolve(d.file.fileName) === file);
    expect(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" })).toBe("");
  });
});
