import { readFileSync } from "node:fs";
import { LoaderError } from "../errors/index.js";
import { PERF_EVENT_ATTR } from "./attr-layout.js";
import { tracefsRoot } from "./mounts.js";
import { NativeMemory } from "./native.js";
import { perfEventOpen } from "./syscalls.js";
import { PERF_FLAG_FD_CLOEXEC, PERF_SAMPLE_RAW, PERF_TYPE_TRACEPOINT } from "./uapi.js";

const NAME = /^[A-Za-z0-9_.-]+$/;

/** tracepointId reads `<tracefs>/events/<category>/<name>/id` (mounting tracefs if needed). */
export function tracepointId(category: string, name: string): number {
  if (!NAME.test(category) || !NAME.test(name)) {
    throw new LoaderError("bad tracepoint name", { symbol: `${category}/${name}` });
  }
  const path = `${tracefsRoot()}/events/${category}/${name}/id`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new LoaderError("unknown tracepoint", { input: path, symbol: `${category}/${name}` }, { cause: e });
  }
  const id = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(id)) throw new LoaderError("tracepoint id is not a number", { input: path });
  return id;
}

/**
 * openTracepointEvent opens a perf event for tracepoint `id` on CPU 0 for every process
 * (pid -1, cpu 0: a tracepoint program then fires on every CPU), as libbpf does.
 */
export function openTracepointEvent(id: number): number {
  const f = PERF_EVENT_ATTR.fields;
  using attr = new NativeMemory(PERF_EVENT_ATTR.size);
  const v = attr.view;
  v.setUint32(f.type[0], PERF_TYPE_TRACEPOINT, true);
  v.setUint32(f.size[0], PERF_EVENT_ATTR.size, true);
  v.setBigUint64(f.config[0], BigInt(id), true);
  v.setBigUint64(f.sample_period[0], 1n, true);
  v.setBigUint64(f.sample_type[0], BigInt(PERF_SAMPLE_RAW), true);
  v.setUint32(f.wakeup_events[0], 1, true);
  return perfEventOpen(attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}
