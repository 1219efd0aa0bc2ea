/**
 * loadFixture loads a bpf-skel storage fixture on the real kernel for the kernel-storage tests
 * and bench. It is a deliberately small loader for exactly what objects built on
 * storage.bpf.h need — BTF map definitions, global data, bpf-to-bpf calls and bpf_loop
 * callbacks, kfuncs, field-offset CO-RE, tp_btf and syscall programs — kept here until the
 * SDK's live loader (packages/sdk/src/loader) lands; tests then switch to it. The arena is
 * created and mmapped at its map_extra before any program loads (the verifier needs it).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Btf, parseBtf, type BtfComposite, type BtfType } from "@bpf-skel/sdk/btf";
import { readElf, readRelocations, readSymbols, type ElfSection, type ElfSymbol } from "@bpf-skel/sdk/elf";
import { KernelTransport } from "@bpf-skel/sdk/kernel";
import type { LinkFd, MapFd, MappedRegion, ProgFd } from "@bpf-skel/sdk/transport";
import { fieldOffset, readCoreRelos, type CoreRelo } from "./core.js";
import { syntheticBtf } from "./synthetic-btf.js";

const MAP_TYPE = { ARRAY: 2, TASK_STORAGE: 29, CGRP_STORAGE: 32, ARENA: 33 };
const PROG_TYPE = { TRACING: 26, SYSCALL: 31 };
const BPF_TRACE_RAW_TP = 23;
const BPF_F_SLEEPABLE = 16;
const PSEUDO = { MAP_FD: 1, MAP_VALUE: 2, KFUNC_CALL: 2, FUNC: 4, CALL: 1 };

let vmlinux: Btf | undefined;
/** vmlinuxBtf parses /sys/kernel/btf/vmlinux once per process. */
export function vmlinuxBtf(): Btf {
  vmlinux ??= parseBtf(new Uint8Array(readFileSync("/sys/kernel/btf/vmlinux")), { input: "vmlinux" });
  return vmlinux;
}

export interface MapDef {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
}

export interface LoadedFixture extends Disposable {
  readonly transport: KernelTransport;
  readonly maps: ReadonlyMap<string, MapFd>;
  readonly mapDefs: ReadonlyMap<string, MapDef>;
  readonly programs: ReadonlyMap<string, ProgFd>;
  readonly arena: MappedRegion;
  /** sections: each program's ELF section (attach kind). */
  readonly sections: ReadonlyMap<string, string>;
  attach(name: string): LinkFd;
  /** attachAll attaches every tp_btf program. */
  attachAll(filter?: (name: string) => boolean): LinkFd[];
}

function strip(btf: Btf, id: number): BtfType {
  let t = btf.type(id);
  while (t.kind === "typedef" || t.kind === "const" || t.kind === "volatile") t = btf.type(t.type);
  return t;
}

function sizeOf(btf: Btf, id: number): number {
  const t = strip(btf, id);
  if (t.kind === "int" || t.kind === "struct" || t.kind === "union" || t.kind === "enum" || t.kind === "enum64") return t.size;
  if (t.kind === "ptr") return 8;
  if (t.kind === "array") return t.nelems * sizeOf(btf, t.type);
  throw new Error(`no size for BTF ${t.kind}`);
}

/** mapDefs reads libbpf-style BTF map definitions from the `.maps` DATASEC. */
function readMapDefs(btf: Btf): MapDef[] {
  const sec = btf.find(".maps", "datasec");
  if (sec === undefined || sec.kind !== "datasec") return [];
  return sec.vars.map((vi) => {
    const v = btf.type(vi.type);
    if (v.kind !== "var") throw new Error(".maps entry is not a VAR");
    const def = strip(btf, v.type) as BtfComposite;
    const out = { name: v.name, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, mapExtra: 0n };
    for (const m of def.members) {
      const mt = strip(btf, m.type);
      const arrayLen = () => {
        const target = mt.kind === "ptr" ? strip(btf, mt.type) : mt;
        if (target.kind !== "array") throw new Error(`map ${v.name}: ${m.name} is not __uint()`);
        return target.nelems;
      };
      if (m.name === "type") out.type = arrayLen();
      else if (m.name === "max_entries") out.maxEntries = arrayLen();
      else if (m.name === "map_flags") out.flags = arrayLen();
      else if (m.name === "key" && mt.kind === "ptr") out.keySize = sizeOf(btf, mt.type);
      else if (m.name === "value" && mt.kind === "ptr") out.valueSize = sizeOf(btf, mt.type);
      else if (m.name === "map_extra") {
        if (mt.kind === "enum64") out.mapExtra = mt.values[0]!.value;
        else if (mt.kind === "enum") out.mapExtra = BigInt(mt.values[0]!.value >>> 0);
        else out.mapExtra = BigInt(arrayLen());
      }
    }
    return out;
  });
}

/** loadFixture loads every program of `path` (a storage fixture object). */
export function loadFixture(path: string): LoadedFixture {
  const input = basename(path);
  const file = readFileSync(path);
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const elf = readElf(bytes, input);
  const syms = readSymbols(elf);
  const btfSec = elf.section(".BTF")!;
  const btf = parseBtf(btfSec.data, { input });
  const strOff = new DataView(btfSec.data.buffer, btfSec.data.byteOffset).getUint32(16, true) + 24;
  const btfString = (off: number) => {
    const s = btfSec.data.subarray(strOff + off);
    return new TextDecoder().decode(s.subarray(0, s.indexOf(0)));
  };
  const ext = elf.section(".BTF.ext");
  const coreRelos = ext ? readCoreRelos(ext.data, btfString) : [];
  const vm = vmlinuxBtf();

  const t = new KernelTransport();
  try {
    const defs = readMapDefs(btf);
    const storageSizes = [...new Set(defs.filter((d) => d.type === MAP_TYPE.TASK_STORAGE || d.type === MAP_TYPE.CGRP_STORAGE).map((d) => d.valueSize))];
    const sb = syntheticBtf(storageSizes);
    const btfFd = t.loadBtf(sb.bytes);
    const maps = new Map<string, MapFd>();
    const mapDefs = new Map<string, MapDef>();
    let arena: MappedRegion | undefined;
    for (const d of defs) {
      const isStorage = d.type === MAP_TYPE.TASK_STORAGE || d.type === MAP_TYPE.CGRP_STORAGE;
      const fd = t.createMap({
        name: d.name, type: d.type, keySize: d.keySize, valueSize: d.valueSize, maxEntries: d.maxEntries, flags: d.flags,
        mapExtra: d.mapExtra, ...(isStorage ? { btf: { fd: btfFd, keyTypeId: sb.intId, valueTypeId: sb.valueId(d.valueSize) } } : {}),
      });
      maps.set(d.name, fd);
      mapDefs.set(d.name, d);
      if (d.type === MAP_TYPE.ARENA) arena = t.mmapMap(fd, d.maxEntries * 4096, d.mapExtra ? { address: d.mapExtra } : {});
    }
    if (arena === undefined) throw new Error(`${input}: no arena map`);
    // Global data (.bss/.data): one-entry arrays, as libbpf makes them.
    const dataMaps = new Map<number, MapFd>();
    for (const sec of elf.sections) {
      if (sec.name !== ".bss" && sec.name !== ".data" && !sec.name.startsWith(".data.")) continue;
      const size = Math.max(sec.size ?? sec.data.length, 1);
      const fd = t.createMap({ name: sec.name.replace(/^\./, ""), type: MAP_TYPE.ARRAY, keySize: 4, valueSize: size, maxEntries: 1 });
      if (sec.name !== ".bss" && sec.data.length > 0) {
        const v = new Uint8Array(size);
        v.set(sec.data);
        t.updateElem(fd, new Uint8Array(4), v);
      }
      dataMaps.set(sec.index, fd);
      maps.set(sec.name, fd);
    }

    const text = elf.section(".text");
    const relsOf = (sec: ElfSection) => {
      const r = elf.sections.find((s) => s.name === `.rel${sec.name}`);
      return r ? readRelocations(elf, r, syms).relocations : [];
    };
    const funcs = syms.filter((s) => s.type === 2 && s.size > 0);
    const programs = new Map<string, ProgFd>();
    const sections = new Map<string, string>();
    for (const f of funcs) {
      const sec = elf.sections.find((s) => s.index === f.shndx);
      if (f.bind !== 1 || sec === undefined || sec.name === ".text") continue;
      const { insns, starts } = link(sec, f, text, funcs, relsOf, coreRelos, btf, vm, maps, dataMaps, input);
      const fi = new DataView(new ArrayBuffer(8 * starts.length));
      starts.forEach((s, i) => {
        fi.setUint32(i * 8, s, true);
        fi.setUint32(i * 8 + 4, i === 0 ? sb.progFuncId : sb.cbFuncId, true);
      });
      const sys = sec.name === "syscall";
      const tp = sec.name.startsWith("tp_btf/") ? sec.name.slice(7) : undefined;
      if (!sys && tp === undefined) throw new Error(`${input}: section ${sec.name} not supported by the fixture loader`);
      const attachId = tp === undefined ? 0 : vm.find(`btf_trace_${tp}`, "typedef")?.id;
      if (attachId === undefined) throw new Error(`no tracepoint ${tp} in vmlinux BTF`);
      programs.set(f.name, t.loadProgram({
        name: f.name, type: sys ? PROG_TYPE.SYSCALL : PROG_TYPE.TRACING, insns, license: "GPL",
        flags: sys ? BPF_F_SLEEPABLE : 0, btfFd, funcInfo: { recSize: 8, data: new Uint8Array(fi.buffer), count: starts.length },
        ...(tp !== undefined ? { expectedAttachType: BPF_TRACE_RAW_TP, attachBtfId: attachId } : {}),
      }));
      sections.set(f.name, sec.name);
    }
    const attach = (name: string) => t.attachProgram(programs.get(name)!, { kind: "tracing" });
    return {
      transport: t, maps, mapDefs, programs, arena, sections, attach,
      attachAll: (filter = () => true) => [...sections].filter(([n, s]) => s.startsWith("tp_btf/") && filter(n)).map(([n]) => attach(n)),
      [Symbol.dispose]: () => t[Symbol.dispose](),
    };
  } catch (e) {
    t[Symbol.dispose]();
    throw e;
  }
}

/** link copies function f out of its section, appends every .text function it calls or passes
 * as a callback (once, depth first), and patches maps, globals, kfuncs and CO-RE offsets. */
function link(
  sec: ElfSection, f: ElfSymbol, text: ElfSection | undefined, funcs: readonly ElfSymbol[],
  relsOf: (s: ElfSection) => readonly { offset: number; symbol: ElfSymbol }[], core: readonly CoreRelo[], btf: Btf, vm: Btf,
  maps: ReadonlyMap<string, MapFd>, dataMaps: ReadonlyMap<number, MapFd>, input: string,
): { insns: Uint8Array; starts: number[] } {
  const chunks: Uint8Array[] = [];
  let count = 0;
  const starts: number[] = [];
  const placed = new Map<number, number>();
  const queue: { sec: ElfSection; start: number; size: number; at: number }[] = [];
  const place = (s: ElfSection, start: number, size: number) => {
    const at = count;
    chunks.push(s.data.slice(start, start + size));
    count += size / 8;
    starts.push(at);
    queue.push({ sec: s, start, size, at });
    return at;
  };
  const textFn = (off: number) => {
    const hit = placed.get(off);
    if (hit !== undefined) return hit;
    const g = funcs.find((x) => x.shndx === text?.index && x.value === off);
    if (g === undefined || text === undefined) throw new Error(`${input}: no .text function at byte ${off}`);
    const at = place(text, g.value, g.size);
    placed.set(off, at);
    return at;
  };
  place(sec, f.value, f.size);
  for (let q = 0; q < queue.length; q++) {
    const { sec: s, start, size, at } = queue[q]!;
    const code = chunks[q]!;
    const dv = new DataView(code.buffer, code.byteOffset, code.byteLength);
    for (const r of relsOf(s)) {
      if (r.offset < start || r.offset >= start + size) continue;
      const o = r.offset - start;
      const idx = at + o / 8;
      const op = code[o]!;
      const sym = r.symbol;
      const setSrc = (src: number) => (code[o + 1] = (code[o + 1]! & 0x0f) | (src << 4));
      if (op === 0x18) {
        const imm = dv.getInt32(o + 4, true);
        if (maps.has(sym.name) && !sym.name.startsWith(".")) {
          setSrc(PSEUDO.MAP_FD);
          dv.setInt32(o + 4, maps.get(sym.name)!, true);
        } else if (text !== undefined && sym.shndx === text.index) {
          setSrc(PSEUDO.FUNC);
          dv.setInt32(o + 4, textFn(sym.value + imm) - idx - 1, true);
        } else if (dataMaps.has(sym.shndx)) {
          setSrc(PSEUDO.MAP_VALUE);
          dv.setInt32(o + 4, dataMaps.get(sym.shndx)!, true);
          dv.setInt32(o + 12, sym.value + imm, true);
        } else throw new Error(`${input}: ld_imm64 against ${sym.name}`);
      } else if (op === 0x85) {
        if (sym.shndx === 0) {
          const k = vm.find(sym.name, "func");
          if (k === undefined) throw new Error(`${input}: kfunc ${sym.name} not in vmlinux`);
          setSrc(PSEUDO.KFUNC_CALL);
          dv.setInt32(o + 4, k.id, true);
          dv.setInt16(o + 2, 0, true);
        } else {
          const imm = dv.getInt32(o + 4, true);
          dv.setInt32(o + 4, textFn(sym.value + (imm + 1) * 8) - idx - 1, true);
        }
      } else throw new Error(`${input}: relocation on opcode 0x${op.toString(16)}`);
    }
    for (const c of core) {
      if (c.section !== s.name || c.insnOff < start || c.insnOff >= start + size) continue;
      if (c.kind !== 0) throw new Error(`${input}: CO-RE kind ${c.kind} not supported by the fixture loader`);
      const o = c.insnOff - start;
      const off = fieldOffset(btf, vm, c.typeId, c.access);
      const cls = code[o]! & 7;
      if (cls === 1 || cls === 2 || cls === 3) dv.setInt16(o + 2, off, true); // LDX/ST/STX: off
      else dv.setInt32(o + 4, off, true); // ALU (ptr += off), MOV: imm
    }
  }
  const out = new Uint8Array(count * 8);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return { insns: out, starts };
}
