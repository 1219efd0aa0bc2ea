import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { nativeLayer, syscallError } from "./native.js";
import { mount } from "./syscalls.js";

/** isMounted reports whether `target` is a mount point of filesystem type `fstype` (/proc/self/mounts). */
export function isMounted(target: string, fstype: string): boolean {
  const mounts = readFileSync("/proc/self/mounts", "utf8");
  return mounts.split("\n").some((line) => {
    const [, dir, type] = line.split(" ");
    return dir === target && type === fstype;
  });
}

const LOCK_EX = 2;
const LOCK_UN = 8;
const MOUNT_LOCK = "/run/bpf-skel-mount.lock";

/**
 * ensureMounted mounts `fstype` on `target` unless it already is (needs CAP_SYS_ADMIN). The
 * check and the mount run under an flock shared by every process using the SDK: two
 * processes racing would otherwise stack two bpffs instances, and pins made in the lower one
 * would vanish from sight.
 */
export function ensureMounted(target: string, fstype: string): void {
  if (isMounted(target, fstype)) return;
  const n = nativeLayer();
  const fd = openSync(existsSync("/run") ? MOUNT_LOCK : `/tmp/bpf-skel-mount.lock`, "a");
  try {
    if (n.flock(fd, LOCK_EX) !== 0) throw syscallError("flock", n.koffi.errno(), MOUNT_LOCK);
    try {
      if (isMounted(target, fstype)) return;
      if (!existsSync(target)) mkdirSync(target, { recursive: true });
      mount(fstype, target, fstype);
    } finally {
      n.flock(fd, LOCK_UN);
    }
  } finally {
    closeSync(fd);
  }
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
