import { ElfError } from "../errors/index.js";
import { cString, SHT, type ElfFile, type ElfSection } from "./reader.js";

/** STB_* symbol bindings. */
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
/** STT_* symbol types. */
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
/** STV_* symbol visibilities (low two bits of st_other). */
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;
/** SHN_* special section indexes. */
export const SHN = { UNDEF: 0, LORESERVE: 0xff00, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff } as const;

const SYM_SIZE = 24;

/** ElfSymbol is one Elf64_Sym with its name resolved. */
export interface ElfSymbol {
  /** Index in the symbol table (what relocations refer to). */
  readonly index: number;
  readonly name: string;
  /** STB_* binding (st_info >> 4). */
  readonly bind: number;
  /** STT_* type (st_info & 0xf). */
  readonly type: number;
  /** STV_* visibility (st_other & 3). */
  readonly visibility: number;
  /** Section index the symbol is defined in; SHN_UNDEF for externs. */
  readonly shndx: number;
  /** st_value: byte offset inside the section for ET_REL objects. */
  readonly value: number;
  readonly size: number;
}

/**
 * readSymbols reads the (single) SHT_SYMTAB of `elf`; an object without one has no symbols.
 * Names come from the string table its sh_link names; every offset is bounds-checked.
 */
export function readSymbols(elf: ElfFile): ElfSymbol[] {
  const tab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  if (tab === undefined) return [];
  const fail = (reason: string, offset?: number): never => {
    throw new ElfError(reason, { input: elf.input, section: tab.name, ...(offset === undefined ? {} : { offset }) });
  };
  if (tab.entsize !== SYM_SIZE) fail(`symbol entry size ${tab.entsize}, want ${SYM_SIZE}`);
  if (tab.data.length % SYM_SIZE !== 0) fail(`symbol table size ${tab.data.length} is not a multiple of ${SYM_SIZE}`);
  const strtab = elf.sections[tab.link];
  if (strtab === undefined || strtab.type !== SHT.STRTAB) fail(`sh_link ${tab.link} is not a string table`);
  const names = (strtab as ElfSection).data;
  const dv = view(tab.data);
  const le = elf.littleEndian;
  const out: ElfSymbol[] = [];
  for (let at = 0, index = 0; at < tab.data.length; at += SYM_SIZE, index++) {
    const nameOff = dv.getUint32(at, le);
    const info = dv.getUint8(at + 4);
    const other = dv.getUint8(at + 5);
    const shndx = dv.getUint16(at + 6, le);
    const value = safe(dv.getBigUint64(at + 8, le), () => fail(`symbol ${index} st_value too large`, at + 8));
    const size = safe(dv.getBigUint64(at + 16, le), () => fail(`symbol ${index} st_size too large`, at + 16));
    const name = cString(names, nameOff, () => fail(`symbol ${index} name offset ${nameOff} outside the string table`, at));
    out.push({ index, name, bind: info >> 4, type: info & 0xf, visibility: other & 3, shndx, value, size });
  }
  return out;
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function safe(v: bigint, onError: () => never): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) onError();
  return Number(v);
}
