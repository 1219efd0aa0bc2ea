import { ElfError } from "../errors/index.js";

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 1, ALLOC: 2, EXECINSTR: 4 } as const;
export const EM_BPF = 247;

/** ElfSection is one section header plus a view of its bytes (empty for NOBITS). */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** The section's bytes: a view into the file, no copy. Empty for SHT_NOBITS. */
  readonly data: Uint8Array;
}

/** ElfFile is a parsed ELF64 file: header fields and sections. */
export interface ElfFile {
  readonly input: string;
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  /** section returns the first section named `name`. */
  section(name: string): ElfSection | undefined;
}

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;

/**
 * readElf parses the ELF64 header and section table of `bytes`. It checks every offset
 * against the file size, so a truncated or corrupt file gives an ElfError naming the place.
 */
export function readElf(bytes: Uint8Array, input = "<buffer>"): ElfFile {
  const fail = (msg: string, place: { section?: string; offset?: number } = {}): never => {
    throw new ElfError(msg, { input, ...place });
  };
  if (bytes.length < EHDR_SIZE) fail(`file too small for an ELF header (${bytes.length} bytes)`, { offset: 0 });
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail("not an ELF file (bad magic)", { offset: 0 });
  }
  if (bytes[4] !== 2) fail(`unsupported ELF class ${bytes[4]} (want ELFCLASS64)`, { offset: 4 });
  if (bytes[5] !== 1 && bytes[5] !== 2) fail(`unsupported ELF data encoding ${bytes[5]}`, { offset: 5 });
  const le = bytes[5] === 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const u64 = (o: number) => {
    const v = dv.getBigUint64(o, le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`64-bit field too large (${v})`, { offset: o });
    return Number(v);
  };

  const type = u16(16);
  const machine = u16(18);
  const shoff = u64(40);
  const shentsize = u16(58);
  let shnum = u16(60);
  let shstrndx = u16(62);
  if (shoff === 0) return makeFile(input, le, type, machine, []);
  if (shentsize !== SHDR_SIZE) fail(`bad section header size ${shentsize}`, { offset: 58 });
  if (shoff + SHDR_SIZE > bytes.length) fail("section header table past end of file", { offset: shoff });
  // Extended numbering: counts that do not fit live in section 0.
  if (shnum === 0) shnum = u64(shoff + 32);
  if (shstrndx === 0xffff) shstrndx = u32(shoff + 40);
  if (shoff + shnum * SHDR_SIZE > bytes.length) {
    fail(`section header table (${shnum} entries) past end of file`, { offset: shoff });
  }
  if (shstrndx >= shnum) fail(`section name table index ${shstrndx} out of range`, { offset: 62 });

  interface Raw {
    nameOff: number;
    type: number;
    flags: number;
    offset: number;
    size: number;
    link: number;
    info: number;
    addralign: number;
    entsize: number;
    at: number;
  }
  const raw: Raw[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    const r: Raw = {
      nameOff: u32(at),
      type: u32(at + 4),
      flags: u64(at + 8),
      offset: u64(at + 24),
      size: u64(at + 32),
      link: u32(at + 40),
      info: u32(at + 44),
      addralign: u64(at + 48),
      entsize: u64(at + 56),
      at,
    };
    if (r.type !== SHT.NOBITS && r.type !== SHT.NULL && r.offset + r.size > bytes.length) {
      fail(`section ${i} data [0x${r.offset.toString(16)}, +${r.size}) past end of file`, { offset: at });
    }
    raw.push(r);
  }
  const strtab = raw[shstrndx]!;
  const names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
  const sections = raw.map((r, index): ElfSection => {
    const name = cString(names, r.nameOff, () =>
      fail(`section ${index} name offset ${r.nameOff} outside the name table`, { offset: r.at }),
    );
    const data =
      r.type === SHT.NOBITS || r.type === SHT.NULL
        ? new Uint8Array(0)
        : bytes.subarray(r.offset, r.offset + r.size);
    return {
      index,
      name,
      type: r.type,
      flags: r.flags,
      offset: r.offset,
      size: r.size,
      link: r.link,
      info: r.info,
      addralign: r.addralign,
      entsize: r.entsize,
      data,
    };
  });
  return makeFile(input, le, type, machine, sections);
}

function makeFile(input: string, littleEndian: boolean, type: number, machine: number, sections: ElfSection[]): ElfFile {
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  return { input, littleEndian, type, machine, sections, section: (n) => byName.get(n) };
}

const decoder = new TextDecoder();

/** cString reads a NUL-terminated string at `off`; `onError` is called when `off` is out of range or unterminated. */
export function cString(table: Uint8Array, off: number, onError: () => never): string {
  if (off >= table.length) {
    if (off === 0) return "";
    onError();
  }
  const end = table.indexOf(0, off);
  if (end < 0) onError();
  return decoder.decode(table.subarray(off, end));
}

/** isElf says whether `bytes` start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}
