import { LayoutError, type Btf, type StorageDecl } from "@bpf-skel/sdk";
import { emitModule } from "./emit.js";
import { buildPlan, findType, type StorageRoot } from "./plan.js";

/** VERSION is the generator version printed in every header. */
export const VERSION = "0.1.0";

export interface GenerateOptions {
  /** Types to generate: `task_ctx`, `struct task_ctx`, `union foo`, `enum bar` or a typedef name. May be empty when `storage` is not. */
  readonly types: readonly string[];
  /** Basename of the input, for the header. */
  readonly input: string;
  /** Where in the input the types came from (".BTF", "raw BTF", "JSON"); default ".BTF". */
  readonly source?: string;
  /** Storage maps to wrap (a JSON description's `storage`); their value types are generated too. */
  readonly storage?: readonly StorageDecl[];
  /** Module the generated code imports from (`--import`); default "@bpf-skel/sdk". */
  readonly importFrom?: string;
}

/**
 * generateAccessors returns one TypeScript module with typed accessors for the named types
 * and everything they hold by value, plus a typed wrapper per declared storage map.
 * Throws LayoutError when a type is missing or cannot be laid out.
 */
export function generateAccessors(btf: Btf, options: GenerateOptions): string {
  const storage = options.storage ?? [];
  if (options.types.length === 0 && storage.length === 0) {
    throw new LayoutError("no --type given and the input declares no storage", { input: options.input });
  }
  const roots: number[] = [];
  const aliases = new Map<number, string>();
  const scan = options.types.length + storage.length <= 4;
  for (const spec of options.types) {
    const t = findType(btf, spec, scan);
    if (t === undefined) throw new LayoutError(`no struct, union, enum or typedef named '${spec}'`, { input: options.input });
    if (!roots.includes(t.id)) roots.push(t.id);
    if (t.name === "") aliases.set(t.id, spec.replace(/^(struct|union|enum)\s+/, ""));
  }
  const stores: StorageRoot[] = [];
  for (const [i, s] of storage.entries()) {
    const t = findType(btf, s.value, scan);
    if (t === undefined || (t.kind !== "struct" && t.kind !== "union")) {
      throw new LayoutError(`storage ${s.name}: value '${s.value}' is not a struct or union`, { input: options.input, path: `/storage/${i}/value` });
    }
    if (stores.some((x) => x.name === s.name)) {
      throw new LayoutError(`storage ${s.name} is declared twice`, { input: options.input, path: `/storage/${i}/name` });
    }
    if (!roots.includes(t.id)) roots.push(t.id);
    stores.push({ name: s.name, owner: s.owner, valueId: t.id });
  }
  const plan = buildPlan(btf, roots, aliases, stores);
  return emitModule(plan, {
    version: VERSION,
    input: options.input,
    source: options.source ?? ".BTF",
    ...(options.importFrom !== undefined ? { importFrom: options.importFrom } : {}),
  });
}
