/**
 * @bpf-skel/sdk/kernel — the live kernel side: the native layer (koffi, loaded lazily),
 * bpf(2) command encoders for the 6.18 UAPI, errno names, UAPI constants, and KernelTransport.
 * Importing this module does not load koffi; the first kernel call does.
 */
export * from "./uapi.js";
export { Errno, errnoName, errnoNumber, errnoText } from "./errno.js";
export { NativeMemory, MAX_VIEW_LENGTH, errno, nativeAvailable, viewOf, syscallError } from "./native.js";
export { Attr, bpf, bpfAttr, bpfRaw, close, ioctl, mmap, munmap, mount, perfEventOpen, pidfdOpen, read } from "./syscalls.js";
export * from "./attr-layout.js";
export {
  mapCreate, mapDelete, mapFreeze, mapLookup, mapLookupAndDelete, mapLookupBatch, mapLookupInto, mapNextKey,
  mapNextKeyInto, mapUpdate, sanitizeName, type BatchResult, type MapCreateOptions,
} from "./maps.js";
export { progLoad, progTestRun, cString, type ProgLoadOptions } from "./prog.js";
export { btfLoad, linkInfo, mapInfo, objGet, objInfo, objPin, progInfo, type MapInfo, type ProgInfo } from "./objects.js";
export {
  enableStats, iterCreate, linkCreate, linkDetach, rawTracepointOpen, readIterator, readToEnd, type LinkCreateOptions,
} from "./links.js";
export { openTracepointEvent, tracepointId } from "./perf.js";
export { BPFFS, TRACEFS, ensureBpffs, ensureMounted, isMounted, tracefsRoot } from "./mounts.js";
export { KernelMapping } from "./mapping.js";
export { parseCpuList, perCpuValueSize, possibleCpus } from "./cpus.js";
export { KernelTransport } from "../transport/kernel.js";
