import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, sources } from "../scripts/build-fixtures.mjs";
import { clang19Missing, requirement } from "./support/env.js";

// Committed fixture objects must be what `npm run fixtures` builds today. clang-19 output is
// byte-stable for our flags (relative paths, -fdebug-compilation-dir=.), so bytes are compared.

describe.skipIf(requirement(clang19Missing()))("committed fixture objects are fresh", () => {
  const out = mkdtempSync(join(tmpdir(), "bpf-skel-fixtures-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const fixtures = join(import.meta.dirname, "fixtures");

  it("finds fixtures to check", () => {
    expect(sources().length).toBeGreaterThanOrEqual(3);
  });

  for (const src of sources()) {
    const rel = relative(fixtures, src).replace(/\.c$/, ".o");
    it(`${rel} matches a fresh clang-19 build (run npm run fixtures if not)`, () => {
      const fresh = join(out, rel);
      build(src, fresh);
      const committed = readFileSync(join(fixtures, rel));
      expect(Buffer.compare(readFileSync(fresh), committed), `${rel} is stale: run npm run fixtures and commit it`).toBe(0);
    });
  }
});
