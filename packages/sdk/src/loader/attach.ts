import { LoaderError } from "../errors/index.js";
import { BPF_ATTACH_TYPE } from "../object/sections.js";
import type { ProgramSpec } from "../object/spec.js";
import type { AttachTarget } from "../transport/transport.js";

/**
 * attachTarget says where a program attaches by its SEC() name (libbpf's auto-attach):
 * `tp/<category>/<name>` through a perf event and a link, `raw_tp/<name>`, tp_btf, fentry,
 * fexit, fmod_ret and lsm through BPF_LINK_CREATE with the attach BTF id given at load, and
 * `iter/<target>` as an iterator link. Undefined for programs that are run rather than
 * attached (`syscall`, `socket`) or that have no automatic target (`perf_event`, `freplace`,
 * `struct_ops`, `lsm_cgroup`).
 */
export function attachTarget(p: ProgramSpec, input: string): AttachTarget | undefined {
  const fail = (reason: string): never => {
    throw new LoaderError(`program '${p.name}': ${reason}`, { input, section: p.section, symbol: p.name });
  };
  switch (p.attach) {
    case "tracepoint": {
      const slash = p.attachTo.indexOf("/");
      if (slash <= 0 || slash === p.attachTo.length - 1) fail("tracepoint section must be tp/<category>/<name>");
      return { kind: "tracepoint", category: p.attachTo.slice(0, slash), name: p.attachTo.slice(slash + 1) };
    }
    case "raw_tracepoint":
      if (p.attachTo === "") fail("raw_tp section must name the tracepoint (raw_tp/<name>)");
      return { kind: "raw_tracepoint", name: p.attachTo };
    case "tracing":
      return { kind: "tracing" };
    case "lsm":
      // lsm_cgroup attaches to a cgroup the caller chooses; nothing to pick automatically.
      return p.expectedAttachType === BPF_ATTACH_TYPE.LSM_CGROUP ? undefined : { kind: "tracing" };
    case "iter":
      return { kind: "iter" };
    default:
      return undefined;
  }
}
