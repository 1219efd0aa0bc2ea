import type { Btf } from "@bpf-skel/sdk";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ACCESSOR_FIXTURES, root } from "../../packages/codegen/test/fixture-list.js";
import { loadFixture } from "../../packages/codegen/test/load.js";
import { clang19Missing, requirement } from "../support/env.js";
import { checkCToJs, checkJsToC, checkLayout, prepare, type Prepared } from "./harness.js";

// Cross-check generated accessors against clang-19 on the host: sizes, alignments and
// offsets from the compiler, values written by C and read by the accessors, and back.

describe.skipIf(requirement(clang19Missing()))("clang-19 cross-check of generated accessors", () => {
  const work = mkdtempSync(join(tmpdir(), "bpf-skel-clang-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const fx of ACCESSOR_FIXTURES) {
    describe(fx.name, () => {
      let p: Prepared;
      beforeAll(async () => {
        const btf: Btf = await loadFixture(fx.object);
        p = await prepare(btf, { ...fx, header: resolve(root, fx.header) }, work);
      });

      it("reports the sizes, alignments, offsets and enumerators clang computes", () => checkLayout(p));
      it("reads back exactly the values C wrote", () => checkCToJs(p));
      it("writes values that C reads back", () => checkJsToC(p));
    });
  }
});
