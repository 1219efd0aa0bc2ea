import { Btf } from "../btf/btf.js";
import { resolveId } from "../btf/layout.js";
import type { BtfDatasec, BtfFunc, BtfFuncProto, BtfType, BtfVar, BtfVarSecinfo } from "../btf/types.js";
import { LoaderError } from "../errors/index.js";
import type { ObjectSpec } from "../object/spec.js";
import { patchRawBtf } from "./raw-btf.js";

/** FixedBtf is the object's BTF as the kernel will accept it, with type ids unchanged. */
export interface FixedBtf {
  readonly btf: Btf;
  readonly bytes: Uint8Array;
}

const DUMMY_KSYM = "dummy_ksym";

/**
 * fixupBtf rewrites the object's BTF the way libbpf does before BPF_BTF_LOAD
 * (`btf_fixup_datasec()`, `bpf_object__collect_externs()`, `mark_btf_static()`), keeping
 * every type id so func_info, line_info and map key/value ids stay valid:
 * - DATASEC sizes and global VAR offsets, which clang leaves at 0, come from the ELF section
 *   sizes and symbol values; secinfos are sorted by offset (the kernel wants them ascending).
 * - `.ksyms`: extern FUNCs become a dummy int VAR in the DATASEC and GLOBAL funcs, extern VARs
 *   become allocated int VARs (the kernel refuses extern linkage), laid out 4 bytes apart.
 * - `.kconfig`: VARs become allocated, at the offsets the `.kconfig` map uses.
 * - hidden global subprograms become static FUNCs, so the verifier checks them in context.
 * New types (an int, the dummy VAR) are appended, never inserted, and the raw bytes are patched
 * rather than re-encoded, so .BTF.ext string offsets stay valid.
 */
export function fixupBtf(spec: ObjectSpec): FixedBtf | undefined {
  if (spec.btf === undefined) return undefined;
  const src = spec.btf;
  const types: BtfType[] = [...src.types];
  const fail = (reason: string, typeId: number): never => {
    throw new LoaderError(`BTF fix-up: ${reason}`, { input: spec.input, section: ".BTF", typeId });
  };
  let intId = types.find((t) => t.kind === "int" && t.size === 4 && !t.bool && !t.char)?.id;
  const appendInt = (): number => {
    if (intId !== undefined) return intId;
    const id = types.length + 1;
    types.push({ id, kind: "int", name: "int", size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false });
    return (intId = id);
  };
  let dummyId: number | undefined;
  const dummyVar = (): number => {
    if (dummyId !== undefined) return dummyId;
    const type = appendInt();
    const id = types.length + 1;
    types.push({ id, kind: "var", name: DUMMY_KSYM, type, linkage: "global" });
    return (dummyId = id);
  };
  const set = (t: BtfType) => {
    types[t.id - 1] = t;
  };

  const kconfig = new Map(spec.externs.filter((e) => e.kind === "kconfig").map((e) => [e.name, e]));
  const varOffsets = new Map<string, Map<string, number>>();
  for (const m of spec.maps) if (m.variables) varOffsets.set(m.section, new Map(m.variables.map((v) => [v.name, v.offset])));
  if (spec.arena) {
    const sec = Object.keys(spec.sectionSizes).find((s) => s.startsWith(".addr_space"));
    if (sec) varOffsets.set(sec, new Map(spec.arena.variables.map((v) => [v.name, v.offset])));
  }

  for (const t of src.types) {
    if (t.kind === "datasec") {
      if (t.name === ".ksyms") {
        const vars = t.vars.map((vsi, i): BtfVarSecinfo => {
          const v = types[vsi.type - 1]!;
          if (v.kind === "func") {
            fixExternFunc(v, types, set);
            return { type: dummyVar(), offset: i * 4, size: 4 };
          }
          if (v.kind !== "var") return fail(`.ksyms entry is a ${v.kind}`, v.id);
          set({ ...v, linkage: "global", type: appendInt() } satisfies BtfVar);
          return { type: vsi.type, offset: i * 4, size: 4 };
        });
        set({ ...t, size: Math.max(vars.length * 4, 4), vars } satisfies BtfDatasec);
        continue;
      }
      if (t.name === ".kconfig") {
        const vars = t.vars.map((vsi): BtfVarSecinfo => {
          const v = types[vsi.type - 1] as BtfVar;
          set({ ...v, linkage: "global" });
          const e = kconfig.get(v.name);
          return { ...vsi, offset: e?.offset ?? vsi.offset, size: e?.size ?? vsi.size };
        });
        const size = spec.maps.find((m) => m.kind === "kconfig")?.valueSize ?? 0;
        set({ ...t, size: Math.max(size, 1), vars: sortVars(vars) });
        continue;
      }
      const offsets = varOffsets.get(t.name);
      const size = t.size !== 0 ? t.size : (spec.sectionSizes[t.name] ?? 0);
      if (size === 0) fail(`DATASEC ${t.name} has no size and no ELF section to take it from`, t.id);
      const vars = t.vars.map((vsi): BtfVarSecinfo => {
        const v = src.type(vsi.type) as BtfVar;
        if (v.linkage === "static") return vsi;
        const off = spec.symbolOffsets[v.name] ?? offsets?.get(v.name);
        return off === undefined ? vsi : { ...vsi, offset: off };
      });
      set({ ...t, size, vars: sortVars(vars) });
    } else if (t.kind === "func" && t.linkage === "extern") {
      fixExternFunc(t, types, set);
    }
  }
  for (const f of spec.subprograms) {
    if (!f.global || !f.hidden) continue;
    const fn = types.find((t) => t.kind === "func" && t.name === f.name) as BtfFunc | undefined;
    if (fn !== undefined) set({ ...fn, linkage: "static" });
  }
  const btf = new Btf(types, { byteOrder: src.byteOrder, input: src.input });
  return { btf, bytes: patchRawBtf(spec.btfBytes!, src, types, spec.input) };
}

function sortVars(vars: BtfVarSecinfo[]): BtfVarSecinfo[] {
  return vars.sort((a, b) => a.offset - b.offset);
}

/** fixExternFunc makes an extern FUNC acceptable: global linkage and named parameters. */
function fixExternFunc(fn: BtfFunc, types: BtfType[], set: (t: BtfType) => void): void {
  set({ ...fn, linkage: "global" });
  const proto = types[fn.type - 1];
  if (proto?.kind !== "func_proto") return;
  if (proto.params.every((p) => p.name !== "" || p.type === 0)) return;
  const params = proto.params.map((p, i) => (p.name === "" && p.type !== 0 ? { ...p, name: `arg${i}` } : p));
  set({ ...proto, params } satisfies BtfFuncProto);
}

/** needsBtf says why an object cannot load without its BTF, or undefined when dropping it is safe. */
export function needsBtf(spec: ObjectSpec): string | undefined {
  const storage = spec.maps.find((m) => [24, 28, 29, 32].includes(m.type));
  if (storage) return `map '${storage.name}' is local storage, which the kernel only creates with BTF`;
  const global = spec.subprograms.find((f) => f.global && !f.hidden);
  if (global) return `global function '${global.name}' is verified on its own, which needs func_info`;
  const special = spec.maps.find((m) => m.btfValueTypeId !== 0 && hasSpecialField(spec.btf!, m.btfValueTypeId));
  if (special) return `map '${special.name}' has a spin lock, timer or kptr in its value, which needs BTF`;
  return undefined;
}

const SPECIAL = new Set(["bpf_spin_lock", "bpf_timer", "bpf_wq", "bpf_list_head", "bpf_rb_root", "bpf_refcount", "bpf_res_spin_lock"]);

function hasSpecialField(btf: Btf, id: number, depth = 0): boolean {
  if (depth > 8) return false;
  const t = btf.get(resolveId(btf, id));
  if (t === undefined) return false;
  if ((t.kind === "struct" || t.kind === "union") && SPECIAL.has(t.name)) return true;
  if (t.kind === "struct" || t.kind === "union") return t.members.some((m) => hasSpecialField(btf, m.type, depth + 1));
  if (t.kind === "array") return hasSpecialField(btf, t.type, depth + 1);
  if (t.kind === "type_tag" || t.kind === "ptr") return false;
  return false;
}
