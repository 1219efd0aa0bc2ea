import * as sdk from "@bpf-skel/sdk";
import { ElfError, isRawBtf, parseBtf, readElf, type Btf } from "@bpf-skel/sdk";

export type TypesFormat = "elf" | "btf" | "json";

type LoadTypes = (bytes: Uint8Array, input: string) => { btf: Btf; format: TypesFormat };

/**
 * readTypes loads the types of a BPF ELF object, a raw BTF file or a JSON description via
 * the SDK's `loadTypes`. Until an SDK build has `loadTypes`, ELF and raw BTF go straight
 * through `parseBtf` (JSON needs loadTypes).
 */
export function readTypes(bytes: Uint8Array, input: string): { btf: Btf; format: TypesFormat } {
  const loadTypes = (sdk as unknown as { loadTypes?: LoadTypes }).loadTypes;
  if (loadTypes !== undefined) return loadTypes(bytes, input);
  if (isRawBtf(bytes)) return { btf: parseBtf(bytes, { input }), format: "btf" };
  const elf = readElf(bytes, input);
  const btf = elf.section(".BTF");
  if (btf === undefined) throw new ElfError("no .BTF section (build with clang -g)", { input });
  return { btf: parseBtf(btf.data, { input }), format: "elf" };
}
