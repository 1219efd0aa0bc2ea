import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { itArena } from "../../../../test/support/arena.js";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { parseBtf } from "../../src/btf/index.js";
import { BpfSyscallError } from "../../src/errors/index.js";
import { KernelTransport } from "../../src/kernel/index.js";
import { BpfObject, needsBtf } from "../../src/loader/index.js";
import { fixedBtfBytes, readObject } from "../../src/object/index.js";
import { bpftoolMissing, rawBtf } from "../object/bpftool.js";
import { fixture } from "./support.js";

const DIRS = ["lifecycle", "loader", "storage-kernel", "accessors", "storage"];
const objects = DIRS.flatMap((d) => readdirSync(fixture(d)).filter((f) => f.endsWith(".bpf.o")).map((f) => `${d}/${f}`));
const spec = (rel: string) => readObject(new Uint8Array(readFileSync(fixture(rel))), rel);

/** elfSymbols reads `readelf -s` (binutils, not our ELF reader): name → [section index, value]. */
function elfSymbols(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of execFileSync("readelf", ["-sW", file], { encoding: "utf8" }).split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[3] === "OBJECT") out.set(f[7]!, Number.parseInt(f[1]!, 16));
  }
  return out;
}

// The loader hands the kernel the spec layer's fixedBtfBytes(); these check that BTF with tools
// we did not write (bpftool parses it, readelf gives the symbol offsets).
describe.skipIf(requirement(bpftoolMissing()))("BTF fix-ups for BPF_BTF_LOAD (no kernel needed)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bpf-skel-btf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const rel of objects) {
    it(`${rel}: DATASEC sizes and offsets come from the ELF; type ids are kept; bpftool reads the result`, () => {
      const s = spec(rel);
      if (s.btf === undefined) return;
      const bytes = fixedBtfBytes(s);
      const file = join(dir, rel.replace("/", "_") + ".btf");
      writeFileSync(file, bytes);
      const types = rawBtf(file); // an independent parser of the patched bytes
      expect(types.length).toBeGreaterThanOrEqual(s.btf!.types.length);
      const syms = elfSymbols(fixture(rel));
      for (const t of types.filter((x) => x.kind === "DATASEC") as unknown as { name: string; size: number; vars: { type_id: number; offset: number; size: number }[] }[]) {
        expect(t.size, `${t.name} size`).toBeGreaterThan(0);
        if (t.name !== ".ksyms" && t.name !== ".kconfig") expect(t.size).toBe(s.sectionSizes[t.name]);
        let end = 0;
        for (const v of t.vars) {
          const varType = types.find((x) => x.id === v.type_id) as unknown as { kind: string; name: string; linkage: string };
          expect(varType.kind).toBe("VAR");
          expect(varType.linkage, `${t.name}:${varType.name}`).not.toBe("extern");
          expect(v.offset, `${t.name}:${varType.name} overlaps`).toBeGreaterThanOrEqual(end);
          end = v.offset + v.size;
          if (varType.linkage === "global" && syms.has(varType.name) && t.name !== ".ksyms") {
            expect(v.offset, `${t.name}:${varType.name}`).toBe(syms.get(varType.name));
          }
        }
      }
      expect(types.filter((x) => x.kind === "FUNC" && (x as unknown as { linkage: string }).linkage === "extern")).toEqual([]);
      // Type ids are unchanged, so func_info and map key/value ids still point at the right types.
      const again = parseBtf(bytes, { input: rel });
      s.btf!.types.forEach((t, i) => expect(again.types[i]!.name).toBe(t.name));
    });
  }

  it("needsBtf names what cannot load without BTF", () => {
    expect(needsBtf(spec("lifecycle/task_counter.bpf.o"))).toMatch(/'counts' is local storage/);
    expect(needsBtf(spec("loader/calls.bpf.o"))).toMatch(/global function 'add_global'/);
    expect(needsBtf(spec("lifecycle/lifecycle.bpf.o"))).toMatch(/'totals' has a spin lock/);
    expect(needsBtf(spec("loader/arena.bpf.o"))).toBeUndefined();
  });
});

/** RefusingTransport is the kernel, except that it refuses every BTF. */
class RefusingTransport extends KernelTransport {
  override loadBtf(): never {
    throw new BpfSyscallError("BPF_BTF_LOAD", 22, "EINVAL", "refused for the test");
  }
}

describe.skipIf(requirement(rootMissing()))("the kernel accepts the fixed-up BTF", () => {
  it("BPF_BTF_LOAD takes every fixture's BTF", () => {
    using t = new KernelTransport();
    for (const rel of objects) {
      const s = spec(rel);
      if (s.btf !== undefined) t.close(t.loadBtf(fixedBtfBytes(s)));
    }
  });

  it("without BTF the loader goes on where that is safe and refuses where it is not; a given transport stays open", () => {
    using t = new RefusingTransport();
    {
      using obj = BpfObject.open(fixture("loader/globals.bpf.o"), { transport: t }).load();
      expect(obj.btfSkipped).toMatch(/BPF_BTF_LOAD: EINVAL/);
      expect(obj.btfFd).toBeUndefined();
      const args = new Uint8Array(24);
      new DataView(args.buffer).setBigUint64(0, 1n, true);
      expect(obj.run("touch_globals", args).retval).toBe(0);
    }
    expect(t.closed).toBe(false);
    expect(t.openFds()).toEqual([]);
    expect(() => BpfObject.open(fixture("lifecycle/task_counter.bpf.o"), { transport: t }).load()).toThrow(/BPF_BTF_LOAD: EINVAL/);
    expect(t.closed).toBe(false);
    expect(t.openFds()).toEqual([]);
  });

  itArena("an arena object loads without BTF too, and its syscall program runs", () => {
    using t = new RefusingTransport();
    {
      using obj = BpfObject.open(fixture("loader/arena.bpf.o"), { transport: t }).load();
      expect(obj.btfSkipped).toMatch(/BPF_BTF_LOAD: EINVAL/);
      expect(obj.run("arena_write", new Uint8Array(8)).retval).toBe(0);
    }
    expect(t.openFds()).toEqual([]);
  });
});
