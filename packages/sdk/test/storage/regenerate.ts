import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateAccessors } from "@bpf-skel/codegen";
import { parseBtf } from "@bpf-skel/sdk/btf";
import { readElf } from "@bpf-skel/sdk/elf";

export const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");

/** LAYOUT_TYPES are the contract's structs, in the order the generated module lists them. */
export const LAYOUT_TYPES = [
  "bskel_region", "bskel_pgdesc", "bskel_class", "bskel_map_desc", "bskel_counters",
  "bskel_slab_hdr", "bskel_entry", "bskel_index_l1", "bskel_index_leaf",
];

/** GENERATED lists each generated file with how it is made (the same as the CLI line in its comment). */
export const GENERATED = [
  {
    // node packages/codegen/bin/bpf-skel.js gen test/fixtures/storage/layout.bpf.o -t … --import ../../views/index.js
    //   -o packages/sdk/src/storage/generated/layout
    // The import points inside the SDK: the SDK cannot import itself by name before it is built.
    file: "packages/sdk/src/storage/generated/layout.ts",
    object: "test/fixtures/storage/layout.bpf.o",
    types: LAYOUT_TYPES,
    importFrom: "../../views/index.js",
  },
  {
    file: "packages/sdk/test/storage/generated/values.ts",
    object: "test/fixtures/storage/values.bpf.o",
    types: ["task_ctx", "cgrp_ctx"],
    // Tests import the views runtime by its subpath, so they do not depend on the rest of the SDK.
    importFrom: "@bpf-skel/sdk/views",
  },
];

/** regenerate runs the accessor generator on a fixture's .BTF exactly as `bpf-skel gen … --import` does. */
export function regenerate(g: (typeof GENERATED)[number]): string {
  const name = g.object.split("/").pop()!;
  const bytes = readFileSync(join(root, g.object));
  const elf = readElf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
  const btf = parseBtf(elf.section(".BTF")!.data, { input: name });
  return generateAccessors(btf, { types: g.types, input: name, source: ".BTF", importFrom: g.importFrom });
}
