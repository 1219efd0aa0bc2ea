import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const VMLINUX = "/sys/kernel/btf/vmlinux";

/** bpftoolMissing says why `bpftool btf dump` cannot serve as the independent truth here. */
export function bpftoolMissing(): string | undefined {
  try {
    execFileSync("bpftool", ["version"], { stdio: "ignore" });
  } catch {
    return "bpftool not found (apt-get install -y bpftool)";
  }
  return undefined;
}

export function vmlinuxMissing(): string | undefined {
  return existsSync(VMLINUX) ? undefined : `no ${VMLINUX}`;
}

export interface RawType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  members?: { name: string; type_id: number; bits_offset: number; bitfield_size?: number }[];
  values?: { name: string; val: number }[];
}

/** rawBtf returns `bpftool btf dump file F format raw -j`'s types. */
export function rawBtf(file: string): RawType[] {
  const out = execFileSync("bpftool", ["btf", "dump", "file", file, "format", "raw", "-j"], { encoding: "utf8", maxBuffer: 1 << 30 });
  return (JSON.parse(out) as { types: RawType[] }).types;
}

/** member finds a named member's bit offset in `struct name`, descending into anonymous members. */
export function memberBits(types: RawType[], struct: string, path: string[]): number {
  const byId = new Map(types.map((t) => [t.id, t]));
  const skip = (id: number): RawType => {
    let t = byId.get(id)!;
    while (["TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"].includes(t.kind)) t = byId.get((t as unknown as { type_id: number }).type_id)!;
    return t;
  };
  const find = (t: RawType, name: string): { bits: number; type: number } | undefined => {
    for (const m of t.members ?? []) {
      if (m.name === name) return { bits: m.bits_offset, type: m.type_id };
      if (m.name === "(anon)") {
        const inner = find(skip(m.type_id), name);
        if (inner) return { bits: inner.bits + m.bits_offset, type: inner.type };
      }
    }
    return undefined;
  };
  let t = types.find((x) => x.kind === "STRUCT" && x.name === struct)!;
  let bits = 0;
  for (const name of path) {
    const m = find(t, name);
    if (m === undefined) throw new Error(`no member ${name} in ${t.name}`);
    bits += m.bits;
    t = skip(m.type);
  }
  return bits;
}
