import { LayoutError, type Btf } from "@bpf-skel/sdk";
import { emitModule } from "./emit.js";
import { buildPlan, findType } from "./plan.js";

/** VERSION is the generator version printed in every header. */
export const VERSION = "0.1.0";

export interface GenerateOptions {
  /** Types to generate: `task_ctx`, `struct task_ctx`, `union foo`, `enum bar` or a typedef name. */
  readonly types: readonly string[];
  /** Basename of the input, for the header. */
  readonly input: string;
  /** Where in the input the types came from (".BTF", "raw BTF", "JSON"); default ".BTF". */
  readonly source?: string;
}

/**
 * generateAccessors returns one TypeScript module with typed accessors for the named types
 * and everything they hold by value. Throws LayoutError when a type is missing or cannot be laid out.
 */
export function generateAccessors(btf: Btf, options: GenerateOptions): string {
  if (options.types.length === 0) throw new LayoutError("no --type given", { input: options.input });
  const roots: number[] = [];
  const aliases = new Map<number, string>();
  const scan = options.types.length <= 4;
  for (const spec of options.types) {
    const t = findType(btf, spec, scan);
    if (t === undefined) throw new LayoutError(`no struct, union, enum or typedef named '${spec}'`, { input: options.input });
    if (!roots.includes(t.id)) roots.push(t.id);
    if (t.name === "") aliases.set(t.id, spec.replace(/^(struct|union|enum)\s+/, ""));
  }
  const plan = buildPlan(btf, roots, aliases);
  return emitModule(plan, { version: VERSION, input: options.input, source: options.source ?? ".BTF" });
}
