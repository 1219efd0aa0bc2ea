/**
 * The generated accessors of the layout contract, under the names the storage code uses.
 * Everything that knows a struct's shape goes through these classes (or offsets derived from
 * their `fields`, for the hot paths that index typed arrays directly).
 */
export {
  BskelClass,
  BskelCounters,
  BskelEntry,
  BskelIndexL1,
  BskelIndexLeaf,
  BskelMapDesc,
  BskelPgdesc,
  BskelRegion,
  BskelSlabHdr,
} from "./generated/layout.js";
