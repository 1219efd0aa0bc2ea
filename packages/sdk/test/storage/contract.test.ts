import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as contract from "@bpf-skel/sdk/storage";
import { BskelClass, BskelCounters, BskelEntry, BskelIndexL1, BskelIndexLeaf, BskelMapDesc, BskelPgdesc, BskelRegion, BskelSlabHdr } from "@bpf-skel/sdk/storage";
import { clang19Missing, clangPath, requirement } from "../../../../test/support/env.js";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");
const header = join(root, "packages/sdk/include/bpf-skel/storage-layout.h");
const structs = { bskel_region: BskelRegion, bskel_pgdesc: BskelPgdesc, bskel_class: BskelClass, bskel_map_desc: BskelMapDesc, bskel_counters: BskelCounters, bskel_slab_hdr: BskelSlabHdr, bskel_entry: BskelEntry, bskel_index_l1: BskelIndexL1, bskel_index_leaf: BskelIndexLeaf };

/** scalars lists the contract's numeric constants (the magic's halves are TypeScript-only). */
function scalars(): [string, number | bigint][] {
  return Object.entries(contract as Record<string, unknown>).filter(
    (e): e is [string, number | bigint] => e[0].startsWith("BSKEL_") && !e[0].startsWith("BSKEL_REGION_MAGIC_") && (typeof e[1] === "number" || typeof e[1] === "bigint"),
  );
}

/** runC compiles a native C program that includes the layout header and returns its output lines. */
function runC(body: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "bskel-layout-"));
  try {
    const src = join(dir, "probe.c");
    writeFileSync(src, `#include <stddef.h>\n#include <stdio.h>\n#include "${header}"\nint main(void) {\n${body}\nreturn 0;\n}\n`);
    execFileSync(clangPath(), ["-std=c11", "-Wall", "-Werror", src, "-o", join(dir, "probe")]);
    return execFileSync(join(dir, "probe"), { encoding: "utf8" }).trim().split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("layout contract", () => {
  it("every TypeScript constant names a #define of the C header", () => {
    const text = readFileSync(header, "utf8");
    for (const [name] of scalars()) expect(text, name).toMatch(new RegExp(`^#define ${name}\\b`, "m"));
    const strides = text.match(/BSKEL_CLASS_STRIDES \\\s*\{([^}]*)\}/)![1]!;
    expect(strides.split(",").map((x) => Number(x.trim()))).toEqual(contract.BSKEL_CLASS_STRIDES);
    expect(contract.BSKEL_REGION_MAGIC).toBe((BigInt(contract.BSKEL_REGION_MAGIC_HI) << 32n) | BigInt(contract.BSKEL_REGION_MAGIC_LO));
    expect(Buffer.from(new BigUint64Array([contract.BSKEL_REGION_MAGIC]).buffer).toString("latin1")).toBe("bskelrgn");
  });

  it("every size class fits its page and keeps 16-byte alignment", () => {
    for (const stride of contract.BSKEL_CLASS_STRIDES) {
      expect(stride % 16).toBe(0);
      const n = contract.slotsPerPage(stride);
      expect(n).toBeGreaterThan(0);
      expect(contract.BSKEL_SLAB_HDR_SIZE + n * stride).toBeLessThanOrEqual(4096);
    }
    expect(contract.classFor(16, 8)).toBe(1); // 24 + 16 = 40 -> 48
    expect(contract.classFor(4040, 8)).toBe(15);
    expect(contract.classFor(4041, 8)).toBe(-1);
    expect(contract.classFor(8, 32)).toBe(-1);
  });

  describe.skipIf(requirement(clang19Missing()))("against clang-19", () => {
    it("generated accessors have the offsets and sizes clang gives the C structs", () => {
      // A native C program prints sizeof/offsetof for every member the generated classes know.
      const lines: string[] = [];
      const expected: string[] = [];
      for (const [cname, cls] of Object.entries(structs)) {
        lines.push(`printf("${cname} %zu\\n", sizeof(struct ${cname}));`);
        expected.push(`${cname} ${cls.size}`);
        for (const f of cls.fields) {
          lines.push(`printf("${cname}.${f.name} %zu %zu\\n", offsetof(struct ${cname}, ${f.name}), sizeof(((struct ${cname} *)0)->${f.name}));`);
          expected.push(`${cname}.${f.name} ${f.bitOffset / 8} ${f.size}`);
        }
      }
      expect(runC(lines.join("\n"))).toEqual(expected);
    });

    it("TypeScript constants have the values clang-19 computes from the header", () => {
      const list = scalars();
      const out = runC(list.map(([n]) => `printf("${n} %llu\\n", (unsigned long long)(${n}));`).join("\n"));
      expect(out).toEqual(list.map(([n, v]) => `${n} ${BigInt(v)}`));
    });

    it("the committed fixture objects are what clang-19 builds from their sources", async () => {
      const { build } = (await import(join(root, "scripts/build-fixtures.mjs"))) as { build: (src: string, out: string) => void };
      const dir = mkdtempSync(join(tmpdir(), "bskel-fixture-"));
      try {
        for (const name of ["layout", "values"]) {
          const out = join(dir, `${name}.bpf.o`);
          build(join(root, `test/fixtures/storage/${name}.bpf.c`), out);
          expect(readFileSync(out).equals(readFileSync(join(root, `test/fixtures/storage/${name}.bpf.o`))), name).toBe(true);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the header compiles for the BPF target with its static asserts", () => {
      const dir = mkdtempSync(join(tmpdir(), "bskel-bpf-"));
      try {
        const src = join(dir, "h.c");
        writeFileSync(src, `#include "${header}"\nint x(struct bskel_entry *e) { return e->gen; }\n`);
        execFileSync(clangPath(), ["-O2", "-target", "bpf", "-Wall", "-Werror", "-c", src, "-o", join(dir, "h.o")]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
