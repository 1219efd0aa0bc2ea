import { nativeLayer, syscallError } from "../kernel/native.js";
import { SYS_pidfd_open } from "../kernel/uapi.js";

/**
 * pidfdOpen opens a pidfd for `pid` (pidfd_open(2)): the key user space uses for
 * BPF_MAP_TYPE_TASK_STORAGE lookups and updates. The caller closes it.
 */
export function pidfdOpen(pid: number, flags = 0): number {
  const n = nativeLayer();
  const fd = n.syscall3(SYS_pidfd_open, pid, flags, 0);
  if (fd < 0) throw syscallError("pidfd_open", n.koffi.errno(), `pid ${pid}`);
  return fd;
}
