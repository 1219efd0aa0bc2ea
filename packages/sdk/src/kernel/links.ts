import { ENABLE_STATS_ATTR, ITER_CREATE_ATTR, LINK_CREATE_ATTR, LINK_DETACH_ATTR, RAW_TRACEPOINT_ATTR } from "./attr-layout.js";
import { NativeMemory } from "./native.js";
import { bpfAttr, close, read, sharedAttr } from "./syscalls.js";
import {
  BPF_ENABLE_STATS, BPF_ITER_CREATE, BPF_LINK_CREATE, BPF_LINK_DETACH, BPF_RAW_TRACEPOINT_OPEN, BPF_STATS_RUN_TIME,
} from "./uapi.js";

const R = RAW_TRACEPOINT_ATTR.fields;
const L = LINK_CREATE_ATTR.fields;

/** rawTracepointOpen attaches a raw_tp program to `name` (no category), or a BTF-attach program when name is undefined. */
export function rawTracepointOpen(progFd: number, name: string | undefined, cookie: bigint = 0n): number {
  using n = name === undefined ? undefined : NativeMemory.cString(name);
  const a = sharedAttr().ptr(R.name[0], n).u32(R.prog_fd[0], progFd).u64(R.cookie[0], cookie);
  return bpfAttr(BPF_RAW_TRACEPOINT_OPEN, a, name ?? `prog fd ${progFd}`);
}

/** LinkCreateOptions selects the BPF_LINK_CREATE variant: the union at offset 16 depends on attach type. */
export type LinkCreateOptions =
  | { readonly kind: "tracing"; readonly targetBtfId?: number; readonly cookie?: bigint }
  | { readonly kind: "iter"; readonly iterInfo?: Uint8Array }
  | { readonly kind: "perf_event"; readonly cookie?: bigint }
  | { readonly kind: "plain" };

/** linkCreate issues BPF_LINK_CREATE and returns the link fd. */
export function linkCreate(progFd: number, targetFd: number, attachType: number, opts: LinkCreateOptions, flags = 0): number {
  using iterInfo = opts.kind === "iter" && opts.iterInfo !== undefined ? NativeMemory.copyOf(opts.iterInfo) : undefined;
  const a = sharedAttr()
    .u32(L.prog_fd[0], progFd)
    .u32(L.target_fd[0], targetFd)
    .u32(L.attach_type[0], attachType)
    .u32(L.flags[0], flags);
  switch (opts.kind) {
    case "tracing":
      a.u32(L["tracing.target_btf_id"][0], opts.targetBtfId ?? 0).u64(L["tracing.cookie"][0], opts.cookie ?? 0n);
      break;
    case "iter":
      if (iterInfo !== undefined) a.ptr(L.iter_info[0], iterInfo).u32(L.iter_info_len[0], iterInfo.length);
      break;
    case "perf_event":
      a.u64(L["perf_event.bpf_cookie"][0], opts.cookie ?? 0n);
      break;
    case "plain":
      break;
  }
  return bpfAttr(BPF_LINK_CREATE, a, `prog fd ${progFd}, attach type ${attachType}`);
}

/** iterCreate opens a new read fd for an iterator link; every call starts a fresh walk. */
export function iterCreate(linkFd: number): number {
  return bpfAttr(BPF_ITER_CREATE, sharedAttr().u32(ITER_CREATE_ATTR.fields.link_fd[0], linkFd), `link fd ${linkFd}`);
}

/** readIterator runs an iterator link once (a fresh BPF_ITER_CREATE fd read to EOF, then closed) and returns the bytes. */
export function readIterator(linkFd: number): Uint8Array {
  const fd = iterCreate(linkFd);
  try {
    return readToEnd(fd);
  } finally {
    close(fd);
  }
}

/** readToEnd reads `fd` until read(2) returns 0. */
export function readToEnd(fd: number, chunk = 64 * 1024): Uint8Array {
  using buf = new NativeMemory(chunk);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let n = read(fd, buf); n > 0; n = read(fd, buf)) {
    chunks.push(buf.bytes.slice(0, n));
    total += n;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** linkDetach detaches a link from its hook while its fd stays open. */
export function linkDetach(linkFd: number): void {
  bpfAttr(BPF_LINK_DETACH, sharedAttr().u32(LINK_DETACH_ATTR.fields.link_fd[0], linkFd), `link fd ${linkFd}`);
}

/** enableStats turns on run_time_ns/run_cnt accounting while the returned fd stays open. */
export function enableStats(type = BPF_STATS_RUN_TIME): number {
  return bpfAttr(BPF_ENABLE_STATS, sharedAttr().u32(ENABLE_STATS_ATTR.fields.type[0], type));
}
