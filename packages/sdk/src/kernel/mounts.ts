import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { mount } from "./syscalls.js";

/** isMounted reports whether `target` is a mount point of filesystem type `fstype` (/proc/self/mounts). */
export function isMounted(target: string, fstype: string): boolean {
  const mounts = readFileSync("/proc/self/mounts", "utf8");
  return mounts.split("\n").some((line) => {
    const [, dir, type] = line.split(" ");
    return dir === target && type === fstype;
  });
}

/** ensureMounted mounts `fstype` on `target` unless it already is (needs CAP_SYS_ADMIN). */
export function ensureMounted(target: string, fstype: string): void {
  if (isMounted(target, fstype)) return;
  if (!existsSync(target)) mkdirSync(target, { recursive: true });
  mount(fstype, target, fstype);
}

/** BPFFS is where pins live (`mount -t bpf bpf /sys/fs/bpf`). */
export const BPFFS = "/sys/fs/bpf";
/** TRACEFS is where tracepoint ids live (`mount -t tracefs tracefs /sys/kernel/tracing`). */
export const TRACEFS = "/sys/kernel/tracing";

export function ensureBpffs(): void {
  ensureMounted(BPFFS, "bpf");
}

/** tracefsRoot returns a mounted tracefs, mounting /sys/kernel/tracing when none is. */
export function tracefsRoot(): string {
  if (isMounted(TRACEFS, "tracefs")) return TRACEFS;
  if (existsSync("/sys/kernel/debug/tracing/events")) return "/sys/kernel/debug/tracing";
  ensureMounted(TRACEFS, "tracefs");
  return TRACEFS;
}
