import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../../src/elf/reader.js";
import { clangPath } from "../../../../test/support/env.js";

/** bpftoolMissing says why bpftool cannot be used for a cross-check, or undefined when it can. */
export function bpftoolMissing(): string | undefined {
  try {
    execFileSync("bpftool", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "bpftool not found (apt-get install -y bpftool)";
  }
}

/** vmlinuxMissing says why /sys/kernel/btf/vmlinux cannot be read. */
export function vmlinuxMissing(): string | undefined {
  try {
    readFileSync("/sys/kernel/btf/vmlinux", { flag: "r" }).subarray(0, 1);
    return undefined;
  } catch {
    return "no readable /sys/kernel/btf/vmlinux";
  }
}

export interface Compiled {
  /** Path of the object (inside a temp dir removed by `dispose`). */
  readonly path: string;
  /** The whole object file. */
  readonly object: Uint8Array;
  /** The object's `.BTF` section. */
  readonly btf: Uint8Array;
  dispose(): void;
}

/** compileBpf compiles C `source` with clang-19 -g -O2 for `target` (bpfel/bpfeb) in a temp dir. */
export function compileBpf(source: string, target: "bpfel" | "bpfeb" = "bpfel"): Compiled {
  const dir = mkdtempSync(join(tmpdir(), "btf-test-"));
  const c = join(dir, "t.c");
  const o = join(dir, "t.o");
  writeFileSync(c, source);
  execFileSync(clangPath(), ["-g", "-O2", "-target", target, "-c", c, "-o", o], { stdio: ["ignore", "ignore", "pipe"] });
  const file = readFileSync(o);
  const object = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const section = readElf(object, "t.o").section(".BTF");
  if (section === undefined) throw new Error("clang produced no .BTF");
  return { path: o, object, btf: section.data.slice(), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** BpftoolType is one entry of `bpftool btf dump file X format raw -j`. */
export type BpftoolType = Record<string, unknown> & { id: number; kind: string; name: string };

/**
 * bpftoolJson runs `bpftool btf dump file PATH format raw -j` and parses it keeping enum
 * values exact: bpftool prints them as bare 64-bit numbers, which JSON.parse would round.
 */
export function bpftoolJson(path: string): BpftoolType[] {
  const text = execFileSync("bpftool", ["btf", "dump", "file", path, "format", "raw", "-j"], {
    maxBuffer: 1 << 30,
    encoding: "utf8",
  });
  const quoted = text.replace(/"val": ?(-?\d+)/g, '"val":"$1"');
  return (JSON.parse(quoted) as { types: BpftoolType[] }).types;
}
