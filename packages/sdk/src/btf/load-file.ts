import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { loadTypes, type LoadedTypes } from "./load.js";

/**
 * loadTypesFromFile reads `path` and hands it to `loadTypes`; errors name the file by its
 * base name. Kept apart from load.ts so the rest of btf/ stays free of node:fs.
 */
export function loadTypesFromFile(path: string): LoadedTypes {
  const file = readFileSync(path);
  return loadTypes(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), basename(path));
}
