import type { BtfMember } from "./types.js";
import type { Layout } from "./type-table.js";

/** MemberSpec is one member as a description declares it, with its type already resolved. */
export interface MemberSpec {
  readonly name: string;
  readonly type: number;
  /** Layout of the member's type (for a bitfield: its declared type, the storage unit). */
  readonly layout: Layout;
  /** Bitfield width; undefined for an ordinary member. */
  readonly bits: number | undefined;
  /** `__attribute__((aligned(N)))` on the member. */
  readonly align: number | undefined;
  /** A `[]` member: size 0, must be last. */
  readonly flexible: boolean;
}

/** CompositeLayout is the laid-out struct/union: BTF members plus size and alignment. */
export interface CompositeLayout {
  readonly members: BtfMember[];
  readonly size: number;
  readonly align: number;
}

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * layoutComposite places members the way clang does for BPF and x86-64 (SysV psABI):
 * - an ordinary member goes at the next multiple of its alignment (1 when packed,
 *   raised by a member `align`);
 * - a bitfield goes at the next free bit unless that would make it straddle a boundary
 *   of its declared type's alignment, in which case it starts at that boundary; packed
 *   structs put bitfields at the next free bit, no questions asked;
 * - a zero-width bitfield pads to its type's alignment (packed or not) and is not a member;
 *   unnamed bitfields take room but, like in DWARF/BTF, are not members and do not align
 *   the struct;
 * - struct alignment is the largest member alignment (or 1 when packed), raised to
 *   `align`; size is rounded up to it. A union puts every member at 0.
 */
export function layoutComposite(kind: "struct" | "union", specs: readonly MemberSpec[], packed: boolean, align: number | undefined): CompositeLayout {
  const members: BtfMember[] = [];
  let bit = 0; // next free bit (struct) / largest extent (union)
  let maxAlign = 1;
  for (const m of specs) {
    const natural = packed ? 1 : m.layout.align;
    const memberAlign = Math.max(natural, m.align ?? 1);
    let at: number;
    if (m.bits === undefined) {
      at = kind === "union" ? 0 : roundUp(bit, memberAlign * 8);
      bit = kind === "union" ? Math.max(bit, m.layout.size * 8) : at + (m.flexible ? 0 : m.layout.size * 8);
      maxAlign = Math.max(maxAlign, memberAlign);
      members.push({ name: m.name, type: m.type, bitOffset: at, bitfieldSize: 0 });
      continue;
    }
    const unit = m.layout.align * 8;
    if (m.bits === 0) {
      if (kind === "struct") bit = roundUp(bit, unit);
      continue;
    }
    if (kind === "union") at = 0;
    else if (packed && m.align === undefined) at = bit;
    else {
      at = roundUp(bit, memberAlign === m.layout.align ? 1 : memberAlign * 8);
      if (Math.floor(at / unit) !== Math.floor((at + m.bits - 1) / unit)) at = roundUp(at, unit);
    }
    bit = kind === "union" ? Math.max(bit, roundUp(m.bits, 8)) : at + m.bits;
    if (m.name !== "") {
      maxAlign = Math.max(maxAlign, memberAlign);
      members.push({ name: m.name, type: m.type, bitOffset: at, bitfieldSize: m.bits });
    }
  }
  const structAlign = Math.max(maxAlign, align ?? 1);
  return { members, size: roundUp(Math.ceil(bit / 8), structAlign), align: structAlign };
}
