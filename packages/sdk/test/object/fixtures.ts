import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");
export const loaderFixtures = join(root, "test/fixtures/loader");

/** FIXTURES are the loader fixture objects (test/fixtures/loader/<name>.bpf.o). */
export const FIXTURES = ["arena", "calls", "core", "core_target", "globals", "maps", "rejected", "tracing"] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function fixturePath(name: FixtureName): string {
  return join(loaderFixtures, `${name}.bpf.o`);
}

export function fixtureBytes(name: FixtureName): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}
