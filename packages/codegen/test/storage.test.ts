import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { BPF_F_MMAPABLE, BPF_LOCAL_STORAGE_GET_F_CREATE as CREATE, BPF_MAP_TYPE_ARENA, SimKernel, SimTransport } from "@bpf-skel/runtime-sim";
import { LayoutError, StaleHandleError } from "@bpf-skel/sdk";
import { generateAccessors, toJavaScript } from "../src/index.js";
import { root } from "./fixture-list.js";
import { CgrpCtx, CgrpCtxStorStorage, TaskCtx, TaskCtxStorStorage, type TaskCtxStorHandle } from "./golden/storage.js";
import { loadFixtureTypes } from "./load.js";

// The generated storage wrappers (golden/storage.ts, from test/fixtures/accessors/storage.json)
// used as a sim-only user would: the simulator's "BPF code" writes, the wrapper reads.

function sim() {
  const kernel = new SimKernel({ arenaPages: 1024 });
  const transport = new SimTransport(kernel);
  const arena = transport.createMap({ name: "arena", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 1024, flags: BPF_F_MMAPABLE });
  const taskMap = kernel.defineStorage("task_ctx_stor", "task", TaskCtx);
  const cgrpMap = kernel.defineStorage("cgrp_ctx_stor", "cgroup", CgrpCtx);
  const mapping = transport.mmapMap(arena, 1024 * 4096);
  return { kernel, transport, taskMap, cgrpMap, mapping };
}

describe("generated storage wrappers over the simulator", () => {
  it("read what BPF code wrote: get, handle, at, iteration, readConsistent, stats", () => {
    const { kernel, taskMap, cgrpMap, mapping } = sim();
    const cg = kernel.createCgroup("work");
    const tasks = Array.from({ length: 5 }, (_, i) => kernel.createTask({ comm: `worker${i}`, cgroup: cg }));
    kernel.run(false, () => {
      for (const t of tasks) {
        const v = taskMap.get(t, CREATE)!;
        v.load = BigInt(t.pid) * 1000n;
        v.weight = t.weight;
        v.dom = t.pid % 2;
        v.comm = t.comm;
        v.stats.nr_wakeups = t.pid;
      }
      cgrpMap.get(cg, CREATE)!.shares = 1024;
    });
    using stor = TaskCtxStorStorage.from(mapping, { regionPage: 1 });
    using cgs = CgrpCtxStorStorage.from(mapping, { regionPage: 1 });
    expect(stor).toBeInstanceOf(TaskCtxStorStorage);
    expect(stor.owner).toBe("task");
    for (const t of tasks) {
      const v: TaskCtx | undefined = stor.get(t.pid);
      expect(v?.toJSON()).toEqual({
        load: String(BigInt(t.pid) * 1000n), runtime_ns: "0", weight: 100, dom: t.pid % 2, comm: t.comm,
        stats: { nr_wakeups: t.pid, nr_migrations: 0 },
      });
    }
    expect(stor.get(99_999)).toBeUndefined();
    expect(new Map([...stor].map(([pid, v]) => [pid, v.comm.getString()]))).toEqual(new Map(tasks.map((t) => [t.pid, t.comm])));
    expect(stor.readConsistent(tasks[0]!.pid, (v) => v.load)).toBe(BigInt(tasks[0]!.pid) * 1000n);
    expect(cgs.get(cg.id)?.shares).toBe(1024);
    const s = stor.stats();
    expect(s.liveEntries).toBe(5);
    expect(s.regionLiveEntries).toBe(6);
    expect(s.presentPages).toBeGreaterThan(0);

    // A handle outlives nothing: after exit the entry is freed and at() says so.
    const h: TaskCtxStorHandle = stor.handle(tasks[2]!.pid)!;
    expect(stor.at(h).stats.nr_wakeups).toBe(tasks[2]!.pid);
    kernel.exitTask(tasks[2]!);
    expect(stor.get(tasks[2]!.pid)).toBeUndefined();
    expect(() => stor.at(h)).toThrow(StaleHandleError);
    expect(stor.stats().liveEntries).toBe(4);
  });

  it("a wrapper refuses a region whose map has another value layout", () => {
    const kernel = new SimKernel({ arenaPages: 64 });
    const transport = new SimTransport(kernel);
    const arena = transport.createMap({ name: "arena", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 64, flags: BPF_F_MMAPABLE });
    kernel.defineStorage("task_ctx_stor", "task", CgrpCtx); // wrong value type on the BPF side
    const mapping = transport.mmapMap(arena, 64 * 4096);
    expect(() => TaskCtxStorStorage.from(mapping, { regionPage: 1 })).toThrow(LayoutError);
  });
});

describe("generated storage handles are branded per map", () => {
  const dir = mkdtempSync(join(root, ".tmp-gen-brand-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a handle of one generated map does not type-check on another", { timeout: 120_000 }, () => {
    const file = join(dir, "use.ts");
    const golden = resolve(root, "packages/codegen/test/golden/storage.js");
    writeFileSync(
      file,
      [
        `import { CgrpCtxStorStorage, TaskCtxStorStorage, type CgrpCtxStorHandle, type TaskCtxStorHandle } from "${golden}";`,
        `declare const tasks: TaskCtxStorStorage; declare const cgroups: CgrpCtxStorStorage;`,
        `const th: TaskCtxStorHandle = tasks.handle(1)!;`,
        `const ch: CgrpCtxStorHandle = cgroups.handle(1)!;`,
        `tasks.at(th).load = 1n;`,
        `cgroups.at(ch).shares = 1;`,
        `cgroups.at(th);`,
        `tasks.at(ch);`,
        `tasks.at(7);`,
        `const wrong: CgrpCtxStorHandle = th;`,
        `void wrong;`,
        "",
      ].join("\n"),
    );
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"],
      baseUrl: root, paths: { "@bpf-skel/sdk": ["packages/sdk/src/index.ts"] },
    });
    const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file !== undefined && resolve(d.file.fileName) === file);
    const lines = diags.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
    expect(lines).toEqual([7, 8, 9, 10]); // lines 3-6 are fine
    expect(ts.flattenDiagnosticMessageText(diags[0]!.messageText, "\n")).toMatch(/task_ctx_stor.*cgrp_ctx_stor|cgrp_ctx_stor.*task_ctx_stor/s);
  });
});

describe("storage declarations in the generator", () => {
  it("--target js compiles storage wrappers (isolated declarations)", () => {
    const { js, dts } = toJavaScript(readFileSync(resolve(root, "packages/codegen/test/golden/storage.ts"), "utf8"), "storage.ts");
    expect(js).toContain('const TaskCtxStorStorageBase = storageClass("task_ctx_stor", "task", TaskCtx);');
    expect(dts).toContain("export declare class TaskCtxStorStorage extends TaskCtxStorStorageBase {");
    expect(dts).toContain('export type TaskCtxStorHandle = Handle<"task_ctx_stor">;');
    expect(dts).not.toContain("any");
  });

  it("value types are generated without --type; a named --type keeps its place first", () => {
    const { btf, storage } = loadFixtureTypes("test/fixtures/accessors/storage.json");
    const out = generateAccessors(btf, { types: ["sched_stats"], input: "storage.json", source: "JSON", storage });
    const order = [...out.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
    expect(order).toEqual(["SchedStats", "TaskCtx", "CgrpCtx", "TaskCtxStorStorage", "CgrpCtxStorStorage"]);
  });

  it("names of wrappers never take a type's name", () => {
    const { btf } = loadFixtureTypes("test/fixtures/accessors/storage.json");
    const out = generateAccessors(btf, { types: [], input: "x.json", storage: [{ name: "sched_stats", owner: "task", value: "task_ctx" }] });
    expect(out).toContain("export class SchedStatsStorage extends SchedStatsStorageBase {}");
    const clash = generateAccessors(btf, { types: [], input: "x.json", storage: [{ name: "task_ctx", owner: "task", value: "task_ctx" }] });
    expect(clash).toContain("export class TaskCtx extends StructView");
    expect(clash).toContain("export class TaskCtxStorage extends TaskCtxStorageBase {}");
  });

  it("bad declarations are LayoutErrors naming input and JSON path", () => {
    const { btf } = loadFixtureTypes("test/fixtures/accessors/storage.json");
    const gen = (storage: { name: string; owner: "task" | "cgroup"; value: string }[]) => () =>
      generateAccessors(btf, { types: [], input: "x.json", storage });
    expect(gen([{ name: "s", owner: "task", value: "nope" }])).toThrow(/storage s: value 'nope' is not a struct or union \(x\.json, at \/storage\/0\/value\)/);
    expect(gen([{ name: "s", owner: "task", value: "task_ctx" }, { name: "s", owner: "task", value: "cgrp_ctx" }])).toThrow(/declared twice.*\/storage\/1\/name/);
    expect(gen([])).toThrow(LayoutError);
  });

  it("--import changes only the import specifier", () => {
    const { btf, storage } = loadFixtureTypes("test/fixtures/accessors/storage.json");
    const a = generateAccessors(btf, { types: [], input: "storage.json", source: "JSON", storage });
    const b = generateAccessors(btf, { types: [], input: "storage.json", source: "JSON", storage, importFrom: "../runtime/index.js" });
    expect(b).not.toBe(a);
    expect(b.replace('} from "../runtime/index.js";', '} from "@bpf-skel/sdk";')).toBe(a);
  });
});

describe("bpf-skel gen with storage (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpf-skel-stor-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("needs no --type for a description that declares storage", async () => {
    const { gen } = await import("../src/index.js");
    const [file] = gen(resolve(root, "test/fixtures/accessors/storage.json"), { output: join(dir, "stor"), target: "ts" }, () => {});
    expect(readFileSync(file!, "utf8")).toBe(readFileSync(resolve(root, "packages/codegen/test/golden/storage.ts"), "utf8"));
  });
});
