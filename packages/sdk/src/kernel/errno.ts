/**
 * Linux errno names and short strerror-like texts (asm-generic/errno-base.h, errno.h, and the
 * kernel-internal include/linux/errno.h values that bpf(2) leaks to user space, like ENOTSUPP).
 * A table of our own so a failed syscall reads `BPF_MAP_CREATE: EPERM (operation not permitted)`
 * without asking libc.
 */
const ERRNOS: ReadonlyArray<readonly [number, string, string]> = [
  [1, "EPERM", "operation not permitted"],
  [2, "ENOENT", "no such file or directory"],
  [3, "ESRCH", "no such process"],
  [4, "EINTR", "interrupted system call"],
  [5, "EIO", "input/output error"],
  [6, "ENXIO", "no such device or address"],
  [7, "E2BIG", "argument list too long"],
  [8, "ENOEXEC", "exec format error"],
  [9, "EBADF", "bad file descriptor"],
  [10, "ECHILD", "no child processes"],
  [11, "EAGAIN", "resource temporarily unavailable"],
  [12, "ENOMEM", "cannot allocate memory"],
  [13, "EACCES", "permission denied"],
  [14, "EFAULT", "bad address"],
  [16, "EBUSY", "device or resource busy"],
  [17, "EEXIST", "file exists"],
  [18, "EXDEV", "invalid cross-device link"],
  [19, "ENODEV", "no such device"],
  [20, "ENOTDIR", "not a directory"],
  [21, "EISDIR", "is a directory"],
  [22, "EINVAL", "invalid argument"],
  [23, "ENFILE", "too many open files in system"],
  [24, "EMFILE", "too many open files"],
  [25, "ENOTTY", "inappropriate ioctl for device"],
  [27, "EFBIG", "file too large"],
  [28, "ENOSPC", "no space left on device"],
  [30, "EROFS", "read-only file system"],
  [34, "ERANGE", "numerical result out of range"],
  [35, "EDEADLK", "resource deadlock avoided"],
  [36, "ENAMETOOLONG", "file name too long"],
  [38, "ENOSYS", "function not implemented"],
  [39, "ENOTEMPTY", "directory not empty"],
  [40, "ELOOP", "too many levels of symbolic links"],
  [61, "ENODATA", "no data available"],
  [62, "ETIME", "timer expired"],
  [75, "EOVERFLOW", "value too large for defined data type"],
  [77, "EBADFD", "file descriptor in bad state"],
  [95, "EOPNOTSUPP", "operation not supported"],
  [110, "ETIMEDOUT", "connection timed out"],
  [114, "EALREADY", "operation already in progress"],
  [116, "ESTALE", "stale file handle"],
  [125, "ECANCELED", "operation canceled"],
  [512, "ERESTARTSYS", "interrupted, restart (kernel internal)"],
  [524, "ENOTSUPP", "operation not supported (kernel internal ENOTSUPP)"],
];

const byNumber = new Map<number, { name: string; text: string }>(ERRNOS.map(([n, name, text]) => [n, { name, text }]));
const byName = new Map<string, number>(ERRNOS.map(([n, name]) => [name, n]));

/** errnoName returns the symbolic name of `errno` ("EPERM"), or "E<n>" for one we do not know. */
export function errnoName(errno: number): string {
  return byNumber.get(errno)?.name ?? `E${errno}`;
}

/** errnoText returns a strerror-like description of `errno`. */
export function errnoText(errno: number): string {
  return byNumber.get(errno)?.text ?? `unknown error ${errno}`;
}

/** errnoNumber returns the number for a symbolic name ("ENOENT" → 2), or undefined. */
export function errnoNumber(name: string): number | undefined {
  return byName.get(name);
}

/** Errno names the values the SDK branches on, so callers compare against names, not magic numbers. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const;
