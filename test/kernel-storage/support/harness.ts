import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalStorage } from "@bpf-skel/sdk/storage";
import { MappedStorage } from "@bpf-skel/sdk/storage/kernel";
import { TaskCtx } from "../generated/task-ctx.js";
import { loadFixture, type LoadedFixture } from "./fixture-loader.js";

export const FIXTURES = join(import.meta.dirname, "../../fixtures/storage-kernel");

/** Synthetic owner ids start above any pid (pid_max is at most 2^22 = 4,194,304). */
export const SYNTH_BASE = 5_000_000;

export interface TaskStorageRig extends Disposable {
  readonly fixture: LoadedFixture;
  readonly driver: MappedStorage;
  readonly storage: LocalStorage<TaskCtx, "task_ctx_stor">;
  /** run runs a syscall program with a 16-byte owners_args and returns `done`. */
  owners(prog: "populate" | "depopulate", start: number, count: number, step?: number): number;
}

/** taskStorage loads task_ctx.bpf.o, initialises the region and opens the task_ctx_stor reader. */
export function taskStorage(options: { attach?: boolean; poolTarget?: number } = {}): TaskStorageRig {
  const fixture = loadFixture(join(FIXTURES, "task_ctx.bpf.o"));
  try {
    const driver = new MappedStorage(
      fixture.storage,
      { poolTarget: options.poolTarget ?? 64, refillIntervalMs: 5, input: "task_ctx.bpf.o" },
    );
    const storage = driver.open("task_ctx_stor", TaskCtx);
    if (options.attach) fixture.attachAll();
    const owners = (prog: "populate" | "depopulate", start: number, count: number, step = 1) => {
      const args = new Uint8Array(16);
      const v = new DataView(args.buffer);
      v.setUint32(0, start, true);
      v.setUint32(4, count, true);
      v.setUint32(8, step, true);
      const r = fixture.transport.runProgram(fixture.programs.get(prog)!, { ctx: args });
      return new DataView(r.ctx!.buffer, r.ctx!.byteOffset).getUint32(12, true);
    };
    return {
      fixture, driver, storage, owners,
      [Symbol.dispose]: () => {
        storage.close();
        driver.close();
        fixture[Symbol.dispose]();
      },
    };
  } catch (e) {
    fixture[Symbol.dispose]();
    throw e;
  }
}

/** procStatus reads the fields of /proc/<pid>/status the tests compare with; undefined once gone. */
export function procStatus(pid: number): { name: string; ctxt: number; tgid: number; state: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, "m").exec(text)?.[1] ?? "";
  return {
    name: field("Name"),
    tgid: Number(field("Tgid")),
    state: field("State").slice(0, 1),
    ctxt: Number(field("voluntary_ctxt_switches")) + Number(field("nonvoluntary_ctxt_switches")),
  };
}

/** alive says whether task `tid` exists (a thread id works too). */
export function alive(tid: number): boolean {
  try {
    readFileSync(`/proc/${tid}/stat`);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
