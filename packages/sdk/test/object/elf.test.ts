import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { classifySection, readElf, readRelocations, readSymbols, SHT, STT, type ElfFile, type ElfSymbol } from "@bpf-skel/sdk/elf";
import { isElfError } from "@bpf-skel/sdk/errors";
import { clang19Missing, requirement } from "../../../../test/support/env.js";
import { FIXTURES, fixtureBytes, fixturePath } from "./fixtures.js";

/** shown is how readelf prints a symbol's name: section symbols take their section's name. */
const shown = (elf: ElfFile, s: ElfSymbol) => (s.type === STT.SECTION && s.name === "" ? elf.sections[s.shndx]!.name : s.name);

/** readelf runs llvm-readelf-19 with JSON output: the independent view of the same bytes. */
function readelf(args: string[], file: string): unknown {
  return JSON.parse(execFileSync("llvm-readelf-19", ["--elf-output-style=JSON", ...args, file], { encoding: "utf8" }));
}

describe.skipIf(requirement(clang19Missing()))("ELF symbols and relocations against llvm-readelf-19", () => {
  for (const name of FIXTURES) {
    it(`${name}: every symbol matches`, () => {
      const elf = readElf(fixtureBytes(name), `${name}.bpf.o`);
      const ours = readSymbols(elf);
      const [{ Symbols }] = readelf(["--symbols"], fixturePath(name)) as [{ Symbols: { Symbol: Record<string, any> }[] }];
      expect(ours.length).toBe(Symbols.length);
      Symbols.forEach(({ Symbol: s }, i) => {
        const o = ours[i]!;
        expect([shown(elf, o), o.value, o.size, o.bind, o.type, o.shndx, o.visibility]).toEqual([
          s.Name.Name,
          s.Value,
          s.Size,
          s.Binding.Value,
          s.Type.Value,
          s.Section.Value,
          s.Other.Value & 3,
        ]);
      });
    });

    it(`${name}: every relocation matches`, () => {
      const elf = readElf(fixtureBytes(name), `${name}.bpf.o`);
      const symbols = readSymbols(elf);
      const [{ Relocations }] = readelf(["--relocations"], fixturePath(name)) as [
        { Relocations: { SectionIndex: number; Relocs: { Relocation: Record<string, any> }[] }[] },
      ];
      const rels = elf.sections.filter((s) => s.type === SHT.REL);
      expect(rels.map((s) => s.index)).toEqual(Relocations.map((r) => r.SectionIndex));
      rels.forEach((s, i) => {
        const ours = readRelocations(elf, s, symbols).relocations;
        const theirs = Relocations[i]!.Relocs.map((r) => r.Relocation);
        expect(ours.map((r) => [r.offset, r.type, shown(elf, r.symbol)])).toEqual(theirs.map((r) => [r.Offset, r.Type.Value, r.Symbol.Name]));
      });
    });
  }
});

describe("section classification", () => {
  it("names what each section of tracing.bpf.o is for", () => {
    const elf = readElf(fixtureBytes("tracing"), "tracing.bpf.o");
    const kinds = Object.fromEntries(elf.sections.map((s) => [s.name, classifySection(s)]));
    expect(kinds).toMatchObject({
      ".text": "program",
      "tp_btf/sched_switch": "program",
      "?lsm.s/file_open": "program",
      license: "license",
      ".maps": "maps",
      ".bss": "bss",
      ".BTF": "btf",
      ".BTF.ext": "btf-ext",
      ".symtab": "symtab",
      ".reltp_btf/sched_switch": "rel",
      ".debug_info": "other",
    });
  });

  it("sees .data.custom, .rodata and .addr_space.1", () => {
    const g = readElf(fixtureBytes("globals"), "globals.bpf.o");
    expect(classifySection(g.section(".data.custom")!)).toBe("data");
    expect(classifySection(g.section(".rodata")!)).toBe("rodata");
    const a = readElf(fixtureBytes("arena"), "arena.bpf.o");
    expect(classifySection(a.section(".addr_space.1")!)).toBe("arena");
  });
});

describe("malformed symbol and relocation tables", () => {
  const symtabAt = (bytes: Uint8Array) => readElf(bytes).sections.find((s) => s.type === SHT.SYMTAB)!;

  it("a symbol name past the string table is an ElfError naming .symtab and the offset", () => {
    const bytes = fixtureBytes("calls").slice();
    const tab = symtabAt(bytes);
    new DataView(bytes.buffer).setUint32(tab.offset + 24, 0x7fffffff, true);
    const err = (() => {
      try {
        readSymbols(readElf(bytes, "calls.bpf.o"));
      } catch (e) {
        return e;
      }
    })();
    expect(isElfError(err)).toBe(true);
    expect(err).toMatchObject({ input: "calls.bpf.o", section: ".symtab", offset: 24 });
  });

  it("a relocation naming a missing symbol is an ElfError", () => {
    const bytes = fixtureBytes("calls").slice();
    const elf = readElf(bytes, "calls.bpf.o");
    const rel = elf.sections.find((s) => s.type === SHT.REL)!;
    new DataView(bytes.buffer).setUint32(rel.offset + 12, 9999, true);
    const again = readElf(bytes, "calls.bpf.o");
    expect(() => readRelocations(again, again.sections[rel.index]!, readSymbols(again))).toThrow(/names symbol 9999/);
  });
});
