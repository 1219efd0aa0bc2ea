import type { Btf, BtfType } from "@bpf-skel/sdk/btf";

/** CoreRelo is one bpf_core_relo record of `.BTF.ext` (byte offset inside its ELF section). */
export interface CoreRelo {
  readonly section: string;
  readonly insnOff: number;
  readonly typeId: number;
  readonly access: string;
  readonly kind: number;
}

/** readCoreRelos reads the CO-RE sub-section of `.BTF.ext` (Documentation/bpf/btf.rst §4.2). */
export function readCoreRelos(ext: Uint8Array, btfStrings: (off: number) => string): CoreRelo[] {
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  const hdrLen = v.getUint32(4, true);
  if (hdrLen < 32) return [];
  const off = hdrLen + v.getUint32(24, true);
  const len = v.getUint32(28, true);
  const out: CoreRelo[] = [];
  if (len === 0) return out;
  const recSize = v.getUint32(off, true);
  let p = off + 4;
  while (p < off + len) {
    const section = btfStrings(v.getUint32(p, true));
    const n = v.getUint32(p + 4, true);
    p += 8;
    for (let i = 0; i < n; i++, p += recSize) {
      out.push({
        section,
        insnOff: v.getUint32(p, true),
        typeId: v.getUint32(p + 4, true),
        access: btfStrings(v.getUint32(p + 8, true)),
        kind: v.getUint32(p + 12, true),
      });
    }
  }
  return out;
}

function skipMods(btf: Btf, id: number): BtfType {
  let t = btf.type(id);
  while (t.kind === "typedef" || t.kind === "const" || t.kind === "volatile" || t.kind === "restrict" || t.kind === "type_tag") {
    t = btf.type(t.type);
  }
  return t;
}

function sizeOf(btf: Btf, id: number): number {
  const t = skipMods(btf, id);
  switch (t.kind) {
    case "int": case "struct": case "union": case "enum": case "enum64": return t.size;
    case "ptr": return 8;
    case "array": return t.nelems * sizeOf(btf, t.type);
    default: throw new Error(`no size for ${t.kind}`);
  }
}

/**
 * fieldOffset resolves a FIELD_BYTE_OFFSET relocation: the local access string
 * ("0:1:3" = struct, member 1, array index 3) is replayed on the vmlinux type of the same
 * name by member *name*, as libbpf's bpf_core_calc_field_relo does for plain fields.
 */
export function fieldOffset(local: Btf, target: Btf, typeId: number, access: string): number {
  const idx = access.split(":").map(Number);
  let lt = skipMods(local, typeId);
  const root = target.find(lt.name, lt.kind as "struct");
  if (root === undefined) throw new Error(`CO-RE: no ${lt.kind} ${lt.name} in vmlinux`);
  let tt: BtfType = root;
  let off = idx[0]! * sizeOf(target, tt.id);
  for (let i = 1; i < idx.length; i++) {
    const k = idx[i]!;
    if (lt.kind === "struct" || lt.kind === "union") {
      const m = lt.members[k]!;
      if (tt.kind !== "struct" && tt.kind !== "union") throw new Error(`CO-RE: ${tt.name} is not composite`);
      const tm = findMember(target, tt, m.name);
      if (tm === undefined) throw new Error(`CO-RE: no member ${m.name} in ${tt.name}`);
      off += tm.bitOffset / 8;
      lt = skipMods(local, m.type);
      tt = skipMods(target, tm.type);
    } else if (lt.kind === "array") {
      if (tt.kind !== "array") throw new Error("CO-RE: array mismatch");
      off += k * sizeOf(target, tt.type);
      lt = skipMods(local, lt.type);
      tt = skipMods(target, tt.type);
    } else throw new Error(`CO-RE: cannot walk into ${lt.kind}`);
  }
  return off;
}

// Members of anonymous structs/unions are found through them, adding their offset.
function findMember(btf: Btf, t: BtfType & { members: readonly { name: string; type: number; bitOffset: number }[] }, name: string): { type: number; bitOffset: number } | undefined {
  for (const m of t.members) {
    if (m.name === name) return m;
    if (m.name === "") {
      const inner = skipMods(btf, m.type);
      if (inner.kind === "struct" || inner.kind === "union") {
        const r = findMember(btf, inner, name);
        if (r !== undefined) return { type: r.type, bitOffset: r.bitOffset + m.bitOffset };
      }
    }
  }
  return undefined;
}
