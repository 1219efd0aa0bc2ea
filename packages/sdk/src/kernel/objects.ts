import { BTF_LOAD_ATTR, INFO_ATTR, LINK_INFO, MAP_INFO, OBJ_ATTR, PROG_INFO } from "./attr-layout.js";
import { Errno } from "./errno.js";
import { ensureBpffs } from "./mounts.js";
import { NativeMemory, syscallError } from "./native.js";
import { cString } from "./prog.js";
import { bpfAttr, bpfRaw, sharedAttr } from "./syscalls.js";
import { BPF_BTF_LOAD, BPF_LOG_LEVEL1, BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD, BPF_OBJ_PIN } from "./uapi.js";

const BT = BTF_LOAD_ATTR.fields;
const O = OBJ_ATTR.fields;
const I = INFO_ATTR.fields;

/**
 * btfLoad issues BPF_BTF_LOAD. It tries without a log first; on failure it reloads with
 * log_level 1 so the BpfSyscallError shows what the kernel's BTF checker said (the whole log is
 * on the error's `log` property).
 */
export function btfLoad(data: Uint8Array, opts: { logSize?: number } = {}): number {
  using btf = NativeMemory.copyOf(data);
  const attempt = (log: NativeMemory | undefined) => {
    const a = sharedAttr().ptr(BT.btf[0], btf).u32(BT.btf_size[0], data.length);
    if (log !== undefined) a.ptr(BT.btf_log_buf[0], log).u32(BT.btf_log_size[0], log.length).u32(BT.btf_log_level[0], BPF_LOG_LEVEL1);
    return { r: bpfRaw(BPF_BTF_LOAD, a), trueSize: a.getU32(BT.btf_log_true_size[0]) };
  };
  const first = attempt(undefined);
  if (first.r >= 0) return first.r;
  let size = opts.logSize ?? 64 * 1024;
  for (;;) {
    using log = new NativeMemory(size);
    const { r, trueSize } = attempt(log);
    if (r >= 0) return r;
    if (r === -Errno.ENOSPC && size < 16 * 1024 * 1024) {
      size = Math.min(trueSize > size ? trueSize : size * 2, 16 * 1024 * 1024);
      continue;
    }
    const text = cString(log.bytes);
    const tail = text.split("\n").filter((l) => l.trim() !== "").slice(-6).join(" | ");
    const err = syscallError("BPF_BTF_LOAD", -r, tail ? `btf log: ${tail}` : `${data.length} bytes of BTF`);
    Object.defineProperty(err, "log", { value: text, enumerable: true });
    throw err;
  }
}

/** objPin pins `fd` at `path` (on bpffs; /sys/fs/bpf is mounted if it is not yet). */
export function objPin(fd: number, path: string): void {
  if (path.startsWith("/sys/fs/bpf/")) ensureBpffs();
  using p = NativeMemory.cString(path);
  bpfAttr(BPF_OBJ_PIN, sharedAttr().ptr(O.pathname[0], p).u32(O.bpf_fd[0], fd), path);
}

/** objGet opens the object pinned at `path` (file_flags: BPF_F_RDONLY / BPF_F_WRONLY). */
export function objGet(path: string, fileFlags = 0): number {
  using p = NativeMemory.cString(path);
  return bpfAttr(BPF_OBJ_GET, sharedAttr().ptr(O.pathname[0], p).u32(O.file_flags[0], fileFlags), path);
}

/** objInfo issues BPF_OBJ_GET_INFO_BY_FD into a zeroed buffer of `size` bytes and returns it. */
export function objInfo(fd: number, size: number): DataView {
  using info = new NativeMemory(size);
  bpfAttr(BPF_OBJ_GET_INFO_BY_FD, sharedAttr().u32(I.bpf_fd[0], fd).u32(I.info_len[0], size).ptr(I.info[0], info), `fd ${fd}`);
  return new DataView(info.bytes.slice().buffer);
}

const nameAt = (v: DataView, off: number) => cString(new Uint8Array(v.buffer, off, 16));

/** MapInfo is the part of struct bpf_map_info the SDK reads. */
export interface MapInfo {
  readonly type: number;
  readonly id: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;
  readonly btfId: number;
  readonly mapExtra: bigint;
}

/** mapInfo reads struct bpf_map_info for a map fd. */
export function mapInfo(fd: number): MapInfo {
  const f = MAP_INFO.fields;
  const v = objInfo(fd, MAP_INFO.size);
  return {
    type: v.getUint32(f.type[0], true),
    id: v.getUint32(f.id[0], true),
    keySize: v.getUint32(f.key_size[0], true),
    valueSize: v.getUint32(f.value_size[0], true),
    maxEntries: v.getUint32(f.max_entries[0], true),
    flags: v.getUint32(f.map_flags[0], true),
    name: nameAt(v, f.name[0]),
    btfId: v.getUint32(f.btf_id[0], true),
    mapExtra: v.getBigUint64(f.map_extra[0], true),
  };
}

/** ProgInfo is the part of struct bpf_prog_info the SDK reads. */
export interface ProgInfo {
  readonly type: number;
  readonly id: number;
  readonly tag: string;
  readonly name: string;
  readonly btfId: number;
  readonly runTimeNs: bigint;
  readonly runCnt: bigint;
  readonly verifiedInsns: number;
  readonly attachBtfId: number;
}

/** progInfo reads struct bpf_prog_info for a program fd (run_time_ns/run_cnt count while stats are enabled). */
export function progInfo(fd: number): ProgInfo {
  const f = PROG_INFO.fields;
  const v = objInfo(fd, PROG_INFO.size);
  const tag = Buffer.from(v.buffer, f.tag[0], 8).toString("hex");
  return {
    type: v.getUint32(f.type[0], true),
    id: v.getUint32(f.id[0], true),
    tag,
    name: nameAt(v, f.name[0]),
    btfId: v.getUint32(f.btf_id[0], true),
    runTimeNs: v.getBigUint64(f.run_time_ns[0], true),
    runCnt: v.getBigUint64(f.run_cnt[0], true),
    verifiedInsns: v.getUint32(f.verified_insns[0], true),
    attachBtfId: v.getUint32(f.attach_btf_id[0], true),
  };
}

/** linkInfo reads the head of struct bpf_link_info (type, id, prog_id). */
export function linkInfo(fd: number): { readonly type: number; readonly id: number; readonly progId: number } {
  const f = LINK_INFO.fields;
  const v = objInfo(fd, LINK_INFO.size);
  return { type: v.getUint32(f.type[0], true), id: v.getUint32(f.id[0], true), progId: v.getUint32(f.prog_id[0], true) };
}
