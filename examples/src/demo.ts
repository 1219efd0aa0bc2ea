// The main demo: runs with no root and no compiler. Each step is a function so later demos
// (mapped storage, the simulator) can reuse and extend them.
import { gen } from "@bpf-skel/codegen";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { storageStep } from "./storage-demo.js";
import { repo, workspace } from "./workspace.js";

export { workspace };

/** FIXTURE is a committed BPF object with the seed's `struct task_ctx` in a task storage map. */
export const FIXTURE = join(repo, "test/fixtures/accessors/task_ctx.bpf.o");

/** TaskCtxClass is the part of the generated TaskCtx class the demo uses. */
export interface TaskCtxClass {
  readonly size: number;
  readonly align: number;
  readonly fields: readonly { name: string; cType: string; bitOffset: number; size: number }[];
  wrap(target: ArrayBuffer | SharedArrayBuffer | ArrayBufferView, byteOffset?: number): TaskCtxView;
}

export interface TaskCtxView {
  force_local: boolean;
  cpumask: bigint;
  toJSON(): object;
}

/** generateAccessors runs `bpf-skel gen FIXTURE --type task_ctx --target js -o DIR/task_ctx`. */
export function generateAccessors(object: string, dir: string): string {
  const [js] = gen(object, { type: ["task_ctx"], output: join(dir, "task_ctx"), target: "js" }, (line) => console.log(`  ${line}`));
  return js!;
}

/** importAccessors loads the generated module. */
export async function importAccessors(file: string): Promise<{ TaskCtx: TaskCtxClass }> {
  return (await import(pathToFileURL(file).href)) as { TaskCtx: TaskCtxClass };
}

/** fillRecord makes one task_ctx in a fresh buffer and sets it as the scheduler would. */
export function fillRecord(TaskCtx: TaskCtxClass): { bytes: Uint8Array; ctx: TaskCtxView } {
  const bytes = new Uint8Array(TaskCtx.size);
  const ctx = TaskCtx.wrap(bytes);
  ctx.force_local = true;
  ctx.cpumask = 0xffff_8880_1234_5678n;
  return { bytes, ctx };
}

/** printRecord shows the record through its accessors, its layout, and the raw bytes C would see. */
export function printRecord(TaskCtx: TaskCtxClass, bytes: Uint8Array, ctx: TaskCtxView): void {
  console.log(`struct task_ctx: size ${TaskCtx.size}, align ${TaskCtx.align}`);
  for (const f of TaskCtx.fields) console.log(`  ${f.name} (${f.cType}): offset ${f.bitOffset / 8}, size ${f.size}`);
  console.log("record:", ctx);
  console.log("json:  ", JSON.stringify(ctx));
  console.log("bytes: ", Buffer.from(bytes).toString("hex"));
}

export async function main(): Promise<void> {
  console.log("bpf-skel demo: typed accessors from a committed BPF object (no root, no compiler)");
  const dir = workspace();
  try {
    const file = generateAccessors(FIXTURE, dir);
    const { TaskCtx } = await importAccessors(file);
    const { bytes, ctx } = fillRecord(TaskCtx);
    printRecord(TaskCtx, bytes, ctx);
    console.log();
    console.log("mapped task storage on the simulated kernel, wrapper generated from examples/task_ctx.json");
    await storageStep(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
