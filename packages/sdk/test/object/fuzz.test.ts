import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readElf, SHT } from "@bpf-skel/sdk/elf";
import { isBtfError, isElfError, isLoaderError } from "@bpf-skel/sdk/errors";
import { linkProgram, prepareProgram, readObject } from "@bpf-skel/sdk/object";
import { FIXTURES, fixtureBytes } from "./fixtures.js";

const objects = FIXTURES.map((n) => ({ name: n, bytes: fixtureBytes(n) }));
const fakeVmlinux = readObject(fixtureBytes("core_target"), "core_target.bpf.o").btf!;
const kernelSymbols = new Map([["init_task", 0xffffffff81000000n]]);

/** attempt reads a mutated object and links every program; only our typed errors may escape. */
function attempt(bytes: Uint8Array): "ok" | "typed" {
  try {
    const spec = readObject(bytes, "fuzzed.bpf.o");
    for (const p of spec.programs) linkProgram(spec, p.name);
    // Prepare too, with another object's BTF standing in for vmlinux: CO-RE, kfunc and ksym paths run on mutated records.
    const mapFds = Object.fromEntries(spec.maps.map((m, i) => [m.name, i + 3]));
    for (const p of spec.programs) prepareProgram(spec, p.name, { mapFds, vmlinux: fakeVmlinux, kernelSymbols });
    return "ok";
  } catch (e) {
    // readObject's last-resort wrapper ("malformed object: …") would hide a stray TypeError: count it as a bug.
    if ((isElfError(e) || isBtfError(e) || isLoaderError(e)) && !/^malformed object:/.test((e as Error).message)) return "typed";
    throw e;
  }
}

describe("fuzzing readObject with mutated real objects", () => {
  it("byte flips give a spec or an ElfError/BtfError/LoaderError", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: objects.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (which, flips) => {
          const bytes = objects[which]!.bytes.slice();
          for (const [where, value] of flips) bytes[Math.floor(where * bytes.length)] = value;
          expect(["ok", "typed"]).toContain(attempt(bytes));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("flips inside headers and tables (where structure lives) too", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: objects.length - 1 }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 1 << 20 }), (which, value, pick) => {
        const bytes = objects[which]!.bytes.slice();
        const dv = new DataView(bytes.buffer);
        const shoff = Number(dv.getBigUint64(40, true));
        // a 32-bit word in the ELF header or the section header table
        const region = pick % 2 === 0 ? 0 : shoff;
        const span = pick % 2 === 0 ? 60 : bytes.length - shoff - 4;
        const at = region + (Math.floor(pick / 2) % Math.max(1, span));
        if (at + 4 <= bytes.length) dv.setUint32(at, value, true);
        expect(["ok", "typed"]).toContain(attempt(bytes));
      }),
      { numRuns: 1500 },
    );
  });

  it("flips inside .BTF, .BTF.ext, .symtab, .maps and relocation sections", () => {
    const structural = objects.map(({ bytes }) =>
      readElf(bytes).sections.filter((s) => [".BTF", ".BTF.ext", ".symtab", ".maps"].includes(s.name) || s.type === SHT.REL).map((s) => [s.offset, s.size] as const),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: objects.length - 1 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (which, sec, pos, value) => {
        const bytes = objects[which]!.bytes.slice();
        const list = structural[which]!;
        const [off, size] = list[sec % list.length]!;
        if (size < 4) return;
        new DataView(bytes.buffer).setUint32(off + (pos % (size - 3)), value, true);
        expect(["ok", "typed"]).toContain(attempt(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it("truncation anywhere gives a typed error", () => {
    for (const { bytes } of objects) {
      for (let len = 0; len < bytes.length; len += Math.max(1, Math.floor(bytes.length / 300))) {
        expect(attempt(bytes.subarray(0, len))).toBe("typed");
      }
    }
  });
});
