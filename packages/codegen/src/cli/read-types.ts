import { loadTypes, type Btf, type TypesFormat } from "@bpf-skel/sdk";

export type { TypesFormat };

/**
 * readTypes loads the types of a BPF ELF object, a raw BTF file or a JSON description
 * (the SDK's `loadTypes`); the generator needs only the BTF and where it came from.
 */
export function readTypes(bytes: Uint8Array, input: string): { btf: Btf; format: TypesFormat } {
  const { btf, format } = loadTypes(bytes, input);
  return { btf, format };
}
