import { BtfError } from "../errors/index.js";
import { BTF_SECTION } from "./header.js";

const utf8 = new TextDecoder("utf-8", { fatal: false });

// One reusable offset index: vmlinux needs 9 MB of it, and a fresh one per parse adds
// external-memory pressure that triggers extra garbage collections. Parsing is
// synchronous and the index is dropped with the StringTable, so sharing is safe.
let scratch: Int32Array | undefined;
const SCRATCH_MAX = 64 << 20;

function scratchIndex(length: number): Int32Array {
  if (scratch !== undefined && scratch.length >= length) {
    const view = scratch.subarray(0, length);
    view.fill(0);
    return view;
  }
  const fresh = new Int32Array(length);
  if (length <= SCRATCH_MAX) scratch = fresh;
  return fresh;
}

/**
 * StringTable reads names from a BTF string section. vmlinux repeats names a lot (every
 * `next`, `flags`, `__u32`), so each offset is decoded once. A table without multi-byte
 * characters (the usual case) is decoded in one go and names are sliced out of it, which
 * is much faster than a TextDecoder call per name.
 */
export class StringTable {
  readonly #bytes: Uint8Array;
  readonly #text: string | undefined;
  // offset → 1 + index into #names; a typed array beats a Map by a wide margin here.
  readonly #index: Int32Array;
  readonly #names: string[] = [];
  readonly #input: string;
  readonly #base: number;

  /** `bytes` is the string section; `base` its offset in the raw BTF (for errors). The header checked it ends in NUL. */
  constructor(bytes: Uint8Array, input: string, base: number) {
    this.#bytes = bytes;
    this.#input = input;
    this.#base = base;
    this.#index = scratchIndex(bytes.length);
    // Decoding maps each byte to one UTF-16 unit unless a valid multi-byte sequence (or a
    // truncated one) merges bytes, which shortens the text; equal lengths mean byte
    // offsets are string offsets and names can be sliced out of one decode.
    const text = utf8.decode(bytes);
    this.#text = text.length === bytes.length ? text : undefined;
  }

  /** get returns the string at `off`; a BtfError naming `typeId` and the byte offset `at` when `off` is out of range. */
  get(off: number, typeId: number, at: number): string {
    // Kept tiny so it inlines into the type loop; first sightings go to #decode.
    const k = this.#index[off]!;
    return k > 0 ? this.#names[k - 1]! : this.#decode(off, typeId, at);
  }

  #decode(off: number, typeId: number, at: number): string {
    if (off === 0) return "";
    if (off >= this.#bytes.length) {
      throw new BtfError(`string offset ${off} outside the ${this.#bytes.length}-byte string section`, {
        input: this.#input,
        section: BTF_SECTION,
        typeId,
        offset: at,
      });
    }
    if (this.#text !== undefined) return this.#remember(off, this.#text.slice(off, this.#text.indexOf("\0", off)));
    return this.#remember(off, utf8.decode(this.#bytes.subarray(off, this.#bytes.indexOf(0, off))));
  }

  #remember(off: number, s: string): string {
    this.#names.push(s);
    this.#index[off] = this.#names.length;
    return s;
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
