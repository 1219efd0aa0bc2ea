import { describe, expect, it } from "vitest";
import { BPF_PSEUDO, linkProgram, readObject, type LinkedProgram } from "@bpf-skel/sdk/object";
import { fixtureBytes } from "./fixtures.js";

const calls = readObject(fixtureBytes("calls"), "calls.bpf.o");

/** targets returns, for every bpf-to-bpf call and callback load, the name of the function it lands on. */
function targets(l: LinkedProgram): { insn: number; kind: string; lands: string }[] {
  const dv = new DataView(l.insns.buffer, l.insns.byteOffset);
  const out: { insn: number; kind: string; lands: string }[] = [];
  for (let i = 0; i < l.insns.length / 8; i++) {
    const code = l.insns[i * 8]!;
    const src = l.insns[i * 8 + 1]! >> 4;
    const call = code === 0x85 && src === BPF_PSEUDO.CALL;
    const func = code === 0x18 && src === BPF_PSEUDO.FUNC;
    if (call || func) {
      const dest = i + dv.getInt32(i * 8 + 4, true) + 1;
      const f = l.layout.find((x) => x.start === dest);
      out.push({ insn: i, kind: call ? "call" : "func", lands: f?.name ?? `middle@${dest}` });
    }
    if (code === 0x18) i++;
  }
  return out;
}

describe("bpf-to-bpf linking (calls.bpf.o)", () => {
  it("appends every reachable subprogram once, depth first, and patches calls to their starts", () => {
    const l = linkProgram(calls, "run_calls");
    expect(l.layout.map((x) => x.name)).toEqual(["run_calls", "loop_step", "loop_mul", "square", "add_global"]);
    const t = targets(l);
    expect(t.filter((x) => x.kind === "func").map((x) => x.lands)).toEqual(["loop_step", "loop_mul"]);
    expect(t.filter((x) => x.kind === "call").map((x) => x.lands).sort()).toEqual(["add_global", "square", "square"]);
    expect(t.every((x) => !x.lands.startsWith("middle"))).toBe(true);
    const total = l.layout.reduce((n, x) => n + x.count, 0);
    expect(l.insns.length).toBe(total * 8);
  });

  it("only pulls in what the program reaches", () => {
    const l = linkProgram(calls, "only_square");
    expect(l.layout.map((x) => x.name)).toEqual(["only_square", "square"]);
    expect(targets(l)).toEqual([{ insn: expect.any(Number), kind: "call", lands: "square" }]);
  });

  it("func_info has one record per function at its final start; line_info covers each function's first insn", () => {
    const l = linkProgram(calls, "run_calls");
    expect(l.funcInfo.map((f) => f.insn)).toEqual(l.layout.map((x) => x.start));
    expect(l.funcInfo.map((f) => calls.btf!.type(f.typeId).name)).toEqual(l.layout.map((x) => x.name));
    const lines = l.lineInfo.map((x) => x.insn);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
    expect(new Set(lines).size).toBe(lines.length);
    for (const f of l.layout) expect(lines).toContain(f.start);
    expect(lines.every((i) => i < l.insns.length / 8)).toBe(true);
  });

  it("leaves the spec untouched (linking twice gives the same bytes)", () => {
    const a = linkProgram(calls, "run_calls").insns;
    const b = linkProgram(calls, "run_calls").insns;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(calls.programs[0]!.insns).not.toBe(a);
  });
});

describe("data references in the final stream", () => {
  it("map and global-data loads point at ld_imm64 instructions", () => {
    const g = readObject(fixtureBytes("globals"), "globals.bpf.o");
    const l = linkProgram(g, "touch_globals");
    expect(l.references.length).toBeGreaterThan(10);
    for (const r of l.references) expect(l.insns[r.insn * 8]).toBe(0x18);
    expect(l.references.filter((r) => r.kind === "map").map((r) => (r as { map: string }).map)).toEqual(["hash_map", "hash_map", "events"]);
  });

  it("kfunc calls and ksym loads keep their names", () => {
    const t = readObject(fixtureBytes("tracing"), "tracing.bpf.o");
    const l = linkProgram(t, "task_by_pid");
    const kinds = l.references.map((r) => `${r.kind}:${"name" in r ? r.name : ""}`);
    expect(kinds).toContain("kfunc:bpf_task_from_pid");
    expect(kinds).toContain("ksym:init_task");
    for (const r of l.references.filter((x) => x.kind === "kfunc")) expect(l.insns[r.insn * 8]).toBe(0x85);
  });

  it("an unknown program name is a LoaderError", () => {
    expect(() => linkProgram(calls, "nope")).toThrow(/no program named 'nope'/);
  });
});
