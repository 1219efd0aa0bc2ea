import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTypes } from "../../src/btf/load.js";
import { loadTypesFromFile } from "../../src/btf/load-file.js";
import { parseBtf } from "../../src/btf/parse.js";
import { isBtfError, isElfError } from "../../src/errors/index.js";
import { clang19Missing, clangPath, requirement } from "../../../../test/support/env.js";
import { CASES } from "./descriptions.js";
import { ALL_KINDS } from "./sources.js";
import { compileBpf, vmlinuxMissing, type Compiled } from "./support.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe.skipIf(requirement(clang19Missing()))("loadTypes sniffs its input", () => {
  let obj: Compiled;
  beforeAll(() => {
    obj = compileBpf(ALL_KINDS);
  });
  afterAll(() => obj?.dispose());

  it("reads .BTF out of an ELF object", () => {
    const r = loadTypes(obj.object, "t.o");
    expect(r.format).toBe("elf");
    expect(r.storage).toEqual([]);
    expect(r.btf.types).toEqual(parseBtf(obj.btf).types);
    expect(r.btf.input).toBe("t.o");
  });

  it("reads raw BTF", () => {
    const r = loadTypes(obj.btf, "t.btf");
    expect(r.format).toBe("btf");
    expect(r.btf.find("s", "struct")).toBeDefined();
  });

  it("reads a JSON description, with its storage", () => {
    const bytes = new TextEncoder().encode(`\n  ${JSON.stringify(CASES[0]!.json)}`);
    const r = loadTypes(bytes, "d.json");
    expect(r.format).toBe("json");
    expect(r.storage).toEqual([{ name: "task_ctx_stor", owner: "task", value: "task_ctx" }]);
    expect(r.btf.find("task_ctx", "struct")).toMatchObject({ size: 56 });
  });

  it("reports an ELF object without .BTF as an ElfError", () => {
    const dir = mkdtempSync(join(tmpdir(), "btf-nog-"));
    try {
      writeFileSync(join(dir, "a.c"), "int x = 1;\n");
      execFileSync(clangPath(), ["-O2", "-target", "bpf", "-c", join(dir, "a.c"), "-o", join(dir, "a.o")]);
      const bytes = readFileSync(join(dir, "a.o"));
      expect(() => loadTypes(bytes, "a.o")).toThrow(expect.objectContaining({ name: "ElfError", input: "a.o", section: ".BTF" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("loadTypes on other input", () => {
  it("rejects bytes that are none of the formats", () => {
    let caught: unknown;
    try {
      loadTypes(new Uint8Array([1, 2, 3, 4]), "junk.bin");
    } catch (e) {
      caught = e;
    }
    expect(isBtfError(caught)).toBe(true);
    expect((caught as { input: string }).input).toBe("junk.bin");
  });

  it("passes ELF errors through", () => {
    const elf = new Uint8Array(16);
    elf.set([0x7f, 0x45, 0x4c, 0x46]);
    let caught: unknown;
    try {
      loadTypes(elf, "short.o");
    } catch (e) {
      caught = e;
    }
    expect(isElfError(caught)).toBe(true);
  });

  it.skipIf(requirement(vmlinuxMissing()))("loads /sys/kernel/btf/vmlinux from a file", () => {
    const r = loadTypesFromFile("/sys/kernel/btf/vmlinux");
    expect(r.format).toBe("btf");
    expect(r.btf.input).toBe("vmlinux");
    expect(r.btf.find("task_struct", "struct")).toBeDefined();
  });
});
