import { LocalStorage } from "@bpf-skel/sdk/storage";
import { BPF_F_MMAPABLE, BPF_MAP_TYPE_ARENA, SimKernel, SimTransport, type SimKernelOptions } from "@bpf-skel/runtime-sim";
import { CgrpCtx, TaskCtx } from "./generated/values.js";

/** simStorage sets up a simulated kernel with an arena, a task storage and a cgroup storage, and opens readers. */
export function simStorage(options: SimKernelOptions & { pages?: number } = {}) {
  const kernel = new SimKernel(options);
  const transport = new SimTransport(kernel);
  const pages = options.pages ?? 4096;
  const arenaFd = transport.createMap({ name: "arena", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: pages, flags: BPF_F_MMAPABLE });
  const tasks = kernel.defineStorage("task_ctx_stor", "task", TaskCtx);
  const cgroups = kernel.defineStorage("cgrp_ctx_stor", "cgroup", CgrpCtx);
  const mapping = transport.mmapMap(arenaFd, pages * 4096);
  const regionPage = options.regionPage ?? 1;
  const reader = LocalStorage.open(mapping, "task_ctx_stor", TaskCtx, { regionPage });
  const cgReader = LocalStorage.open(mapping, "cgrp_ctx_stor", CgrpCtx, { regionPage });
  return { kernel, transport, arenaFd, tasks, cgroups, mapping, reader, cgReader, regionPage };
}
