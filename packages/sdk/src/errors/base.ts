/**
 * Where a problem was found. Every field is optional; errors fill in what they know
 * so a message can say "sched.bpf.o: .BTF type 42 at 0x1a4".
 */
export interface ErrorPlace {
  /** The input the problem is in: a file name, "<buffer>", or a JSON document name. */
  input?: string;
  /** ELF section name. */
  section?: string;
  /** BTF type id. */
  typeId?: number;
  /** Byte offset inside the input or section. */
  offset?: number;
  /** JSON pointer-like path inside a description document ("/structs/0/members/2"). */
  path?: string;
  /** Symbol, map or program name. */
  symbol?: string;
}

function describePlace(place: ErrorPlace): string {
  const parts: string[] = [];
  if (place.input !== undefined) parts.push(place.input);
  if (place.section !== undefined) parts.push(`section ${place.section}`);
  if (place.symbol !== undefined) parts.push(`'${place.symbol}'`);
  if (place.typeId !== undefined) parts.push(`type id ${place.typeId}`);
  if (place.offset !== undefined) parts.push(`offset 0x${place.offset.toString(16)}`);
  if (place.path !== undefined) parts.push(`at ${place.path}`);
  return parts.join(", ");
}

/**
 * BpfSkelError is the base of every error the SDK throws on purpose. The message is
 * lowercase and says what went wrong; `place` says where, and is appended to the message.
 */
export class BpfSkelError extends Error {
  readonly place: ErrorPlace;
  /** The message without the place suffix. */
  readonly reason: string;

  constructor(reason: string, place: ErrorPlace = {}, options?: { cause?: unknown }) {
    const where = describePlace(place);
    super(where ? `${reason} (${where})` : reason, options);
    this.reason = reason;
    this.place = place;
    this.name = new.target.name;
    Object.assign(this, place);
  }
}
