import { fileURLToPath } from "node:url";

/** root is the repository root. */
export const root = fileURLToPath(new URL("../../../", import.meta.url));

/** AccessorFixture is one input with goldens: a BPF object (with the header the host cross-check includes) or a JSON description. */
export interface AccessorFixture {
  readonly name: string;
  /** Object (or description) path relative to the repository root. */
  readonly object: string;
  /** Header with the struct definitions, relative to the repository root; none for JSON descriptions. */
  readonly header?: string;
  readonly types: readonly string[];
}

/** ACCESSOR_FIXTURES are the BPF C fixtures, each with a header the host cross-check includes. */
export const ACCESSOR_FIXTURES: readonly (AccessorFixture & { header: string })[] = [
  { name: "task_ctx", object: "test/fixtures/accessors/task_ctx.bpf.o", header: "test/fixtures/accessors/task_ctx.h", types: ["task_ctx"] },
  {
    name: "bitfields",
    object: "test/fixtures/accessors/bitfields.bpf.o",
    header: "test/fixtures/accessors/bitfields.h",
    types: ["bitfields", "packed_bits"],
  },
  {
    name: "layouts",
    object: "test/fixtures/accessors/layouts.bpf.o",
    header: "test/fixtures/accessors/layouts.h",
    types: ["layouts", "packed_rec", "packed_aligned", "holder", "flex", "union value"],
  },
];

/**
 * GOLDEN_INPUTS are every input with a golden: the C fixtures plus JSON descriptions, whose
 * storage declarations add wrappers (and need no types: `storage` lists none).
 */
export const GOLDEN_INPUTS: readonly AccessorFixture[] = [
  ...ACCESSOR_FIXTURES,
  { name: "description", object: "test/fixtures/accessors/description.json", types: ["task_ctx", "pkt"] },
  { name: "storage", object: "test/fixtures/accessors/storage.json", types: [] },
];
