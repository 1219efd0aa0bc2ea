import { CORE_KIND_NAMES } from "./btf-ext.js";
import type { FunctionSpec, MapSpec, ObjectSpec } from "./spec.js";

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/** insnHex lists instructions as 16-hex-digit strings, one per 8-byte slot. */
export function insnHex(insns: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < insns.length; i += 8) out.push(hex(insns.subarray(i, i + 8)));
  return out;
}

function fn(f: FunctionSpec): Record<string, unknown> {
  return {
    name: f.name,
    section: f.section,
    sectionInsn: f.sectionInsn,
    global: f.global,
    hidden: f.hidden,
    insns: insnHex(f.insns),
    references: f.references,
    funcInfo: f.funcInfo,
    lineInfo: f.lineInfo.map((l) => `${l.insn}: line ${l.line}:${l.column}`),
    coreRelos: f.coreRelos.map((c) => ({ insn: c.insn, typeId: c.typeId, access: c.access, kind: CORE_KIND_NAMES[c.kind] })),
  };
}

function map(m: MapSpec): Record<string, unknown> {
  return {
    ...m,
    mapExtra: `0x${m.mapExtra.toString(16)}`,
    initial: m.initial ? hex(m.initial) : undefined,
    inner: m.inner ? map(m.inner) : undefined,
  };
}

/**
 * dumpObjectSpec renders a spec as plain JSON-able data for golden files: bytes as hex,
 * bigints as hex strings, BTF as a type count. Deterministic; no paths beyond `input`.
 */
export function dumpObjectSpec(spec: ObjectSpec): Record<string, unknown> {
  return {
    input: spec.input,
    license: spec.license,
    kernVersion: spec.kernVersion,
    programs: spec.programs.map((p) => {
      const { type, expectedAttachType, sleepable, autoload, attach, attachTo, attachBtfName, attachBtfKind } = p;
      return { type, expectedAttachType, sleepable, autoload, attach, attachTo, attachBtfName, attachBtfKind, ...fn(p) };
    }),
    subprograms: spec.subprograms.map(fn),
    maps: spec.maps.map(map),
    arena: spec.arena ? { ...spec.arena, initial: hex(spec.arena.initial) } : undefined,
    externs: spec.externs,
    btf: spec.btf ? { types: spec.btf.types.length, bytes: spec.btfBytes?.length } : undefined,
    symbolOffsets: spec.symbolOffsets,
    sectionSizes: spec.sectionSizes,
  };
}
