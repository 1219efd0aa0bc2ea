import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requirement } from "../../../../test/support/env.js";
import { parseBtf } from "../../src/btf/parse.js";
import {
  ATTR_LAYOUTS, LINK_INFO, MAP_INFO, PERF_EVENT_ATTR, PROG_INFO, type AttrLayout,
} from "../../src/kernel/attr-layout.js";
import { BPF_ATTR_SIZE } from "../../src/kernel/uapi.js";
import * as uapi from "../../src/kernel/uapi.js";

// The truth is the running kernel's BTF. Two readers: our parseBtf, and bpftool's JSON dump
// (a reader we did not write) when bpftool is installed; both must agree with the tables.
const VMLINUX = "/sys/kernel/btf/vmlinux";

interface T {
  kind: string;
  name: string;
  size?: number;
  type?: number;
  nelems?: number;
  members?: { name: string; type: number; bitOffset: number }[];
  values?: { name: string; value: number | bigint }[];
}
type Lookup = { get(id: number): T; byName(name: string, kind: string): T | undefined; enums(): T[] };

function fromParseBtf(): Lookup {
  const btf = parseBtf(new Uint8Array(readFileSync(VMLINUX)), { input: "vmlinux" });
  return {
    get: (id) => btf.type(id) as unknown as T,
    byName: (name, kind) => btf.find(name, kind as never) as unknown as T | undefined,
    enums: () => {
      const out: T[] = [];
      for (let id = 1; id < btf.count; id++) {
        const t = btf.get(id);
        if (t?.kind === "enum" || t?.kind === "enum64") out.push(t as unknown as T);
      }
      return out;
    },
  };
}

function fromBpftool(): Lookup | undefined {
  let json: string;
  try {
    json = execFileSync("bpftool", ["btf", "dump", "file", VMLINUX, "format", "raw", "-j"], { maxBuffer: 256 << 20 }).toString();
  } catch {
    return undefined;
  }
  const raw = JSON.parse(json).types as Record<string, unknown>[];
  const byId = new Map<number, T>();
  for (const r of raw) {
    const t: T = { kind: String(r.kind).toLowerCase(), name: r.name === "(anon)" ? "" : String(r.name) };
    if (typeof r.size === "number") t.size = r.size;
    if (typeof r.type_id === "number") t.type = r.type_id;
    if (typeof r.nr_elems === "number") t.nelems = r.nr_elems;
    if (Array.isArray(r.members)) {
      t.members = r.members.map((m: Record<string, unknown>) => ({
        name: m.name === "(anon)" ? "" : String(m.name), type: Number(m.type_id), bitOffset: Number(m.bits_offset),
      }));
    }
    if (Array.isArray(r.values)) t.values = r.values.map((v: Record<string, unknown>) => ({ name: String(v.name), value: Number(v.val) }));
    byId.set(Number(r.id), t);
  }
  return {
    get: (id) => byId.get(id)!,
    byName: (name, kind) => [...byId.values()].find((t) => t.name === name && t.kind === kind),
    enums: () => [...byId.values()].filter((t) => t.kind === "enum" || t.kind === "enum64"),
  };
}

function sizeOf(l: Lookup, id: number): number {
  const t = l.get(id);
  switch (t.kind) {
    case "typedef": case "const": case "volatile": case "restrict": case "type_tag":
      return sizeOf(l, t.type!);
    case "ptr":
      return 8;
    case "array":
      return t.nelems! * sizeOf(l, t.type!);
    default:
      return t.size!;
  }
}

/** flatten lists every field of a struct/union as path → [offset, size]; anonymous members merge in. */
function flatten(l: Lookup, id: number, base = 0, prefix = "", out = new Map<string, [number, number]>()) {
  let t = l.get(id);
  while (t.kind === "typedef" || t.kind === "const" || t.kind === "volatile") t = l.get(t.type!);
  for (const m of t.members ?? []) {
    const off = base + m.bitOffset / 8;
    let mt = l.get(m.type);
    while (mt.kind === "typedef" || mt.kind === "const" || mt.kind === "volatile") mt = l.get(mt.type!);
    const composite = mt.kind === "struct" || mt.kind === "union";
    if (m.name === "" && composite) flatten(l, m.type, off, prefix, out);
    else {
      out.set(prefix + m.name, [off, sizeOf(l, m.type)]);
      if (composite) flatten(l, m.type, off, `${prefix}${m.name}.`, out);
    }
  }
  return out;
}

/** groupFields finds the member of union bpf_attr that a layout describes and flattens it. */
function groupFields(l: Lookup, layout: AttrLayout): Map<string, [number, number]> {
  const attr = l.byName("bpf_attr", "union")!;
  for (const m of attr.members!) {
    const fields = flatten(l, m.type);
    if (m.name === layout.group) return fields;
    if (m.name === "" && fields.has(layout.group) && fields.get(layout.group)![0] === 0) return fields;
  }
  throw new Error(`no member of union bpf_attr for group ${layout.group}`);
}

function checkAll(l: Lookup): void {
  const attr = l.byName("bpf_attr", "union");
  expect(attr?.size).toBe(BPF_ATTR_SIZE);
  let checked = 0;
  for (const layout of ATTR_LAYOUTS) {
    const truth = groupFields(l, layout);
    for (const [name, field] of Object.entries(layout.fields)) {
      expect([layout.group, name, truth.get(name)]).toEqual([layout.group, name, [...field]]);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(100);
  for (const [struct, table] of [["bpf_map_info", MAP_INFO], ["bpf_prog_info", PROG_INFO], ["perf_event_attr", PERF_EVENT_ATTR]] as const) {
    const t = l.byName(struct, "struct")!;
    expect([struct, t.size]).toEqual([struct, table.size]);
    const truth = flatten(l, idOf(l, struct));
    for (const [name, field] of Object.entries(table.fields)) expect([struct, name, truth.get(name)]).toEqual([struct, name, [...field]]);
  }
  const link = flatten(l, idOf(l, "bpf_link_info"));
  for (const [name, field] of Object.entries(LINK_INFO.fields)) expect(link.get(name)).toEqual([...field]);
}

function idOf(l: Lookup, structName: string): number {
  // find the id by scanning ids until the named struct appears (both lookups number types the same way)
  for (let id = 1; ; id++) {
    const t = l.get(id);
    if (t === undefined) throw new Error(`no struct ${structName}`);
    if (t.name === structName && t.kind === "struct") return id;
  }
}

function checkEnums(l: Lookup): void {
  const values = new Map<string, Set<number>>();
  for (const e of l.enums()) for (const v of e.values ?? []) {
    const set = values.get(v.name) ?? new Set<number>();
    set.add(Number(v.value));
    values.set(v.name, set);
  }
  let matched = 0;
  for (const [name, value] of Object.entries(uapi)) {
    if (typeof value !== "number" || !values.has(name)) continue;
    expect(values.get(name)!.has(value), `${name} = ${value}, kernel says ${[...values.get(name)!]}`).toBe(true);
    matched++;
  }
  // commands, map/prog/attach/link types and flags all live in BTF enums
  expect(matched).toBeGreaterThan(100);
}

describe.skipIf(requirement(existsSync(VMLINUX) ? undefined : "no /sys/kernel/btf/vmlinux"))("bpf_attr layout vs vmlinux BTF", () => {
  it("every attr field offset and size matches union bpf_attr (parseBtf)", () => {
    checkAll(fromParseBtf());
  });

  it("every UAPI constant that the kernel names in a BTF enum has the kernel's value", () => {
    checkEnums(fromParseBtf());
  });

  it("bpftool's reading of the same BTF agrees (independent reader)", () => {
    const l = fromBpftool();
    if (l === undefined) {
      // bpftool is a baseline tool, installed by .ci/run; without it the parseBtf checks above still hold
      if (requirement("bpftool not installed")) return;
      return;
    }
    checkAll(l);
    checkEnums(l);
  });
});
