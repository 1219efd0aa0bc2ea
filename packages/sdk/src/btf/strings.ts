import { BtfError } from "../errors/index.js";
import { BTF_SECTION } from "./header.js";

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * StringTable reads names from a BTF string section. A table without multi-byte
 * characters (the usual case) is decoded in one go and names are sliced out of it, which
 * is much faster than a TextDecoder call per name. There is no per-offset cache: with
 * members, params and enum values decoded lazily, the names read at parse time are
 * almost all distinct (type names), and a cache cost more (a 9 MB index for vmlinux)
 * than it saved. The table stays valid after the parse, for lists decoded later.
 */
export class StringTable {
  readonly #bytes: Uint8Array;
  readonly #text: string | undefined;
  readonly #length: number;
  readonly #input: string;
  readonly #base: number;

  /** `bytes` is the string section; `base` its offset in the raw BTF (for errors). The header checked it ends in NUL. */
  constructor(bytes: Uint8Array, input: string, base: number) {
    this.#input = input;
    this.#base = base;
    // Decoding maps each byte to one UTF-16 unit unless a valid multi-byte sequence (or a
    // truncated one) merges bytes, which shortens the text; equal lengths mean byte
    // offsets are string offsets and names can be sliced out of one decode.
    const text = utf8.decode(bytes);
    this.#text = text.length === bytes.length ? text : undefined;
    // Lazy lists read names long after the parse: keep no view of the caller's buffer
    // (it may change, or be a whole ELF file). The text, or else a copy, is all we need.
    this.#bytes = this.#text === undefined ? bytes.slice() : new Uint8Array(0);
    this.#length = bytes.length;
  }

  /** get returns the string at `off`; a BtfError naming `typeId` and the byte offset `at` when `off` is out of range. */
  get(off: number, typeId: number, at: number): string {
    if (off >= this.#length) this.#outside(off, typeId, at);
    return this.read(off);
  }

  /** check throws get's BtfError when `off` is out of range, without decoding (for names decoded later by `read`). */
  check(off: number, typeId: number, at: number): void {
    if (off >= this.#length) this.#outside(off, typeId, at);
  }

  /** read decodes the string at an offset `check` or `get` already accepted. */
  read(off: number): string {
    if (off === 0) return "";
    if (this.#text !== undefined) return this.#text.slice(off, this.#text.indexOf("\0", off));
    return utf8.decode(this.#bytes.subarray(off, this.#bytes.indexOf(0, off)));
  }

  #outside(off: number, typeId: number, at: number): never {
    throw new BtfError(`string offset ${off} outside the ${this.#length}-byte string section`, {
      input: this.#input,
      section: BTF_SECTION,
      typeId,
      offset: at,
    });
  }

  /** base is the string section's offset in the raw BTF. */
  get base(): number {
    return this.#base;
  }
}

/**
 * StringWriter builds a string section: "" at offset 0 and each distinct string once.
 */
export class StringWriter {
  readonly #offsets = new Map<string, number>();
  readonly #chunks: Uint8Array[] = [new Uint8Array(1)];
  #length = 1;
  readonly #encoder = new TextEncoder();

  constructor() {
    this.#offsets.set("", 0);
  }

  /** add returns the offset of `s`, appending it when new. */
  add(s: string): number {
    const known = this.#offsets.get(s);
    if (known !== undefined) return known;
    const bytes = this.#encoder.encode(s);
    const off = this.#length;
    const chunk = new Uint8Array(bytes.length + 1);
    chunk.set(bytes);
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    this.#offsets.set(s, off);
    return off;
  }

  get length(): number {
    return this.#length;
  }

  /** bytes returns the section. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
