import { fileURLToPath } from "node:url";

/** root is the repository root. */
export const root = fileURLToPath(new URL("../../../", import.meta.url));

/** AccessorFixture is one BPF C fixture: its object, the header the host cross-check includes, and the types to generate. */
export interface AccessorFixture {
  readonly name: string;
  /** Object path relative to the repository root. */
  readonly object: string;
  /** Header with the struct definitions, relative to the repository root. */
  readonly header: string;
  readonly types: readonly string[];
}

export const ACCESSOR_FIXTURES: readonly AccessorFixture[] = [
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
    types: ["layouts", "packed_rec", "holder", "flex", "union value"],
  },
];
