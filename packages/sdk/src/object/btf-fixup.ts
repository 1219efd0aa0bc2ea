import { Btf } from "../btf/btf.js";
import type { BtfDatasec, BtfFunc, BtfFuncProto, BtfInt, BtfType, BtfVar } from "../btf/types.js";
import { encodeBtf } from "../btf/encode.js";
import { LoaderError } from "../errors/index.js";
import { btfString, btfStrings } from "./btf-ext.js";
import type { ObjectSpec } from "./spec.js";

const DUMMY = "dummy_ksym";

/**
 * fixupBtf returns the object's BTF as the kernel's BPF_BTF_LOAD accepts it (libbpf
 * `btf_fixup_datasec()`, `bpf_object__collect_externs()`, `bpf_object__sanitize_and_load_btf()`):
 * - DATASEC sizes from the ELF sections and global VAR offsets from the ELF symbols (clang
 *   leaves both 0), secinfos sorted by offset;
 * - `.ksyms`: FUNC entries point at a dummy `int` VAR, extern FUNCs become GLOBAL with named
 *   parameters, VARs become GLOBAL_ALLOCATED `int`s, 4 bytes each;
 * - `.kconfig`: VARs become GLOBAL_ALLOCATED at their slot in the `.kconfig` map;
 * - any other extern FUNC becomes GLOBAL (6.18 rejects linkage > GLOBAL), hidden global
 *   subprograms become STATIC so the verifier checks them in their callers' context, and
 *   hidden global variables become STATIC VARs (libbpf: they do not make a map mmapable).
 * The spec is not changed; ids stay the same (new types are appended).
 */
export function fixupBtf(spec: ObjectSpec): Btf {
  const btf = spec.btf;
  if (btf === undefined) throw new LoaderError("object has no BTF to fix up", { input: spec.input });
  const types: BtfType[] = btf.types.slice();
  const set = (t: BtfType) => {
    types[t.id - 1] = t;
  };
  const add = (t: Omit<BtfType, "id">): number => {
    const id = types.length + 1;
    types.push({ ...t, id } as BtfType);
    return id;
  };
  let intId = types.find((t) => t.kind === "int" && t.name === "int" && t.size === 4)?.id;
  const int = () => (intId ??= add({ kind: "int", name: "int", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false } as Omit<BtfInt, "id">));
  let dummyId: number | undefined;
  const dummy = () => (dummyId ??= add({ kind: "var", name: DUMMY, type: int(), linkage: "global" } as Omit<BtfVar, "id">));
  const kconfig = new Map(spec.externs.filter((e) => e.kind === "kconfig").map((e) => [e.btfId, e]));
  const hidden = new Set(spec.subprograms.filter((f) => f.global && f.hidden).map((f) => f.name));

  for (const t of btf.types) {
    if (t.kind === "func" && t.linkage === "global" && hidden.has(t.name)) set({ ...t, linkage: "static" });
    if (t.kind === "func" && t.linkage === "extern") set({ ...t, linkage: "global" });
    if (t.kind !== "datasec") continue;
    if (t.name === ".ksyms") {
      const vars = t.vars.map((vsi, i) => {
        const v = types[vsi.type - 1]!;
        if (v.kind === "func") {
          nameParams(types, v, set);
          return { type: dummy(), offset: 4 * i, size: 4 };
        }
        if (v.kind === "var") set({ ...v, type: int(), linkage: "global" });
        return { type: vsi.type, offset: 4 * i, size: 4 };
      });
      set({ ...t, size: 4 * vars.length, vars } as BtfDatasec);
    } else if (t.name === ".kconfig") {
      const size = spec.maps.find((m) => m.kind === "kconfig")?.valueSize ?? 0;
      const vars = t.vars.map((vsi) => {
        const e = kconfig.get(vsi.type);
        const v = types[vsi.type - 1] as BtfVar;
        set({ ...v, linkage: "global" });
        return { ...vsi, offset: e?.offset ?? vsi.offset, size: e?.size ?? vsi.size };
      });
      set({ ...t, size, vars: vars.sort((a, b) => a.offset - b.offset) } as BtfDatasec);
    } else {
      const size = t.size !== 0 ? t.size : spec.sectionSizes[t.name];
      if (size === undefined) throw new LoaderError(`DATASEC '${t.name}' has no ELF section to take its size from`, { input: spec.input, section: t.name, typeId: t.id });
      const hiddenVars = new Set(spec.maps.filter((m) => m.section === t.name).flatMap((m) => m.variables ?? []).filter((x) => x.linkage === "static").map((x) => x.name));
      const vars = t.vars.map((vsi) => {
        const v = types[vsi.type - 1] as BtfVar;
        if (v.kind !== "var" || v.linkage !== "global") return vsi;
        if (hiddenVars.has(v.name)) set({ ...v, linkage: "static" });
        const off = spec.symbolOffsets[v.name];
        if (off === undefined) throw new LoaderError(`variable '${v.name}' in DATASEC '${t.name}' has no ELF symbol`, { input: spec.input, section: t.name, symbol: v.name });
        return { ...vsi, offset: off };
      });
      set({ ...t, size, vars: vars.sort((a, b) => a.offset - b.offset) } as BtfDatasec);
    }
  }
  return new Btf(types, { byteOrder: btf.byteOrder, input: `${btf.input} (fixed up)` });
}

/** nameParams gives unnamed parameters of an extern FUNC's prototype a name, and makes the FUNC global. */
function nameParams(types: BtfType[], fn: BtfFunc, set: (t: BtfType) => void): void {
  set({ ...fn, linkage: "global" });
  const proto = types[fn.type - 1];
  if (proto?.kind !== "func_proto") return;
  const params = proto.params.map((p) => (p.name === "" && p.type !== 0 ? { ...p, name: DUMMY } : p));
  set({ ...proto, params } as BtfFuncProto);
}

/** LoadableBtf is the fixed-up object BTF as BPF_BTF_LOAD takes it, plus where the line-info strings went. */
export interface LoadableBtf {
  readonly bytes: Uint8Array;
  /** Maps a string offset of the object's original `.BTF` (line_info file/line text) to its offset in `bytes`. */
  readonly strings: ReadonlyMap<number, number>;
}

const loadable = new WeakMap<ObjectSpec, LoadableBtf>();

/**
 * loadableBtf encodes `fixupBtf(spec)` and appends the source file names and lines that
 * line_info points at: re-encoding rebuilds the string table from type names only, so the
 * kernel would otherwise reject line_info ("Invalid line_info[i].line_off"). Cached per spec.
 */
export function loadableBtf(spec: ObjectSpec): LoadableBtf {
  const hit = loadable.get(spec);
  if (hit) return hit;
  const encoded = encodeBtf(fixupBtf(spec));
  const dv = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const hdrLen = dv.getUint32(4, true);
  const strStart = hdrLen + dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  if (strStart + strLen !== encoded.length) throw new LoaderError("encoded BTF does not end with its string section", { input: spec.input, section: ".BTF" });
  const have = new Map<string, number>();
  const dec = new TextDecoder();
  for (let at = 0; at < strLen; ) {
    const end = encoded.indexOf(0, strStart + at) - strStart;
    const s = dec.decode(encoded.subarray(strStart + at, strStart + end));
    if (!have.has(s)) have.set(s, at);
    at = end + 1;
  }
  const original = spec.btfBytes ? btfStrings(spec.btfBytes, spec.input) : new Uint8Array(1);
  const enc = new TextEncoder();
  const extra: Uint8Array[] = [];
  let next = strLen;
  const strings = new Map<number, number>();
  const want = (off: number) => {
    if (strings.has(off)) return;
    const s = btfString(original, off, (r) => {
      throw new LoaderError(`line_info string: ${r}`, { input: spec.input, section: ".BTF.ext" });
    });
    let to = have.get(s);
    if (to === undefined) {
      to = next;
      const b = enc.encode(`${s}\0`);
      extra.push(b);
      next += b.length;
      have.set(s, to);
    }
    strings.set(off, to);
  };
  for (const f of [...spec.programs, ...spec.subprograms]) {
    for (const l of f.lineInfo) {
      want(l.fileNameOff);
      want(l.lineOff);
    }
  }
  const bytes = new Uint8Array(strStart + next);
  bytes.set(encoded);
  let at = encoded.length;
  for (const b of extra) {
    bytes.set(b, at);
    at += b.length;
  }
  new DataView(bytes.buffer).setUint32(20, next, true);
  const out = { bytes, strings };
  loadable.set(spec, out);
  return out;
}

/** fixedBtfBytes is the BTF to hand to BPF_BTF_LOAD (`loadableBtf(spec).bytes`). */
export function fixedBtfBytes(spec: ObjectSpec): Uint8Array {
  return loadableBtf(spec).bytes;
}
