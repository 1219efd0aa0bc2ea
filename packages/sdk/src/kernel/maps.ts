import type { MapDefinition } from "../transport/transport.js";
import { Errno } from "./errno.js";
import { MAP_BATCH_ATTR, MAP_CREATE_ATTR, MAP_ELEM_ATTR } from "./attr-layout.js";
import { NativeMemory, syscallError } from "./native.js";
import { Scratch } from "./scratch.js";
import { bpfAttr, bpfRaw, sharedAttr } from "./syscalls.js";
import {
  BPF_MAP_CREATE, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE, BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_AND_DELETE_ELEM,
  BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_ELEM, BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE,
  BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_UPDATE_ELEM, BPF_OBJ_NAME_LEN, bpfCommandName,
} from "./uapi.js";
import { perCpuValueSize } from "./cpus.js";

/** MapCreateOptions is a MapDefinition plus the BPF_MAP_CREATE fields only the kernel has. */
export interface MapCreateOptions extends MapDefinition {
  readonly numaNode?: number;
  readonly ifindex?: number;
  /** btf_vmlinux_value_type_id (struct_ops maps). */
  readonly btfVmlinuxValueTypeId?: number;
  readonly valueTypeBtfObjFd?: number;
}

const C = MAP_CREATE_ATTR.fields;
const E = MAP_ELEM_ATTR.fields;
const B = MAP_BATCH_ATTR.fields;
// Hoisted offsets for the hot path.
const E_MAP_FD = E.map_fd[0];
const E_KEY = E.key[0];
const E_VALUE = E.value[0];
const E_FLAGS = E.flags[0];

/** mapCreate issues BPF_MAP_CREATE and returns the map fd. */
export function mapCreate(def: MapCreateOptions): number {
  const a = sharedAttr()
    .u32(C.map_type[0], def.type)
    .u32(C.key_size[0], def.keySize)
    .u32(C.value_size[0], def.valueSize)
    .u32(C.max_entries[0], def.maxEntries)
    .u32(C.map_flags[0], def.flags ?? 0)
    .u32(C.inner_map_fd[0], def.innerMapFd ?? 0)
    .u32(C.numa_node[0], def.numaNode ?? 0)
    .name(C.map_name[0], BPF_OBJ_NAME_LEN, sanitizeName(def.name))
    .u32(C.map_ifindex[0], def.ifindex ?? 0)
    .u64(C.map_extra[0], def.mapExtra ?? 0n)
    .u32(C.btf_vmlinux_value_type_id[0], def.btfVmlinuxValueTypeId ?? 0)
    .u32(C.value_type_btf_obj_fd[0], def.valueTypeBtfObjFd ?? 0);
  if (def.btf !== undefined) {
    a.u32(C.btf_fd[0], def.btf.fd).u32(C.btf_key_type_id[0], def.btf.keyTypeId).u32(C.btf_value_type_id[0], def.btf.valueTypeId);
  }
  const r = bpfRaw(BPF_MAP_CREATE, a);
  if (r >= 0) return r;
  throw syscallError(bpfCommandName(BPF_MAP_CREATE), -r, `map '${def.name}' type ${def.type}${createHint(def.type, -r)}`);
}

/**
 * createHint explains a refusal whose errno alone misleads: some kernels answer EPERM to every
 * BPF arena even for root with CAP_BPF (our 6.18 CI VM since 2026-12-07), and then no object with
 * an arena, mapped storage included, can load there.
 */
function createHint(type: number, err: number): string {
  if (type === BPF_MAP_TYPE_ARENA && err === Errno.EPERM) return " (BPF_MAP_TYPE_ARENA): this kernel refuses BPF arenas to this process";
  return "";
}

/** sanitizeName keeps the characters the kernel accepts in object names ([A-Za-z0-9_.]). */
export function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, BPF_OBJ_NAME_LEN - 1);
}

const keyScratch = new Scratch();
const valueScratch = new Scratch();
const nextScratch = new Scratch();

/**
 * mapLookupInto copies the value for `key` into `out`; false when there is none (ENOENT).
 * The kernel writes the map's whole value (per-CPU maps: one 8-byte-aligned slot per possible
 * CPU): `capacity` must be at least that, or it writes past the buffer. KernelTransport passes
 * the size it knows; callers with a bare fd must pass it too when `out` is shorter.
 */
export function mapLookupInto(fd: number, key: Uint8Array, out: Uint8Array, flags = 0, capacity = out.length): boolean {
  const k = keyScratch.put(key);
  const v = valueScratch.ensure(Math.max(capacity, out.length));
  const a = sharedAttr();
  a.u32(E_MAP_FD, fd).u64(E_KEY, k.address).u64(E_VALUE, v.address).u64(E_FLAGS, flags);
  const r = bpfRaw(BPF_MAP_LOOKUP_ELEM, a);
  if (r < 0) {
    if (r === -Errno.ENOENT) return false;
    throw syscallError(bpfCommandName(BPF_MAP_LOOKUP_ELEM), -r, `map fd ${fd}`);
  }
  out.set(valueScratch.prefix(out.length));
  return true;
}

/** mapLookup returns a copy of the value for `key` (`valueSize` bytes of it), or undefined. */
export function mapLookup(fd: number, key: Uint8Array, valueSize: number, flags = 0, capacity = valueSize): Uint8Array | undefined {
  const out = new Uint8Array(valueSize);
  return mapLookupInto(fd, key, out, flags, capacity) ? out : undefined;
}

const PERCPU_TYPES = new Set([BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE]);

/** userValueSize is how many bytes one value takes in user space (per-CPU maps: a slot per possible CPU). */
export function userValueSize(type: number, valueSize: number): number {
  return PERCPU_TYPES.has(type) ? perCpuValueSize(valueSize) : valueSize;
}

/** mapLookupAndDelete pops the value for `key` (queues/stacks take an empty key); undefined for ENOENT. */
export function mapLookupAndDelete(fd: number, key: Uint8Array | undefined, valueSize: number, capacity = valueSize): Uint8Array | undefined {
  const k = key === undefined ? undefined : keyScratch.put(key);
  const v = valueScratch.ensure(Math.max(capacity, valueSize));
  const a = sharedAttr().u32(E_MAP_FD, fd).ptr(E_KEY, k).u64(E_VALUE, v.address);
  const r = bpfRaw(BPF_MAP_LOOKUP_AND_DELETE_ELEM, a);
  if (r === -Errno.ENOENT) return undefined;
  if (r < 0) throw syscallError(bpfCommandName(BPF_MAP_LOOKUP_AND_DELETE_ELEM), -r, `map fd ${fd}`);
  return valueScratch.prefix(valueSize).slice();
}

/** mapUpdate writes `value` at `key` (flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK). */
export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags = 0): void {
  const k = keyScratch.put(key);
  const v = valueScratch.put(value);
  const a = sharedAttr();
  a.u32(E_MAP_FD, fd).u64(E_KEY, k.address).u64(E_VALUE, v.address).u64(E_FLAGS, flags);
  const r = bpfRaw(BPF_MAP_UPDATE_ELEM, a);
  if (r < 0) throw syscallError(bpfCommandName(BPF_MAP_UPDATE_ELEM), -r, `map fd ${fd}`);
}

/** mapDelete removes `key`; false when it was not there (ENOENT). */
export function mapDelete(fd: number, key: Uint8Array): boolean {
  const k = keyScratch.put(key);
  const a = sharedAttr();
  a.u32(E_MAP_FD, fd).u64(E_KEY, k.address);
  const r = bpfRaw(BPF_MAP_DELETE_ELEM, a);
  if (r === -Errno.ENOENT) return false;
  if (r < 0) throw syscallError(bpfCommandName(BPF_MAP_DELETE_ELEM), -r, `map fd ${fd}`);
  return true;
}

/** mapNextKeyInto writes the key after `key` (the first key when undefined) into `out`; false at the end. */
export function mapNextKeyInto(fd: number, key: Uint8Array | undefined, out: Uint8Array, capacity = out.length): boolean {
  const k = key === undefined ? undefined : keyScratch.put(key);
  const n = nextScratch.ensure(Math.max(capacity, out.length));
  const a = sharedAttr();
  a.u32(E_MAP_FD, fd).ptr(E_KEY, k).u64(E.next_key[0], n.address);
  const r = bpfRaw(BPF_MAP_GET_NEXT_KEY, a);
  if (r === -Errno.ENOENT) return false;
  if (r < 0) throw syscallError(bpfCommandName(BPF_MAP_GET_NEXT_KEY), -r, `map fd ${fd}`);
  out.set(nextScratch.prefix(out.length));
  return true;
}

/** mapNextKey returns the key after `key` (the first when undefined), or undefined at the end. */
export function mapNextKey(fd: number, key: Uint8Array | undefined, keySize: number): Uint8Array | undefined {
  const out = new Uint8Array(keySize);
  return mapNextKeyInto(fd, key, out) ? out : undefined;
}

/** mapFreeze makes a map read-only for user space (BPF_MAP_FREEZE). */
export function mapFreeze(fd: number): void {
  bpfAttr(BPF_MAP_FREEZE, sharedAttr().u32(E_MAP_FD, fd), `map fd ${fd}`);
}

/** BatchResult is one BPF_MAP_LOOKUP_BATCH step. */
export interface BatchResult {
  /** `count` keys, `keySize` bytes each, back to back. */
  readonly keys: Uint8Array;
  /** `count` values, `valueSize` bytes each (per-CPU maps: round_up(value, 8) × possible CPUs). */
  readonly values: Uint8Array;
  readonly count: number;
  /** Token to pass as `inBatch` for the next step; undefined when the walk is done. */
  readonly nextBatch: Uint8Array | undefined;
}

/**
 * mapLookupBatch reads up to `count` entries starting after `inBatch` (from the start when
 * undefined). Hash maps use a 4-byte bucket token, arrays a key: the token buffers are
 * max(keySize, 8) bytes either way.
 */
export function mapLookupBatch(
  fd: number,
  opts: { keySize: number; valueSize: number; count: number; inBatch?: Uint8Array; elemFlags?: number },
): BatchResult {
  const tokenSize = Math.max(opts.keySize, 8);
  using inB = opts.inBatch === undefined ? undefined : NativeMemory.copyOf(opts.inBatch, tokenSize);
  using outB = new NativeMemory(tokenSize);
  using keys = new NativeMemory(opts.keySize * opts.count);
  using values = new NativeMemory(opts.valueSize * opts.count);
  const a = sharedAttr()
    .ptr(B.in_batch[0], inB)
    .ptr(B.out_batch[0], outB)
    .ptr(B.keys[0], keys)
    .ptr(B.values[0], values)
    .u32(B.count[0], opts.count)
    .u32(B.map_fd[0], fd)
    .u64(B.elem_flags[0], opts.elemFlags ?? 0);
  const r = bpfRaw(BPF_MAP_LOOKUP_BATCH, a);
  if (r < 0 && r !== -Errno.ENOENT) throw syscallError(bpfCommandName(BPF_MAP_LOOKUP_BATCH), -r, `map fd ${fd}`);
  const count = a.getU32(B.count[0]);
  return {
    keys: keys.bytes.slice(0, count * opts.keySize),
    values: values.bytes.slice(0, count * opts.valueSize),
    count,
    // ENOENT means the walk reached the end (bpf.h); the entries read so far are still valid.
    nextBatch: r === -Errno.ENOENT ? undefined : outB.bytes.slice(0, tokenSize),
  };
}
