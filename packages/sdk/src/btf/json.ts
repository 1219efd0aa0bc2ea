import { DescriptionError } from "../errors/index.js";
import type { Btf } from "./btf.js";
import { lowerDescription } from "./description.js";
import { isBpftoolDump, lowerBpftoolDump } from "./json-bpftool.js";
import { Doc } from "./json-path.js";
import type { StorageDecl } from "./storage-decl.js";

/** DescriptionResult is a lowered JSON description: its types and the storage maps it declares. */
export interface DescriptionResult {
  readonly btf: Btf;
  readonly storage: StorageDecl[];
}

/**
 * parseDescription lowers an already-parsed JSON document to the BTF model: either our
 * own schema (docs/json-description.md) or `bpftool btf dump file X format raw -j`
 * output (recognised by its top-level `types` array). `input` names the document in
 * errors; every problem is a DescriptionError with the JSON path.
 */
export function parseDescription(doc: unknown, input = "<json>"): DescriptionResult {
  const root = new Doc(doc, "", input);
  if (isBpftoolDump(root)) return { btf: lowerBpftoolDump(root), storage: [] };
  return lowerDescription(root);
}

/**
 * parseDescriptionText is `parseDescription` over JSON text. Bare `"val"` numbers (as
 * bpftool prints 64-bit enum values) are read exactly rather than rounded to a double.
 */
export function parseDescriptionText(text: string, input = "<json>"): DescriptionResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/("val"\s*:\s*)(-?\d{16,})/g, '$1"$2"'));
  } catch (e) {
    throw new DescriptionError(`invalid JSON: ${(e as Error).message}`, { input, path: "/" }, { cause: e });
  }
  return parseDescription(doc, input);
}
