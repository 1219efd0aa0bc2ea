// The simulated machine the storage examples share: a SimKernel with an arena, the mapped
// task storage of examples/task_ctx.json, and the "BPF programs" that fill it.
import { gen } from "@bpf-skel/codegen";
import type { MappedRegion } from "@bpf-skel/sdk";
import type { LocalStorage, LocalStorageOptions, ViewClass } from "@bpf-skel/sdk/storage";
import {
  BPF_F_MMAPABLE, BPF_F_SLEEPABLE, BPF_LOCAL_STORAGE_GET_F_CREATE, BPF_MAP_TYPE_ARENA, SimKernel, SimTransport,
  type MappedStorageMap, type SimTask,
} from "@bpf-skel/runtime-sim";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repo } from "./workspace.js";

/** DESCRIPTION is the committed JSON description: struct task_ctx and the task_ctx_stor map. */
export const DESCRIPTION = join(repo, "examples/task_ctx.json");

/** TaskCtx is the generated view of struct task_ctx (the part the examples use). */
export interface TaskCtx {
  load: bigint;
  runtime_ns: bigint;
  weight: number;
  dom: number;
  target_dom: number;
  nr_migrations: number;
  get comm(): { getString(): string };
  set comm(v: string);
  toJSON(): object;
}

/** TaskCtxStorage is the generated wrapper's instance type: LocalStorage branded by map name. */
export type TaskCtxStorage = LocalStorage<TaskCtx, "task_ctx_stor">;

/** Generated is what the module bpf-skel gen makes from DESCRIPTION exports. */
export interface Generated {
  readonly TaskCtx: ViewClass<TaskCtx>;
  readonly TaskCtxStorStorage: { readonly mapName: string; from(mapping: MappedRegion, options?: LocalStorageOptions): TaskCtxStorage };
}

/** generateStorage runs `bpf-skel gen examples/task_ctx.json --target js -o DIR/task_ctx_stor` (no --type: storage declares it) and imports it. */
export async function generateStorage(dir: string, log: (line: string) => void = () => {}): Promise<Generated> {
  const [js] = gen(DESCRIPTION, { output: join(dir, "task_ctx_stor"), target: "js" }, log);
  return (await import(pathToFileURL(js!).href)) as Generated;
}

const PAGES = 1024;

/** SimSched is a simulated machine with the mapped task storage and its programs loaded. */
export interface SimSched {
  readonly kernel: SimKernel;
  readonly transport: SimTransport;
  readonly map: MappedStorageMap<TaskCtx>;
  readonly mapping: MappedRegion;
  /** account runs the `account` program: `pid` ran `ns` nanoseconds (BPF_PROG_TEST_RUN with a ctx). */
  account(pid: number, ns: bigint): number;
}

/**
 * startSim builds the machine: an arena map (mmapable), the mapped task storage, and two
 * programs with skeleton semantics — `init_task` (attached to task_newtask, sleepable:
 * creates the entry with BPF_LOCAL_STORAGE_GET_F_CREATE) and `account` (looks the entry up
 * without F_CREATE, adds runtime and a decayed load, applies the balancer's target domain).
 */
export function startSim(g: Generated): SimSched {
  const kernel = new SimKernel({ arenaPages: PAGES });
  const transport = new SimTransport(kernel);
  const arena = transport.createMap({ name: "arena", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: PAGES, flags: BPF_F_MMAPABLE });
  const map = kernel.defineStorage(g.TaskCtxStorStorage.mapName, "task", g.TaskCtx);

  const initTask = transport.loadProgram({
    name: "init_task", type: 26 /* BPF_PROG_TYPE_TRACING */, license: "GPL", flags: BPF_F_SLEEPABLE,
    sim: (ctx) => {
      const task = ctx as SimTask;
      const v = map.get(task, BPF_LOCAL_STORAGE_GET_F_CREATE);
      if (v === null) return 0; // out of memory: NULL, as bpf_task_storage_get returns
      v.weight = task.weight;
      v.comm = task.comm;
      v.dom = v.target_dom = task.pid % 2; // two domains; the balancer example evens them out
      return 0;
    },
  });
  transport.attachProgram(initTask, { kind: "raw_tracepoint", name: "task_newtask" });

  const account = transport.loadProgram({
    name: "account", type: 26, license: "GPL",
    sim: (ctx) => {
      const dv = new DataView((ctx as Uint8Array).buffer);
      const task = kernel.task(dv.getUint32(0, true));
      const v = task === undefined ? null : map.get(task); // no F_CREATE: only tasks init_task saw
      if (v === null) return 1;
      const ns = dv.getBigUint64(8, true);
      v.runtime_ns += ns;
      v.load = (v.load * 3n) / 4n + (ns * BigInt(v.weight)) / 100n; // a decayed, weighted load
      if (v.target_dom !== v.dom) {
        v.dom = v.target_dom; // the balancer asked: migrate on the next run
        v.nr_migrations++;
      }
      return 0;
    },
  });

  const mapping = transport.mmapMap(arena, PAGES * 4096);
  return {
    kernel, transport, map, mapping,
    account(pid: number, ns: bigint): number {
      const ctx = new Uint8Array(16);
      const dv = new DataView(ctx.buffer);
      dv.setUint32(0, pid, true);
      dv.setBigUint64(8, ns, true);
      return transport.runProgram(account, { ctx }).retval;
    },
  };
}

/** rng is a small deterministic generator (mulberry32) so example output is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
