import { BtfError, ElfError } from "../errors/index.js";
import { isElf, readElf } from "../elf/reader.js";
import type { Btf } from "./btf.js";
import { isRawBtf } from "./header.js";
import { parseBtf } from "./parse.js";
import { parseDescriptionText } from "./json.js";
import type { StorageDecl } from "./storage-decl.js";

/** TypesFormat says what `loadTypes` found: a BPF ELF object, raw BTF, or a JSON description. */
export type TypesFormat = "elf" | "btf" | "json";

/** LoadedTypes is what `loadTypes` returns. */
export interface LoadedTypes {
  readonly btf: Btf;
  /** Storage maps a JSON description declares; [] for ELF and raw BTF (for now). */
  readonly storage: StorageDecl[];
  readonly format: TypesFormat;
}

/**
 * loadTypes reads types from `bytes`, whatever they are: an ELF object (its `.BTF`
 * section), raw BTF (the 0xeB9F magic, either byte order), or a JSON description (our
 * schema or bpftool's raw `-j` dump). `input` names the bytes in errors. Pure: no I/O.
 */
export function loadTypes(bytes: Uint8Array, input: string): LoadedTypes {
  if (isElf(bytes)) {
    const elf = readElf(bytes, input);
    const section = elf.section(".BTF");
    if (section === undefined) {
      throw new ElfError("no .BTF section (compile with clang -g)", { input, section: ".BTF" });
    }
    return { btf: parseBtf(section.data, { input }), storage: [], format: "elf" };
  }
  if (isRawBtf(bytes)) return { btf: parseBtf(bytes, { input }), storage: [], format: "btf" };
  if (looksLikeJson(bytes)) {
    const { btf, storage } = parseDescriptionText(new TextDecoder().decode(bytes), input);
    return { btf, storage, format: "json" };
  }
  throw new BtfError("not an ELF object, raw BTF or a JSON description", { input, offset: 0 });
}

function looksLikeJson(bytes: Uint8Array): boolean {
  let i = 0;
  // Skip a UTF-8 BOM and whitespace.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b || bytes[i] === 0x5b;
}
