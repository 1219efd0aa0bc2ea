import type { BtfType } from "./types.js";

/** Layout is a type's C size and alignment in bytes. */
export interface Layout {
  readonly size: number;
  readonly align: number;
}

/** Draft is a BtfType before it has an id. */
export type Draft = BtfType extends infer T ? (T extends BtfType ? Omit<T, "id"> : never) : never;

/**
 * TypeTable collects the BTF types a description lowers to: ids can be reserved before
 * their type is known (so `struct a { struct a *next; }` can point at itself), and
 * anonymous helper types (ints, pointers, arrays) are shared by a key.
 */
export class TypeTable {
  readonly #types: (BtfType | undefined)[] = [];
  readonly #layouts: (Layout | undefined)[] = [];
  readonly #shared = new Map<string, number>();

  reserve(): number {
    this.#types.push(undefined);
    this.#layouts.push(undefined);
    return this.#types.length;
  }

  set(id: number, type: Draft, layout: Layout | undefined): void {
    this.#types[id - 1] = { ...type, id } as BtfType;
    this.#layouts[id - 1] = layout;
  }

  add(type: Draft, layout: Layout | undefined): number {
    const id = this.reserve();
    this.set(id, type, layout);
    return id;
  }

  /** shared returns the id for `key`, adding the type `make` builds the first time. */
  shared(key: string, make: () => { type: Draft; layout: Layout | undefined }): number {
    let id = this.#shared.get(key);
    if (id === undefined) {
      const { type, layout } = make();
      id = this.add(type, layout);
      this.#shared.set(key, id);
    }
    return id;
  }

  get(id: number): BtfType | undefined {
    return this.#types[id - 1];
  }

  /** layout of `id`; undefined for void, incomplete types and reserved ids not yet set. */
  layout(id: number): Layout | undefined {
    return this.#layouts[id - 1];
  }

  /** done returns every type; all reserved ids must have been set. */
  done(): BtfType[] {
    return this.#types.map((t, i) => {
      if (t === undefined) throw new Error(`internal: type id ${i + 1} reserved but never set`);
      return t;
    });
  }
}
