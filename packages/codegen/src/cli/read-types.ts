import { loadTypes, type Btf, type StorageDecl, type TypesFormat } from "@bpf-skel/sdk";

export type { TypesFormat };

/**
 * readTypes loads the types of a BPF ELF object, a raw BTF file or a JSON description
 * (the SDK's `loadTypes`): the BTF, where it came from, and the storage maps a JSON
 * description declares (none for the other formats).
 */
export function readTypes(bytes: Uint8Array, input: string): { btf: Btf; format: TypesFormat; storage: StorageDecl[] } {
  const { btf, format, storage } = loadTypes(bytes, input);
  return { btf, format, storage };
}
