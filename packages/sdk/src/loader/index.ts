/**
 * @bpf-skel/sdk/loader — the live loader: libbpf's `open → load → attach → close` for
 * clang-built BPF objects, over a Transport (the kernel by default). Everything that holds an
 * fd lives here; the object/ layer it builds on is pure.
 */
export { BpfObject, type OpenOptions, type ObjectState, type GlobalVariable } from "./object.js";
export { BpfMap, possibleCpus, type MapKey } from "./bpf-map.js";
export { BpfProgram, iterLinkInfo, type AttachOptions, type IterTarget } from "./bpf-program.js";
export { attachTarget } from "./attach.js";
export { needsBtf } from "./needs-btf.js";
export { kernelSymbols, needsVmlinux } from "./externs.js";
export { programDefinition, type LoadProgramInput } from "./load-programs.js";
export { fillKconfig, kernelConfig, linuxKernelVersion } from "./kconfig.js";
export { vmlinuxBtf, kallsymsAddress, VMLINUX_BTF } from "./vmlinux.js";
export { pidfdOpen } from "./pidfd.js";
