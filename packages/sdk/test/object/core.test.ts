import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseBtf, type Btf } from "@bpf-skel/sdk/btf";
import { isLoaderError } from "@bpf-skel/sdk/errors";
import { applyCore, CORE_KIND, CORE_POISON, readObject, resolveCore, type CoreRelocation, type ObjectSpec } from "@bpf-skel/sdk/object";
import { essentialName } from "../../src/object/core-spec.js";
import { requirement } from "../../../../test/support/env.js";
import { bpftoolMissing, memberBits, rawBtf, VMLINUX, vmlinuxMissing } from "./bpftool.js";
import { fixtureBytes, fixturePath } from "./fixtures.js";

const core = readObject(fixtureBytes("core"), "core.bpf.o");
const target = readObject(fixtureBytes("core_target"), "core_target.bpf.o").btf!;
const prog = core.programs[0]!;

/** results maps "kind access root" to the target value for every relocation in core.bpf.o. */
function results(spec: ObjectSpec, relos: readonly CoreRelocation[], tgt: Btf | undefined) {
  return relos.map((r) => ({ relo: r, root: spec.btf!.type(r.typeId).name, res: resolveCore(spec.btf!, r, tgt) }));
}

describe("CO-RE against a second object's BTF (cilium relocs_read / relocs_read_tgt)", () => {
  const all = results(core, prog.coreRelos, target);
  const find = (kind: number, access: string, root: string) => {
    const hit = all.find((x) => x.relo.kind === kind && x.relo.access === access && x.root === root);
    if (!hit) throw new Error(`no relocation ${kind} ${access} ${root}`);
    return hit.res;
  };

  it("has one relocation of every kind the fixture asks for", () => {
    const kinds = new Set(prog.coreRelos.map((r) => r.kind));
    for (const k of Object.values(CORE_KIND)) expect(kinds.has(k)).toBe(true);
  });

  it.skipIf(requirement(bpftoolMissing()))("field offsets equal the member offsets bpftool reports for the target", () => {
    const types = rawBtf(fixturePath("core_target"));
    const bytes = (...path: string[]) => memberBits(types, "core_s", path) / 8;
    expect(find(CORE_KIND.FIELD_BYTE_OFFSET, "0:0", "core_t").target).toBe(bytes("a"));
    expect(find(CORE_KIND.FIELD_BYTE_OFFSET, "0:1:1", "core_t").target).toBe(bytes("c")); // through an anonymous union locally, an anonymous struct in the target
    expect(find(CORE_KIND.FIELD_BYTE_OFFSET, "0:2:1", "core_t").target).toBe(bytes("nested", "e"));
    expect(find(CORE_KIND.FIELD_BYTE_OFFSET, "0:3:2", "core_t").target).toBe(bytes("arr") + 2 * 4);
    expect(find(CORE_KIND.FIELD_BYTE_OFFSET, "0:1", "core_s___v2").target).toBe(bytes("new_field")); // flavour stripped
    expect(find(CORE_KIND.FIELD_BYTE_OFFSET, "0:1", "core_inner").target).toBe(memberBits(types, "core_inner", ["e"]) / 8);
    const s = types.find((t) => t.kind === "STRUCT" && t.name === "core_s")!;
    expect(find(CORE_KIND.TYPE_SIZE, "0", "core_s").target).toBe(s.size);
    expect(find(CORE_KIND.TYPE_ID_TARGET, "0", "core_s").target).toBe(s.id);
    const e = types.find((t) => t.kind === "ENUM" && t.name === "core_e")!;
    expect(find(CORE_KIND.ENUMVAL_VALUE, "1", "core_e").target).toBe(e.values!.find((v) => v.name === "CORE_B")!.val);
  });

  it("bitfield shifts follow libbpf's formulas on the target's bit offsets", () => {
    // target: int bits_hi:7 at bit 368, unsigned bits_lo:4 at bit 375, both in the 4-byte unit at byte 44
    expect(find(CORE_KIND.FIELD_LSHIFT_U64, "0:5", "core_s").target).toBe(64 - (368 + 7 - 44 * 8));
    expect(find(CORE_KIND.FIELD_RSHIFT_U64, "0:5", "core_s").target).toBe(64 - 7);
    expect(find(CORE_KIND.FIELD_LSHIFT_U64, "0:4", "core_s").target).toBe(64 - (375 + 4 - 44 * 8));
    expect(find(CORE_KIND.FIELD_SIGNED, "0:5", "core_s").target).toBe(1);
    expect(find(CORE_KIND.FIELD_SIGNED, "0:4", "core_s").target).toBe(0);
  });

  it("64-bit and negative enum values patch both halves of ld_imm64", () => {
    const big = all.filter((x) => x.root === "core_big" && x.relo.kind === CORE_KIND.ENUMVAL_VALUE);
    expect(big.map((x) => [x.res.local, x.res.target]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [-2, -7],
      [0x100000000, 0x300000005],
    ]);
    const insns = prog.insns.slice();
    applyCore(insns, big.map((x) => x.relo), core.btf!, target, { program: prog.name });
    const dv = new DataView(insns.buffer);
    const value = (i: number) => (BigInt(dv.getInt32(i * 8 + 12, true)) << 32n) | BigInt(dv.getUint32(i * 8 + 4, true));
    expect(big.map((x) => value(x.relo.insn)).sort()).toEqual([-7n, 0x300000005n].sort());
  });

  it("sizes, existence and local ids", () => {
    expect(find(CORE_KIND.FIELD_BYTE_SIZE, "0:1:1", "core_t").target).toBe(8);
    expect(find(CORE_KIND.FIELD_BYTE_SIZE, "0:3", "core_t").target).toBe(24); // int[6] in the target
    expect(find(CORE_KIND.FIELD_EXISTS, "0:6", "core_t").target).toBe(0); // 'gone'
    expect(find(CORE_KIND.TYPE_EXISTS, "0", "core_missing").target).toBe(0);
    expect(find(CORE_KIND.TYPE_EXISTS, "0", "core_s___v2").target).toBe(1);
    expect(find(CORE_KIND.ENUMVAL_EXISTS, "2", "core_e").target).toBe(0); // CORE_GONE
    // TYPE_MATCHES: core_inner's members all have namesakes of the same int types; core_s lacks 'gone' in the target
    expect(find(CORE_KIND.TYPE_MATCHES, "0", "core_inner").target).toBe(1);
    expect(find(CORE_KIND.TYPE_MATCHES, "0", "core_s").target).toBe(0);
    const local = find(CORE_KIND.TYPE_ID_LOCAL, "0", "core_s");
    expect(core.btf!.type(local.target!).name).toBe("core_s");
  });

  it("locally computed values equal what clang-19 wrote into the instructions", () => {
    // clang computes every relocation against the local types: our local spec must agree.
    const dv = new DataView(prog.insns.buffer, prog.insns.byteOffset);
    for (const { relo, res } of all) {
      const at = relo.insn * 8;
      const cls = prog.insns[at]! & 7;
      const ld64 = prog.insns[at] === 0x18;
      const written = ld64
        ? Number((BigInt(dv.getInt32(at + 12, true)) << 32n) | BigInt(dv.getUint32(at + 4, true)))
        : cls === 1 || cls === 2 || cls === 3
          ? dv.getInt16(at + 2, true)
          : dv.getInt32(at + 4, true);
      expect([relo.access, relo.kind, written]).toEqual([relo.access, relo.kind, res.local]);
    }
  });

  it("refuses a record that does not match its instruction (libbpf's 'unexpected insn')", () => {
    const first = prog.coreRelos.find((r) => r.access === "0:0" && r.kind === CORE_KIND.FIELD_BYTE_OFFSET)!;
    const wrong = { ...first, access: "0:1:1" }; // locally 8, but the instruction holds 0
    expect(() => applyCore(prog.insns.slice(), [wrong], core.btf!, target, { program: "core_relos" })).toThrow(/holds 0, expected 8/);
  });

  it("poisons an unsatisfiable relocation, or throws in strict mode naming program, insn, access and type", () => {
    const gone = prog.coreRelos.filter((r) => r.kind === CORE_KIND.FIELD_BYTE_OFFSET).map((r) => ({ ...r, access: "0:6" }));
    const insns = prog.insns.slice();
    const poisoned = applyCore(insns, gone.slice(0, 1), core.btf!, target, { program: "core_relos" });
    expect(poisoned).toHaveLength(1);
    const at = gone[0]!.insn;
    expect(new DataView(insns.buffer).getInt32(at * 8 + 4, true)).toBe(CORE_POISON);
    expect(insns[at * 8]).toBe(0x85);
    let err: unknown;
    try {
      applyCore(prog.insns.slice(), gone.slice(0, 1), core.btf!, target, { program: "core_relos", strict: true, input: "core.bpf.o" });
    } catch (e) {
      err = e;
    }
    expect(isLoaderError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(new RegExp(`core_relos insn ${at}: CO-RE field_byte_offset '0:6' on typedef core_t`));
  });
});

describe.skipIf(requirement(vmlinuxMissing()))("CO-RE against /sys/kernel/btf/vmlinux", () => {
  let vmlinux: Btf;
  const tracing = readObject(fixtureBytes("tracing"), "tracing.bpf.o");
  beforeAll(() => {
    vmlinux = parseBtf(new Uint8Array(readFileSync(VMLINUX)), { input: VMLINUX });
  });

  it.skipIf(requirement(bpftoolMissing()))("task_struct pid/tgid/comm/real_parent offsets equal bpftool's", () => {
    const types = rawBtf(VMLINUX);
    const want: Record<string, number> = {};
    for (const [i, name] of ["pid", "tgid", "comm", "real_parent"].entries()) want[`0:${i}`] = memberBits(types, "task_struct", [name]) / 8;
    let checked = 0;
    for (const p of tracing.programs) {
      for (const r of p.coreRelos) {
        if (tracing.btf!.type(r.typeId).name !== "task_struct" || want[r.access] === undefined) continue;
        expect(r.kind).toBe(CORE_KIND.FIELD_BYTE_OFFSET);
        expect(resolveCore(tracing.btf!, r, vmlinux).target).toBe(want[r.access]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it("a field no kernel has: existence 0, its offset unsatisfiable", () => {
    const p = tracing.programs.find((x) => x.name === "guarded_field")!;
    const res = p.coreRelos.map((r) => [r.kind, resolveCore(tracing.btf!, r, vmlinux).target]);
    expect(res).toContainEqual([CORE_KIND.FIELD_EXISTS, 0]);
    expect(res).toContainEqual([CORE_KIND.FIELD_BYTE_OFFSET, undefined]);
  });

  it("patches on_switch's loads to vmlinux offsets", () => {
    const p = tracing.programs.find((x) => x.name === "on_switch")!;
    const insns = p.insns.slice();
    expect(applyCore(insns, p.coreRelos, tracing.btf!, vmlinux, { program: p.name })).toEqual([]);
    const pidRelo = p.coreRelos.find((r) => r.access === "0:0")!;
    const off = new DataView(insns.buffer).getInt16(pidRelo.insn * 8 + 2, true);
    expect(off).toBe(resolveCore(tracing.btf!, pidRelo, vmlinux).target);
    expect(off).toBeGreaterThan(0);
  });
});

describe("essentialName (libbpf bpf_core_essential_name_len)", () => {
  it.each([
    ["task_struct___old", "task_struct"],
    ["task_struct", "task_struct"],
    ["foo___bar___baz", "foo___bar"],
    ["x____y", "x____y"], // four underscores: not a flavour separator
    ["a___", "a___"],
    ["___b", "___b"],
  ])("%s → %s", (name, want) => {
    expect(essentialName(name)).toBe(want);
  });
});
