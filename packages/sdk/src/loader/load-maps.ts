import { existsSync } from "node:fs";
import { LoaderError, isBpfSyscallError } from "../errors/index.js";
import { objGet, objPin, mapInfo } from "../kernel/objects.js";
import { BPF_F, BPF_MAP_TYPE } from "../object/maps.js";
import type { MapSpec, ObjectSpec } from "../object/spec.js";
import type { BtfFd, MapDefinition, MapFd, MappedRegion, Transport } from "../transport/transport.js";
import type { DisposableStack } from "../util/disposable-stack.js";
import { fillKconfig } from "./kconfig.js";

const PAGE_SIZE = 4096;
/** Map types libbpf creates without BTF key/value ids: the kernel has no use for them there. */
const NO_BTF = new Set<number>([
  BPF_MAP_TYPE.PERF_EVENT_ARRAY, 7 /* STACK_TRACE */, 8 /* CGROUP_ARRAY */, BPF_MAP_TYPE.ARRAY_OF_MAPS, BPF_MAP_TYPE.HASH_OF_MAPS,
  14 /* DEVMAP */, 17 /* SOCKMAP */, 16 /* CPUMAP */, 18 /* XSKMAP */, 15 /* SOCKHASH */, 25 /* DEVMAP_HASH */,
  BPF_MAP_TYPE.RINGBUF, 31 /* USER_RINGBUF */, BPF_MAP_TYPE.ARENA,
]);
/** Local storage maps: the kernel refuses them without BTF key/value ids. */
const NEEDS_BTF = new Set<number>([24 /* SK */, 28 /* INODE */, BPF_MAP_TYPE.TASK_STORAGE, BPF_MAP_TYPE.CGRP_STORAGE]);

/** LiveMap is a created map: its (edited) spec, fd, and mapping when mmapable. */
export interface LiveMap {
  readonly spec: MapSpec;
  readonly fd: MapFd;
  readonly region?: MappedRegion;
  /** true when the map came from an existing pin (LIBBPF_PIN_BY_NAME) and was not populated. */
  readonly reused: boolean;
}

export interface CreateMapsInput {
  readonly spec: ObjectSpec;
  /** Maps in spec order, with the user's edits applied. */
  readonly maps: readonly MapSpec[];
  /** Initial bytes of data maps by map name (edited by the user before load). */
  readonly initial: ReadonlyMap<string, Uint8Array>;
  readonly transport: Transport;
  /** The loaded object BTF, when it loaded (map key/value ids refer to it). */
  readonly btfFd?: BtfFd;
  /** Directory for LIBBPF_PIN_BY_NAME maps; undefined disables pinning. */
  readonly pinRoot?: string;
  readonly stack: DisposableStack;
  /** Called with each path pinned during this load (unpinned again if the load fails). */
  readonly onPinned: (path: string) => void;
}

/**
 * createMaps creates every map in libbpf's order (`bpf_object__create_maps()`): inner map
 * templates before their outer maps, BTF key/value ids where the object has them (retrying
 * without BTF where the map type does not need it), `.data`/`.rodata`/`.bss`/`.kconfig`
 * populated from their (edited) initial bytes, `.rodata`/`.kconfig` frozen, mmapable maps
 * mapped — the arena at its `map_extra` address with the `.addr_space.1` image copied in —
 * all before any program loads. Every fd and mapping goes on `stack`.
 */
export function createMaps(inp: CreateMapsInput): Map<string, LiveMap> {
  const { spec, transport: t, stack } = inp;
  const out = new Map<string, LiveMap>();
  for (const m of inp.maps) {
    const place = { input: spec.input, section: m.section, symbol: m.name };
    if (m.type === BPF_MAP_TYPE.STRUCT_OPS) throw new LoaderError(`map '${m.name}': struct_ops maps are not supported by this loader`, place);
    const pinPath = inp.pinRoot !== undefined && m.pinning === 1 ? `${inp.pinRoot}/${m.name}` : undefined;
    if (pinPath !== undefined && existsSync(pinPath)) {
      const fd = stack.adopt(objGet(pinPath) as MapFd, (fd) => t.close(fd));
      checkPinned(m, fd, pinPath, place);
      out.set(m.name, { spec: m, fd, reused: true });
      continue;
    }
    let inner: MapFd | undefined;
    if (m.inner !== undefined) inner = create(t, m.inner, inp.btfFd, undefined, place);
    let fd: MapFd;
    try {
      fd = create(t, m, inp.btfFd, inner, place);
    } finally {
      // The kernel copies what it needs from the template; libbpf closes it right away too.
      if (inner !== undefined) t.close(inner);
    }
    stack.adopt(fd, (x) => t.close(x));
    if (pinPath !== undefined) {
      objPin(fd, pinPath);
      inp.onPinned(pinPath);
    }
    out.set(m.name, { spec: m, fd, reused: false, ...prepare(m, fd, inp, place) });
  }
  return out;
}

/** create issues BPF_MAP_CREATE, with BTF ids when there are some. */
function create(t: Transport, m: MapSpec, btfFd: BtfFd | undefined, inner: MapFd | undefined, place: object): MapFd {
  const base: MapDefinition & { numaNode?: number } = {
    name: m.kernelName,
    type: m.type,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    flags: m.flags,
    mapExtra: m.mapExtra,
    numaNode: m.numaNode,
    ...(inner !== undefined ? { innerMapFd: inner } : {}),
  };
  const withBtf = btfFd !== undefined && !NO_BTF.has(m.type) && (m.btfKeyTypeId !== 0 || m.btfValueTypeId !== 0);
  if (!withBtf) {
    if (NEEDS_BTF.has(m.type)) throw new LoaderError(`map '${m.name}' is local storage, which needs the object's BTF`, place);
    return t.createMap(base);
  }
  try {
    return t.createMap({ ...base, btf: { fd: btfFd, keyTypeId: m.btfKeyTypeId, valueTypeId: m.btfValueTypeId } });
  } catch (e) {
    // libbpf retries without BTF when the kernel dislikes the types of a map that does not need them.
    if (NEEDS_BTF.has(m.type) || !isBpfSyscallError(e) || e.errno !== 22 /* EINVAL */) throw e;
    return t.createMap(base);
  }
}

/** prepare populates, freezes and maps one freshly created map. */
function prepare(m: MapSpec, fd: MapFd, inp: CreateMapsInput, place: object): { region?: MappedRegion } {
  const t = inp.transport;
  if (m.type === BPF_MAP_TYPE.ARENA) {
    const length = m.maxEntries * PAGE_SIZE;
    // The verifier needs the arena's user address (map_extra or an mmap) before programs load.
    const region = inp.stack.use(t.mmapMap(fd, length, m.mapExtra !== 0n ? { address: m.mapExtra } : {}));
    const image = inp.spec.arena?.map === m.name ? inp.spec.arena.initial : undefined;
    if (image !== undefined && image.length > 0) {
      if (image.length > length) throw new LoaderError(`arena image of ${image.length} bytes does not fit ${length}`, place);
      new Uint8Array(region.buffer, 0, image.length).set(image);
    }
    return { region };
  }
  if (m.kind === "btf") return {};
  const value = new Uint8Array(m.valueSize);
  value.set((inp.initial.get(m.name) ?? m.initial ?? new Uint8Array(0)).subarray(0, m.valueSize));
  if (m.kind === "kconfig") fillKconfig(value, m.variables ?? [], inp.spec.externs, inp.spec.btf!, inp.spec.input);
  if (m.kind !== "bss" || value.some((b) => b !== 0)) t.updateElem(fd, new Uint8Array(4), value);
  const readOnly = m.kind === "rodata" || m.kind === "kconfig";
  if (readOnly) t.freezeMap(fd);
  if ((m.flags & BPF_F.MMAPABLE) === 0) return {};
  // A frozen map only maps read-only; the kernel refuses a writable mapping of it.
  return { region: inp.stack.use(t.mmapMap(fd, m.valueSize, { readOnly })) };
}

/** checkPinned refuses to reuse a pinned map whose definition differs (libbpf `map_is_reuse_compat()`). */
function checkPinned(m: MapSpec, fd: MapFd, path: string, place: object): void {
  const info = mapInfo(fd);
  const want = { type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags };
  const have = { type: info.type, keySize: info.keySize, valueSize: info.valueSize, maxEntries: info.maxEntries, flags: info.flags };
  const diff = (Object.keys(want) as (keyof typeof want)[]).filter((k) => want[k] !== have[k]);
  if (diff.length > 0) {
    throw new LoaderError(`pinned map at ${path} differs in ${diff.map((k) => `${k} (${have[k]} vs ${want[k]})`).join(", ")}`, place);
  }
}
