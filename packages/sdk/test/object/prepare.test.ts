import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseBtf, type Btf } from "@bpf-skel/sdk/btf";
import { isLoaderError } from "@bpf-skel/sdk/errors";
import { BPF_PSEUDO, explainRejection, fixupBtf, KFUNC_POISON_BASE, loadableBtf, prepareProgram, readObject, resolveKfuncs } from "@bpf-skel/sdk/object";
import { requirement } from "../../../../test/support/env.js";
import { bpftoolMissing, rawBtf, VMLINUX, vmlinuxMissing } from "./bpftool.js";
import { fixtureBytes } from "./fixtures.js";

const insnAt = (insns: Uint8Array, i: number) => {
  const dv = new DataView(insns.buffer, insns.byteOffset);
  return { code: insns[i * 8]!, src: insns[i * 8 + 1]! >> 4, off: dv.getInt16(i * 8 + 2, true), imm: dv.getInt32(i * 8 + 4, true), next: dv.getInt32(i * 8 + 12, true) };
};

describe("prepareProgram: map fds", () => {
  const g = readObject(fixtureBytes("globals"), "globals.bpf.o");
  const fds = Object.fromEntries(g.maps.map((m, i) => [m.name, 100 + i]));

  it("patches BPF_PSEUDO_MAP_FD and BPF_PSEUDO_MAP_VALUE with the offset in the second slot", () => {
    const p = prepareProgram(g, "touch_globals", { mapFds: fds });
    expect(p.linked.references.length).toBeGreaterThan(0);
    for (const r of p.linked.references) {
      const x = insnAt(p.insns, r.insn);
      expect(x.code).toBe(0x18);
      if (r.kind === "map") expect([x.src, x.imm, x.next]).toEqual([BPF_PSEUDO.MAP_FD, fds[r.map], 0]);
      else if (r.kind === "map_value") expect([x.src, x.imm, x.next]).toEqual([BPF_PSEUDO.MAP_VALUE, fds[r.map], r.offset]);
    }
    expect(p).toMatchObject({ name: "touch_globals", type: 31, flags: 16, license: "GPL" });
    expect(p.funcInfo!.count).toBe(1);
    expect(p.lineInfo!.count).toBe(p.linked.lineInfo.length);
  });

  it("a missing fd is a LoaderError naming the map", () => {
    const { [".rodata"]: _, ...rest } = fds;
    expect(() => prepareProgram(g, "touch_globals", { mapFds: rest })).toThrow(/no fd for map '.rodata'/);
  });

  it("refuses CO-RE without vmlinux BTF", () => {
    const t = readObject(fixtureBytes("tracing"), "tracing.bpf.o");
    const e = (() => {
      try {
        prepareProgram(t, "on_switch", { mapFds: { switches: 3 } });
      } catch (x) {
        return x;
      }
    })();
    expect(isLoaderError(e)).toBe(true);
    expect(String(e)).toMatch(/CO-RE relocations; pass the vmlinux BTF/);
  });
});

describe.skipIf(requirement(vmlinuxMissing()))("prepareProgram against vmlinux", () => {
  let vmlinux: Btf;
  const t = readObject(fixtureBytes("tracing"), "tracing.bpf.o");
  const fds = { switches: 3, cgrp_marks: 4, ".bss": 5 };
  beforeAll(() => {
    vmlinux = parseBtf(new Uint8Array(readFileSync(VMLINUX)), { input: VMLINUX });
  });

  it.skipIf(requirement(bpftoolMissing()))("kfunc calls, typed ksyms and attach ids carry the ids bpftool shows", () => {
    const raw = rawBtf(VMLINUX);
    const id = (kind: string, name: string) => raw.find((x) => x.kind === kind && x.name === name)!.id;
    const p = prepareProgram(t, "task_by_pid", { mapFds: fds, vmlinux, kernelSymbols: new Map([["init_task", 0xffffffff82a0c940n]]) });
    const byName = (n: string, kind: string) => p.linked.references.filter((r) => r.kind === kind && "name" in r && r.name === n).map((r) => insnAt(p.insns, r.insn));
    expect(byName("bpf_task_from_pid", "kfunc")).toEqual([expect.objectContaining({ code: 0x85, src: BPF_PSEUDO.KFUNC_CALL, imm: id("FUNC", "bpf_task_from_pid") })]);
    const typed = prepareProgram(t, "typed_ksym", { mapFds: fds, vmlinux });
    const active = typed.linked.references.find((r) => r.kind === "ksym")!;
    expect(insnAt(typed.insns, active.insn)).toMatchObject({ code: 0x18, src: BPF_PSEUDO.BTF_ID, imm: id("VAR", "bpf_prog_active"), next: 0 });
    const init = byName("init_task", "ksym")[0]!;
    expect([init.src, init.imm >>> 0, init.next >>> 0]).toEqual([0, 0x82a0c940, 0xffffffff]);
    // the weak kfunc that does not exist: the call is poisoned, the address load is 0
    const idx = t.externs.findIndex((e) => e.name === "bpf_no_such_kfunc");
    expect(byName("bpf_no_such_kfunc", "kfunc")[0]).toMatchObject({ src: 0, imm: KFUNC_POISON_BASE + idx });
    expect(byName("bpf_no_such_kfunc", "ksym")[0]).toMatchObject({ src: 0, imm: 0, next: 0 });
    const sw = prepareProgram(t, "on_switch", { mapFds: fds, vmlinux });
    expect(sw.attachBtfId).toBe(id("TYPEDEF", "btf_trace_sched_switch"));
    expect(sw.expectedAttachType).toBe(23);
    expect(prepareProgram(t, "iter_tasks", { mapFds: fds, vmlinux }).attachBtfId).toBe(id("FUNC", "bpf_iter_task"));
  });

  it("a typeless ksym without an address is a LoaderError naming it", () => {
    expect(() => prepareProgram(t, "task_by_pid", { mapFds: fds, vmlinux })).toThrow(/kernel symbol 'init_task'/);
  });

  it("resolveKfuncs names a missing kfunc", () => {
    const notKernel = readObject(fixtureBytes("core_target"), "core_target.bpf.o").btf!;
    expect(() => resolveKfuncs(t, notKernel)).toThrow(/kernel variable 'bpf_prog_active' not found/);
    const r = resolveKfuncs(t, vmlinux);
    expect(r.get("bpf_no_such_kfunc")!.btfId).toBe(0);
    expect(r.get("bpf_task_release")!.btfId).toBeGreaterThan(0);
  });
});

describe("fixupBtf", () => {
  it("fills DATASEC sizes and offsets from the ELF and sanitises .ksyms/.kconfig", () => {
    for (const name of ["globals", "tracing", "arena"] as const) {
      const spec = readObject(fixtureBytes(name), `${name}.bpf.o`);
      const fixed = fixupBtf(spec);
      for (const t of fixed.types) {
        if (t.kind === "func") expect(t.linkage).not.toBe("extern");
        if (t.kind === "var") expect(t.linkage).not.toBe("extern");
        if (t.kind !== "datasec") continue;
        expect(t.size).toBeGreaterThan(0);
        const offs = t.vars.map((v) => v.offset);
        expect([...offs].sort((a, b) => a - b)).toEqual(offs);
        for (const v of t.vars) {
          expect(v.offset + v.size).toBeLessThanOrEqual(t.size);
          expect(fixed.type(v.type).kind).toBe("var");
        }
        if (spec.sectionSizes[t.name] !== undefined) expect(t.size).toBe(spec.sectionSizes[t.name]);
        for (const m of spec.maps.filter((x) => x.section === t.name && x.variables)) {
          expect(t.vars.map((v) => [fixed.type(v.type).name, v.offset])).toEqual(m.variables!.map((x) => [x.name, x.offset]));
        }
      }
      // the spec's own BTF is untouched
      expect(spec.btf!.find(".maps", "datasec")).toMatchObject({ size: 0 });
    }
  });

  it("marks hidden global subprograms static so the verifier checks them in context", () => {
    const spec = readObject(fixtureBytes("maps"), "maps.bpf.o");
    expect(spec.btf!.find("hidden_twice", "func")).toMatchObject({ linkage: "global" });
    expect(fixupBtf(spec).find("hidden_twice", "func")).toMatchObject({ linkage: "static" });
    const g = readObject(fixtureBytes("globals"), "globals.bpf.o");
    expect(g.btf!.find("hidden_seen", "var")).toMatchObject({ linkage: "global" });
    expect(fixupBtf(g).find("hidden_seen", "var")).toMatchObject({ linkage: "static" });
  });

  it("loadableBtf keeps every line_info string reachable", () => {
    const spec = readObject(fixtureBytes("calls"), "calls.bpf.o");
    const lb = loadableBtf(spec);
    const again = parseBtf(lb.bytes, { input: "fixed" });
    expect(again.types.length).toBeGreaterThanOrEqual(spec.btf!.types.length);
    const p = prepareProgram(spec, "run_calls", { mapFds: {} });
    const dv = new DataView(p.lineInfo!.data.buffer);
    const hdr = new DataView(lb.bytes.buffer, lb.bytes.byteOffset);
    const strStart = hdr.getUint32(4, true) + hdr.getUint32(16, true);
    const strAt = (off: number) => new TextDecoder().decode(lb.bytes.subarray(strStart + off, lb.bytes.indexOf(0, strStart + off)));
    const files = new Set<string>();
    for (let i = 0; i < p.lineInfo!.count; i++) {
      files.add(strAt(dv.getUint32(i * 16 + 4, true)));
      expect(dv.getUint32(i * 16 + 8, true)).toBeLessThan(hdr.getUint32(20, true));
    }
    expect([...files]).toEqual(["./calls.bpf.c"]); // clang runs with -fdebug-compilation-dir=.
  });

  it("explainRejection names a weak kfunc's poisoned call and ignores unrelated logs", () => {
    const t = readObject(fixtureBytes("tracing"), "tracing.bpf.o");
    const idx = t.externs.findIndex((e) => e.name === "bpf_no_such_kfunc");
    const log = `41: (85) call unknown#${KFUNC_POISON_BASE + idx}\ninvalid func unknown#${KFUNC_POISON_BASE + idx}\n`;
    expect(explainRejection(t, { poisoned: [] }, log)).toMatch(/weak kfunc 'bpf_no_such_kfunc'/);
    expect(explainRejection(t, { poisoned: [] }, "R0 invalid mem access 'scalar'\n")).toBeUndefined();
  });
});

