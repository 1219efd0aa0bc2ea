import { LoaderError } from "../errors/index.js";

/** BPF_PROG_TYPE_* values used by the SEC() table (uapi bpf.h). */
export const BPF_PROG_TYPE = {
  SOCKET_FILTER: 1,
  KPROBE: 2,
  TRACEPOINT: 5,
  PERF_EVENT: 7,
  RAW_TRACEPOINT: 17,
  RAW_TRACEPOINT_WRITABLE: 24,
  TRACING: 26,
  STRUCT_OPS: 27,
  EXT: 28,
  LSM: 29,
  SYSCALL: 31,
} as const;

/** enum bpf_attach_type values used by the SEC() table. */
export const BPF_ATTACH_TYPE = {
  TRACE_RAW_TP: 23,
  TRACE_FENTRY: 24,
  TRACE_FEXIT: 25,
  MODIFY_RETURN: 26,
  LSM_MAC: 27,
  TRACE_ITER: 28,
  LSM_CGROUP: 43,
} as const;

/** BPF_F_SLEEPABLE, set for `syscall` and `.s` sections. */
export const BPF_F_SLEEPABLE = 16;

/** AttachKind says how the live layer attaches a program of this section. */
export type AttachKind = "tracepoint" | "raw_tracepoint" | "tracing" | "lsm" | "iter" | "struct_ops" | "test_run" | "socket" | "perf_event" | "ext";

/** SectionDef is one row of the SEC() table (libbpf `section_defs[]`). */
interface SectionDef {
  /** Prefix as libbpf spells it: trailing `+` = exact or `x/…`, trailing `/` = `x/…` only. */
  readonly pattern: string;
  readonly progType: number;
  readonly attachType: number;
  readonly sleepable: boolean;
  readonly attach: AttachKind;
  /**
   * How the attach target (text after the first `/`) is looked up in vmlinux BTF:
   * `typedef:btf_trace_` → TYPEDEF btf_trace_<target>, `func:` → FUNC <target>, `func:bpf_lsm_` etc.
   */
  readonly btfTarget?: { readonly kind: "typedef" | "func"; readonly prefix: string };
}

const P = BPF_PROG_TYPE;
const A = BPF_ATTACH_TYPE;
const def = (
  pattern: string,
  progType: number,
  attachType: number,
  attach: AttachKind,
  extra: Partial<Pick<SectionDef, "sleepable" | "btfTarget">> = {},
): SectionDef => ({ pattern, progType, attachType, attach, sleepable: extra.sleepable ?? false, btfTarget: extra.btfTarget });

const func = (prefix = "") => ({ kind: "func" as const, prefix });

// Order matters only where one pattern is a prefix of another with the same separator rules
// (`lsm.s+` vs `lsm+` cannot both match, since matching stops at `/` or the end).
const DEFS: readonly SectionDef[] = [
  def("socket", P.SOCKET_FILTER, 0, "socket"),
  def("tracepoint+", P.TRACEPOINT, 0, "tracepoint"),
  def("tp+", P.TRACEPOINT, 0, "tracepoint"),
  def("raw_tracepoint+", P.RAW_TRACEPOINT, 0, "raw_tracepoint"),
  def("raw_tp+", P.RAW_TRACEPOINT, 0, "raw_tracepoint"),
  def("raw_tracepoint.w+", P.RAW_TRACEPOINT_WRITABLE, 0, "raw_tracepoint"),
  def("raw_tp.w+", P.RAW_TRACEPOINT_WRITABLE, 0, "raw_tracepoint"),
  def("tp_btf+", P.TRACING, A.TRACE_RAW_TP, "tracing", { btfTarget: { kind: "typedef", prefix: "btf_trace_" } }),
  def("fentry+", P.TRACING, A.TRACE_FENTRY, "tracing", { btfTarget: func() }),
  def("fmod_ret+", P.TRACING, A.MODIFY_RETURN, "tracing", { btfTarget: func() }),
  def("fexit+", P.TRACING, A.TRACE_FEXIT, "tracing", { btfTarget: func() }),
  def("fentry.s+", P.TRACING, A.TRACE_FENTRY, "tracing", { sleepable: true, btfTarget: func() }),
  def("fmod_ret.s+", P.TRACING, A.MODIFY_RETURN, "tracing", { sleepable: true, btfTarget: func() }),
  def("fexit.s+", P.TRACING, A.TRACE_FEXIT, "tracing", { sleepable: true, btfTarget: func() }),
  def("freplace+", P.EXT, 0, "ext"),
  def("lsm+", P.LSM, A.LSM_MAC, "lsm", { btfTarget: func("bpf_lsm_") }),
  def("lsm.s+", P.LSM, A.LSM_MAC, "lsm", { sleepable: true, btfTarget: func("bpf_lsm_") }),
  def("lsm_cgroup+", P.LSM, A.LSM_CGROUP, "lsm", { btfTarget: func("bpf_lsm_") }),
  def("iter+", P.TRACING, A.TRACE_ITER, "iter", { btfTarget: func("bpf_iter_") }),
  def("iter.s+", P.TRACING, A.TRACE_ITER, "iter", { sleepable: true, btfTarget: func("bpf_iter_") }),
  def("syscall", P.SYSCALL, 0, "test_run", { sleepable: true }),
  def("struct_ops+", P.STRUCT_OPS, 0, "struct_ops"),
  def("struct_ops.s+", P.STRUCT_OPS, 0, "struct_ops", { sleepable: true }),
  def("perf_event", P.PERF_EVENT, 0, "perf_event"),
];

/** ProgramSection is what a program's SEC() name says about it. */
export interface ProgramSection {
  /** BPF_PROG_TYPE_*. */
  readonly progType: number;
  /** BPF_* attach type for BPF_PROG_LOAD's expected_attach_type (0 when none). */
  readonly expectedAttachType: number;
  /** BPF_F_SLEEPABLE is needed at load. */
  readonly sleepable: boolean;
  /** false for a `?`-prefixed section: parsed, but not loaded unless asked for. */
  readonly autoload: boolean;
  readonly attach: AttachKind;
  /** Text after the first `/` (`sched/sched_switch`, `sched_switch`, `task`); "" when absent. */
  readonly attachTo: string;
  /** The vmlinux BTF name the attach target resolves to (`btf_trace_sched_switch`), when the type needs one. */
  readonly attachBtfName?: string;
  readonly attachBtfKind?: "typedef" | "func";
}

/** matches implements libbpf's `sec_def_matches()`. */
function matches(pattern: string, sec: string): boolean {
  if (pattern.endsWith("+")) {
    const p = pattern.slice(0, -1);
    return sec === p || sec.startsWith(`${p}/`);
  }
  if (pattern.endsWith("/")) return sec.startsWith(pattern);
  return sec === pattern;
}

/**
 * programSection looks `name` up in the SEC() table. An unknown section throws a
 * LoaderError naming it, as libbpf fails such programs with "missing BPF prog type".
 */
export function programSection(name: string, place: { input?: string; symbol?: string } = {}): ProgramSection {
  const autoload = !name.startsWith("?");
  const sec = autoload ? name : name.slice(1);
  const d = DEFS.find((x) => matches(x.pattern, sec));
  if (d === undefined) {
    throw new LoaderError(`unknown program section '${name}': no BPF program type matches it`, { ...place, section: name });
  }
  const slash = sec.indexOf("/");
  const attachTo = slash < 0 ? "" : sec.slice(slash + 1);
  const out: ProgramSection = {
    progType: d.progType,
    expectedAttachType: d.attachType,
    sleepable: d.sleepable,
    autoload,
    attach: d.attach,
    attachTo,
  };
  if (d.btfTarget === undefined || attachTo === "") return out;
  return { ...out, attachBtfName: d.btfTarget.prefix + attachTo, attachBtfKind: d.btfTarget.kind };
}
