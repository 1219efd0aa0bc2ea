/**
 * StorageDecl is a local-storage map declared in a JSON description: `name` is the map,
 * `owner` what the storage hangs off (a task or a cgroup), `value` the struct/union name
 * of its value type.
 */
export interface StorageDecl {
  readonly name: string;
  readonly owner: "task" | "cgroup";
  readonly value: string;
}
