import { VerifierError } from "../errors/index.js";
import type { ProgramDefinition, RunOptions, RunResult } from "../transport/transport.js";
import { PROG_LOAD_ATTR, TEST_RUN_ATTR } from "./attr-layout.js";
import { Errno, errnoName } from "./errno.js";
import { NativeMemory, syscallError } from "./native.js";
import { bpfAttr, bpfRaw, sharedAttr } from "./syscalls.js";
import { BPF_LOG_LEVEL1, BPF_OBJ_NAME_LEN, BPF_PROG_LOAD, BPF_PROG_TEST_RUN } from "./uapi.js";
import { sanitizeName } from "./maps.js";

const P = PROG_LOAD_ATTR.fields;
const T = TEST_RUN_ATTR.fields;

/** ProgLoadOptions tunes the verifier log of BPF_PROG_LOAD. */
export interface ProgLoadOptions {
  /** Ask for a log even when the load succeeds (log_level; unset = log only on failure). */
  readonly logLevel?: number;
  /** First log buffer size; unset = 64 KiB. */
  readonly logSize?: number;
  /** Largest log buffer before we keep a truncated log; unset = 16 MiB. */
  readonly maxLogSize?: number;
  /** Called with the log of a successful load when logLevel was set. */
  readonly onLog?: (log: string) => void;
}

const DEFAULT_LOG = 64 * 1024;
const MAX_LOG = 16 * 1024 * 1024;
const EAGAIN_RETRIES = 5;

/**
 * progLoad issues BPF_PROG_LOAD. The first try asks for no log (a too-small log would make a
 * good load fail with ENOSPC); on failure it retries with log_level 1 and a buffer that grows
 * on ENOSPC (to log_true_size, else doubling) up to maxLogSize. A rejection with a log throws
 * VerifierError carrying the whole log; one without a log (bad attr) throws BpfSyscallError.
 */
export function progLoad(def: ProgramDefinition, opts: ProgLoadOptions = {}): number {
  const insns = def.insns;
  if (insns === undefined || insns.length === 0 || insns.length % 8 !== 0) {
    throw syscallError("BPF_PROG_LOAD", Errno.EINVAL, `program '${def.name}' needs a non-empty multiple of 8 instruction bytes`);
  }
  using insnMem = NativeMemory.copyOf(insns);
  using license = NativeMemory.cString(def.license);
  using funcInfo = def.funcInfo ? NativeMemory.copyOf(def.funcInfo.data) : undefined;
  using lineInfo = def.lineInfo ? NativeMemory.copyOf(def.lineInfo.data) : undefined;
  using fdArray = def.fdArray?.length ? new NativeMemory(def.fdArray.length * 4) : undefined;
  if (fdArray !== undefined) def.fdArray!.forEach((fd, i) => fdArray.view.setInt32(i * 4, fd, true));

  const attempt = (log: NativeMemory | undefined, level: number): { r: number; trueSize: number } => {
    for (let tries = 0; ; tries++) {
      const a = sharedAttr()
        .u32(P.prog_type[0], def.type)
        .u32(P.insn_cnt[0], insns.length / 8)
        .ptr(P.insns[0], insnMem)
        .ptr(P.license[0], license)
        .u32(P.prog_flags[0], def.flags ?? 0)
        .name(P.prog_name[0], BPF_OBJ_NAME_LEN, sanitizeName(def.name))
        .u32(P.expected_attach_type[0], def.expectedAttachType ?? 0)
        .u32(P.attach_btf_id[0], def.attachBtfId ?? 0)
        .u32(P.attach_btf_obj_fd[0], def.attachBtfObjFd ?? 0);
      if (def.btfFd !== undefined) a.u32(P.prog_btf_fd[0], def.btfFd);
      if (def.funcInfo !== undefined) {
        a.u32(P.func_info_rec_size[0], def.funcInfo.recSize).ptr(P.func_info[0], funcInfo).u32(P.func_info_cnt[0], def.funcInfo.count);
      }
      if (def.lineInfo !== undefined) {
        a.u32(P.line_info_rec_size[0], def.lineInfo.recSize).ptr(P.line_info[0], lineInfo).u32(P.line_info_cnt[0], def.lineInfo.count);
      }
      if (fdArray !== undefined) {
        a.ptr(P.fd_array[0], fdArray);
        if (def.bindFdArray) a.u32(P.fd_array_cnt[0], def.fdArray!.length);
      }
      if (log !== undefined) a.u32(P.log_level[0], level).u32(P.log_size[0], log.length).ptr(P.log_buf[0], log);
      const r = bpfRaw(BPF_PROG_LOAD, a);
      if (r === -Errno.EAGAIN && tries < EAGAIN_RETRIES) continue;
      return { r, trueSize: a.getU32(P.log_true_size[0]) };
    }
  };

  const maxLog = opts.maxLogSize ?? MAX_LOG;
  let size = Math.min(opts.logSize ?? DEFAULT_LOG, maxLog);
  if (opts.logLevel === undefined) {
    const first = attempt(undefined, 0);
    if (first.r >= 0) return first.r;
  }
  const level = opts.logLevel ?? BPF_LOG_LEVEL1;
  for (;;) {
    using log = new NativeMemory(size);
    const { r, trueSize } = attempt(log, level);
    const text = cString(log.bytes);
    if (r >= 0) {
      if (opts.logLevel !== undefined) opts.onLog?.(text);
      return r;
    }
    if (r === -Errno.ENOSPC && size < maxLog) {
      size = Math.min(trueSize > size ? trueSize : size * 2, maxLog);
      continue;
    }
    throw loadError(def.name, -r, text);
  }
}

function loadError(name: string, errno: number, log: string): Error {
  if (log.trim() === "") {
    const hint = errno === Errno.EPERM ? "needs CAP_BPF and CAP_PERFMON, or refused by a security policy" : undefined;
    return syscallError("BPF_PROG_LOAD", errno, hint ? `program '${name}': ${hint}` : `program '${name}'`);
  }
  return new VerifierError(name, errno, errnoName(errno), log);
}

/** cString decodes a NUL-terminated buffer. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * progTestRun issues BPF_PROG_TEST_RUN. For `syscall` programs the kernel copies the context
 * back into ctx_in, so `ctx` in the result is the context after the run; `repeat` and data
 * buffers are only for packet-like program types.
 */
export function progTestRun(fd: number, opts: RunOptions = {}): RunResult {
  using ctx = opts.ctx ? NativeMemory.copyOf(opts.ctx) : undefined;
  using dataIn = opts.dataIn ? NativeMemory.copyOf(opts.dataIn) : undefined;
  const outSize = opts.dataOutSize ?? (opts.dataIn ? opts.dataIn.length : 0);
  using dataOut = outSize > 0 ? new NativeMemory(outSize) : undefined;
  const a = sharedAttr()
    .u32(T.prog_fd[0], fd)
    .u32(T.repeat[0], opts.repeat ?? 0)
    .u32(T.flags[0], opts.flags ?? 0)
    .u32(T.cpu[0], opts.cpu ?? 0);
  if (ctx !== undefined) a.u32(T.ctx_size_in[0], opts.ctx!.length).ptr(T.ctx_in[0], ctx);
  if (dataIn !== undefined) a.u32(T.data_size_in[0], opts.dataIn!.length).ptr(T.data_in[0], dataIn);
  if (dataOut !== undefined) a.u32(T.data_size_out[0], outSize).ptr(T.data_out[0], dataOut);
  bpfAttr(BPF_PROG_TEST_RUN, a, `prog fd ${fd}`);
  const result: { retval: number; durationNs: number; ctx?: Uint8Array; dataOut?: Uint8Array } = {
    retval: a.getU32(T.retval[0]),
    durationNs: a.getU32(T.duration[0]),
  };
  if (ctx !== undefined) result.ctx = ctx.bytes.slice(0, opts.ctx!.length);
  if (dataOut !== undefined) result.dataOut = dataOut.bytes.slice(0, Math.min(outSize, a.getU32(T.data_size_out[0])));
  return result;
}
