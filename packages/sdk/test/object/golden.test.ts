import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dumpObjectSpec, readObject } from "@bpf-skel/sdk/object";
import { FIXTURES, fixtureBytes, root } from "./fixtures.js";

const goldenDir = join(root, "packages/sdk/test/object/golden");
const update = process.env.UPDATE_GOLDEN === "1";

/** Golden ObjectSpec dumps: any change in what the reader sees in a fixture shows up as a diff. */
describe("golden ObjectSpec dumps", () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const text = `${JSON.stringify(dumpObjectSpec(readObject(fixtureBytes(name), `${name}.bpf.o`)), null, 2)}\n`;
      const file = join(goldenDir, `${name}.json`);
      if (update || !existsSync(file)) {
        if (!update && process.env.CI === "true") throw new Error(`missing golden ${file}; run UPDATE_GOLDEN=1`);
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, "utf8"));
      expect(text).not.toContain(root);
    });
  }

  it("is deterministic", () => {
    const a = JSON.stringify(dumpObjectSpec(readObject(fixtureBytes("tracing"), "tracing.bpf.o")));
    const b = JSON.stringify(dumpObjectSpec(readObject(fixtureBytes("tracing").slice(), "tracing.bpf.o")));
    expect(a).toBe(b);
  });
});
