import { BtfError } from "../errors/index.js";
import type { BtfKindName, BtfType, ByteOrder } from "./types.js";

/**
 * Btf is a parsed, immutable set of BTF types. `types[i]` has id `i + 1`; id 0 is void.
 * Name lookups build their index on first use.
 */
export class Btf {
  readonly types: readonly BtfType[];
  readonly byteOrder: ByteOrder;
  /** Name of the input the types came from, used in error messages. */
  readonly input: string;
  #byName: Map<string, BtfType[]> | undefined;

  constructor(types: readonly BtfType[], options: { byteOrder?: ByteOrder; input?: string } = {}) {
    this.types = types;
    this.byteOrder = options.byteOrder ?? "little";
    this.input = options.input ?? "<btf>";
  }

  /** Number of type ids including void (the largest valid id is `count - 1`). */
  get count(): number {
    return this.types.length + 1;
  }

  /** get returns the type with `id`; `undefined` for void (id 0). Throws BtfError when out of range. */
  get(id: number): BtfType | undefined {
    if (id === 0) return undefined;
    const t = this.types[id - 1];
    if (t === undefined) {
      throw new BtfError(`type id ${id} out of range (max ${this.types.length})`, {
        input: this.input,
        typeId: id,
      });
    }
    return t;
  }

  /** type is `get` for ids that must not be void. */
  type(id: number): BtfType {
    const t = this.get(id);
    if (t === undefined) throw new BtfError("unexpected void type", { input: this.input, typeId: 0 });
    return t;
  }

  /** all returns every type named `name`, optionally only of one kind. */
  all(name: string, kind?: BtfKindName): BtfType[] {
    this.#byName ??= this.#indexNames();
    const found = this.#byName.get(name) ?? [];
    return kind === undefined ? found : found.filter((t) => t.kind === kind);
  }

  /** find returns the first type named `name` (of `kind`, if given), preferring complete definitions over forward declarations. */
  find(name: string, kind?: BtfKindName): BtfType | undefined {
    const found = this.all(name, kind);
    return found.find((t) => t.kind !== "fwd") ?? found[0];
  }

  #indexNames(): Map<string, BtfType[]> {
    const index = new Map<string, BtfType[]>();
    for (const t of this.types) {
      if (t.name === "") continue;
      const list = index.get(t.name);
      if (list) list.push(t);
      else index.set(t.name, [t]);
    }
    return index;
  }
}
