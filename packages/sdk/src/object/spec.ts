/**
 * The object spec: what a clang-built BPF ELF object declares, as plain data. Reading the
 * same bytes anywhere gives the same spec (no fds, no probing; cilium's CollectionSpec,
 * aya-obj's Object). The live layer turns it into maps and programs.
 */
import type { Btf } from "../btf/btf.js";
import type { BtfExt, CoreRelocation, FuncInfo, LineInfo } from "./btf-ext.js";
import type { AttachKind } from "./sections.js";

/**
 * InsnReference is a relocation left symbolic: the instruction at `insn` (an index into
 * the function's or program's instruction stream) refers to something resolved later.
 * - `call` / `func_addr`: a bpf-to-bpf call or a callback address (`ld_imm64` with
 *   BPF_PSEUDO_FUNC) to the subprogram `target`
 * - `map`: `ld_imm64` of map `map` (BPF_PSEUDO_MAP_FD once the fd exists)
 * - `map_value`: `ld_imm64` of `offset` bytes into the value of `map` (global data, arena,
 *   .kconfig; BPF_PSEUDO_MAP_VALUE)
 * - `kfunc`: a call of kernel function `name` (BPF_PSEUDO_KFUNC_CALL + vmlinux BTF id)
 * - `ksym`: `ld_imm64` of kernel variable `name`; typed (BPF_PSEUDO_BTF_ID) or typeless (address)
 */
export type InsnReference =
  | { readonly insn: number; readonly kind: "call" | "func_addr"; readonly target: string }
  | { readonly insn: number; readonly kind: "map"; readonly map: string }
  | { readonly insn: number; readonly kind: "map_value"; readonly map: string; readonly offset: number }
  | { readonly insn: number; readonly kind: "kfunc"; readonly name: string; readonly weak: boolean }
  | { readonly insn: number; readonly kind: "ksym"; readonly name: string; readonly weak: boolean; readonly typed: boolean };

/** FunctionSpec is one BPF function (program or subprogram) cut out of its ELF section. */
export interface FunctionSpec {
  readonly name: string;
  /** ELF section the code lives in. */
  readonly section: string;
  /** First instruction's index inside the section. */
  readonly sectionInsn: number;
  /** Instructions as in the ELF (8 bytes each), relocations not applied. */
  readonly insns: Uint8Array;
  /** Symbolic relocations, `insn` relative to this function. */
  readonly references: readonly InsnReference[];
  /** .BTF.ext records for this function, `insn` relative to this function. */
  readonly funcInfo: readonly FuncInfo[];
  readonly lineInfo: readonly LineInfo[];
  readonly coreRelos: readonly CoreRelocation[];
  /** STB_GLOBAL/WEAK symbol (a global subprogram is verified on its own). */
  readonly global: boolean;
  /** STV_HIDDEN/INTERNAL: a global function the verifier should treat as static. */
  readonly hidden: boolean;
}

/** ProgramSpec is an entry program: a function in a SEC() section the loader knows. */
export interface ProgramSpec extends FunctionSpec {
  /** BPF_PROG_TYPE_*. */
  readonly type: number;
  readonly expectedAttachType: number;
  readonly sleepable: boolean;
  /** false for `?`-prefixed sections. */
  readonly autoload: boolean;
  readonly attach: AttachKind;
  /** Attach target from the section name: `sched/sched_switch`, `sched_switch`, `task`, or "". */
  readonly attachTo: string;
  /** vmlinux BTF name whose id becomes attach_btf_id (`btf_trace_sched_switch`, `bpf_lsm_file_open`). */
  readonly attachBtfName?: string;
  readonly attachBtfKind?: "typedef" | "func";
}

/** MapKind says where a map came from. */
export type MapKind = "btf" | "data" | "rodata" | "bss" | "kconfig";

/** DataVariable is one global variable inside a data map or the arena image. */
export interface DataVariable {
  readonly name: string;
  /** Byte offset in the map value (or the arena). */
  readonly offset: number;
  readonly size: number;
  /** BTF id of the VAR's type (0 when the object has no BTF for it). */
  readonly typeId: number;
  /** static variables and hidden globals are not part of the user-visible skeleton. */
  readonly linkage: "static" | "global" | "extern";
}

/** MapSpec is everything BPF_MAP_CREATE needs, plus where the map came from. */
export interface MapSpec {
  readonly name: string;
  readonly kind: MapKind;
  /** ELF section (".maps", ".data", ".rodata.str1.1"…). */
  readonly section: string;
  /** Offset of the definition inside `.maps` (map identity for relocations). */
  readonly sectionOffset: number;
  /** BPF_MAP_TYPE_*. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
  readonly numaNode: number;
  /** LIBBPF_PIN_* (0 none, 1 by name). */
  readonly pinning: number;
  /** BTF ids of key and value types (0 when absent); a data map's value is its DATASEC. */
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Initial value of data/rodata/bss/kconfig maps (one element; zeros for bss); unset for BTF maps. */
  readonly initial?: Uint8Array;
  /** Global variables inside a data map. */
  readonly variables?: readonly DataVariable[];
  /** Inner map template for map-in-map types. */
  readonly inner?: MapSpec;
  /** Name the kernel sees (≤ 15 chars, libbpf's internal_map_name rules for data maps). */
  readonly kernelName: string;
}

/** ArenaSpec is the initial image of `__arena` globals (`.addr_space.1`) and the arena map that holds it. */
export interface ArenaSpec {
  readonly map: string;
  /** Copied to offset 0 of the arena mapping before programs load (libbpf 1.7 semantics). */
  readonly initial: Uint8Array;
  readonly variables: readonly DataVariable[];
}

/** ExternSpec is one `extern` the object needs resolved (kfunc, ksym or kconfig value). */
export interface ExternSpec {
  readonly name: string;
  readonly kind: "kfunc" | "ksym" | "kconfig";
  readonly weak: boolean;
  /** Local BTF id of the FUNC or VAR. */
  readonly btfId: number;
  /** ksym: has a BTF type other than void (`const void x __ksym` is typeless). */
  readonly typed?: boolean;
  /** kconfig: offset and size of the value inside the `.kconfig` map. */
  readonly offset?: number;
  readonly size?: number;
}

/** ObjectSpec is a parsed BPF object. */
export interface ObjectSpec {
  /** Name of the input as given to readObject (used in errors and internal map names). */
  readonly input: string;
  readonly license: string;
  /** `version` section (obsolete kern_version), 0 when absent. */
  readonly kernVersion: number;
  /** Entry programs, in ELF section order, then by offset. */
  readonly programs: readonly ProgramSpec[];
  /** Functions in `.text` that programs call (bpf-to-bpf calls, callbacks). */
  readonly subprograms: readonly FunctionSpec[];
  readonly maps: readonly MapSpec[];
  readonly arena?: ArenaSpec;
  readonly externs: readonly ExternSpec[];
  /** Object BTF, when the object has a `.BTF` section. */
  readonly btf?: Btf;
  /** The raw `.BTF` bytes (for fix-ups and BPF_BTF_LOAD). */
  readonly btfBytes?: Uint8Array;
  readonly btfExt?: BtfExt;
  /** ELF symbol values of global data variables, by name (DATASEC fix-up input). */
  readonly symbolOffsets: Readonly<Record<string, number>>;
  /** Sizes of data sections by name (DATASEC fix-up input). */
  readonly sectionSizes: Readonly<Record<string, number>>;
}
