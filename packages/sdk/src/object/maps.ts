import type { Btf } from "../btf/btf.js";
import { resolveId, sizeOf } from "../btf/layout.js";
import type { BtfComposite, BtfType } from "../btf/types.js";
import { LoaderError } from "../errors/index.js";
import type { MapSpec } from "./spec.js";

/** BPF_MAP_TYPE_* values the spec layer names (uapi bpf.h). */
export const BPF_MAP_TYPE = {
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  STRUCT_OPS: 26,
  RINGBUF: 27,
  TASK_STORAGE: 29,
  CGRP_STORAGE: 32,
  ARENA: 33,
} as const;

/** Map flags the spec layer sets or checks. */
export const BPF_F = { NO_PREALLOC: 1, RDONLY_PROG: 128, MMAPABLE: 1024 } as const;

interface Place {
  readonly input: string;
}

/**
 * mapFromBtf decodes one BTF-defined map (libbpf `parse_btf_map_def()`): `varName`'s type is a
 * struct whose members encode attributes — `__uint(x, n)` as `int (*x)[n]`, `__type(x, T)` as
 * `T *x`, `__ulong(x, n)` as an enum with one enumerator `n`, `__array(values, T)` as `T *values[]`.
 */
export function mapFromBtf(
  btf: Btf,
  varName: string,
  typeId: number,
  sectionOffset: number,
  place: Place,
  inner = false,
): MapSpec {
  const fail = (reason: string): never => {
    throw new LoaderError(`map '${varName}': ${reason}`, { input: place.input, section: ".maps", symbol: varName, typeId });
  };
  const def = btf.get(resolveId(btf, typeId));
  if (def === undefined || def.kind !== "struct") fail("definition is not a struct");
  let type = 0;
  let keySize = 0;
  let valueSize = 0;
  let maxEntries = 0;
  let flags = 0;
  let numaNode = 0;
  let pinning = 0;
  let mapExtra = 0n;
  let btfKeyTypeId = 0;
  let btfValueTypeId = 0;
  let innerSpec: MapSpec | undefined;
  let keySizeSet = false;
  let valueSizeSet = false;

  const uint = (name: string, memberType: number): number => {
    const p = btf.get(resolveId(btf, memberType));
    if (p?.kind !== "ptr") fail(`attribute '${name}' is not a pointer (use __uint)`);
    const arr = btf.get((p as { type: number }).type);
    if (arr?.kind !== "array") fail(`attribute '${name}' does not point to an array (use __uint)`);
    return (arr as { nelems: number }).nelems;
  };
  const typed = (name: string, memberType: number): { id: number; size: number } => {
    const p = btf.get(resolveId(btf, memberType));
    if (p?.kind !== "ptr") fail(`attribute '${name}' is not a pointer (use __type)`);
    const id = (p as { type: number }).type;
    let size = 0;
    try {
      size = sizeOf(btf, id);
    } catch (e) {
      fail(`cannot size the ${name} type (${(e as Error).message})`);
    }
    return { id, size };
  };

  const members = (def as BtfComposite).members;
  members.forEach((m, i) => {
    switch (m.name) {
      case "type":
        type = uint(m.name, m.type);
        break;
      case "max_entries":
        maxEntries = uint(m.name, m.type);
        break;
      case "map_flags":
        flags = uint(m.name, m.type);
        break;
      case "numa_node":
        numaNode = uint(m.name, m.type);
        break;
      case "pinning":
        pinning = uint(m.name, m.type);
        if (pinning > 1) fail(`unsupported pinning ${pinning} (only LIBBPF_PIN_BY_NAME = 1)`);
        break;
      case "key_size": {
        const n = uint(m.name, m.type);
        if (keySizeSet && n !== keySize) fail(`key_size ${n} conflicts with the key type's size ${keySize}`);
        keySize = n;
        keySizeSet = true;
        break;
      }
      case "value_size": {
        const n = uint(m.name, m.type);
        if (valueSizeSet && n !== valueSize) fail(`value_size ${n} conflicts with the value type's size ${valueSize}`);
        valueSize = n;
        valueSizeSet = true;
        break;
      }
      case "key": {
        const k = typed(m.name, m.type);
        if (keySizeSet && k.size !== keySize) fail(`key type size ${k.size} conflicts with key_size ${keySize}`);
        keySize = k.size;
        keySizeSet = true;
        btfKeyTypeId = k.id;
        break;
      }
      case "value": {
        const v = typed(m.name, m.type);
        if (valueSizeSet && v.size !== valueSize) fail(`value type size ${v.size} conflicts with value_size ${valueSize}`);
        valueSize = v.size;
        valueSizeSet = true;
        btfValueTypeId = v.id;
        break;
      }
      case "map_extra":
        mapExtra = extra(btf, m.type, fail);
        break;
      case "values": {
        if (i !== members.length - 1) fail("'values' must be the last member");
        if (inner) fail("an inner map cannot have 'values'");
        innerSpec = values(btf, varName, m.type, place, fail);
        valueSize = 4;
        valueSizeSet = true;
        break;
      }
      default:
        fail(`unknown attribute '${m.name}'`);
    }
  });
  if (type === 0) fail("no map type");
  const name = inner ? `${varName}.inner` : varName;
  return {
    name,
    kind: "btf",
    section: ".maps",
    sectionOffset,
    type,
    keySize,
    valueSize,
    maxEntries,
    flags,
    mapExtra,
    numaNode,
    pinning,
    btfKeyTypeId,
    btfValueTypeId,
    ...(innerSpec ? { inner: innerSpec } : {}),
    kernelName: kernelName(name),
  };
}

/** extra decodes map_extra: `__uint` (u32) or `__ulong` (an enum whose single enumerator holds a u64). */
function extra(btf: Btf, memberType: number, fail: (r: string) => never): bigint {
  const t: BtfType | undefined = btf.get(resolveId(btf, memberType));
  if (t?.kind === "ptr") {
    const arr = btf.get(t.type);
    if (arr?.kind === "array") return BigInt(arr.nelems);
  }
  if ((t?.kind === "enum" || t?.kind === "enum64") && t.values.length === 1) {
    const v = BigInt(t.values[0]!.value);
    return BigInt.asUintN(64, v);
  }
  return fail("map_extra is neither __uint nor __ulong");
}

/** values decodes `__array(values, T)`: an inner map definition (struct) or a prog array (func proto). */
function values(btf: Btf, varName: string, memberType: number, place: Place, fail: (r: string) => never): MapSpec | undefined {
  const arr = btf.get(resolveId(btf, memberType));
  if (arr?.kind !== "array" || arr.nelems !== 0) fail("'values' must be a zero-length array (use __array)");
  const p = btf.get(resolveId(btf, (arr as { type: number }).type));
  if (p?.kind !== "ptr") fail("'values' elements must be pointers");
  const target = btf.get(resolveId(btf, (p as { type: number }).type));
  if (target?.kind === "func_proto") return undefined;
  if (target?.kind !== "struct") fail("'values' must point to a map definition or a function prototype");
  return mapFromBtf(btf, varName, (target as BtfType).id, 0, place, true);
}

/** kernelName sanitises a map name as libbpf does: 15 characters from [A-Za-z0-9_.], others as `_`. */
export function kernelName(name: string): string {
  return name.slice(0, 15).replace(/[^A-Za-z0-9_.]/g, "_");
}

/**
 * internalMapName is libbpf's `internal_map_name()`: `.data`/`.rodata`/`.bss`/`.kconfig` get
 * a prefix of the object name (`globals.rodata`); custom sections (`.data.foo`) keep the section name.
 */
export function internalMapName(objectName: string, section: string): string {
  const sfxLen = Math.max(7, section.length);
  const custom = section.indexOf(".", 1) >= 0;
  const pfxLen = sfxLen >= 16 || custom ? 0 : Math.min(16 - sfxLen - 1, objectName.length);
  return kernelName(objectName.slice(0, pfxLen) + section);
}
