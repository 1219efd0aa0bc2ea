import type { Btf, StorageDecl } from "@bpf-skel/sdk";
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { readTypes } from "../src/index.js";
import { root } from "./fixture-list.js";

/** loadFixture loads the types of an object or BTF file (path relative to the repository root, or absolute) as the CLI does. */
export async function loadFixture(path: string): Promise<Btf> {
  const file = resolve(root, path);
  const bytes = readFileSync(file);
  return readTypes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), basename(file)).btf;
}

/** loadFixtureTypes is loadFixture plus the storage maps a JSON description declares. */
export function loadFixtureTypes(path: string): { btf: Btf; storage: StorageDecl[] } {
  const file = resolve(root, path);
  const bytes = readFileSync(file);
  const { btf, storage } = readTypes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), basename(file));
  return { btf, storage };
}
