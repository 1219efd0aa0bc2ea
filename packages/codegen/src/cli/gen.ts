import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { generateAccessors } from "../accessors/generate.js";
import { toJavaScript } from "../accessors/js.js";
import { readTypes } from "./read-types.js";

export interface GenOptions {
  /** Types to generate; may be empty when the input (a JSON description) declares storage. */
  readonly type?: string[];
  /** Module the generated code imports from; default "@bpf-skel/sdk". */
  readonly import?: string;
  readonly output?: string;
  readonly target: "ts" | "js";
}

const SOURCES = { elf: ".BTF", btf: "raw BTF", json: "JSON" } as const;

/** stem turns `sched.bpf.o` / `types.json` / `out.ts` into `sched` / `types` / `out`. */
export function stem(path: string): string {
  return path.replace(/(\.bpf)?\.(o|json|btf|ts|js|d\.ts)$/, "");
}

/**
 * gen runs `bpf-skel gen`: load the types of INPUT (a BPF ELF object, raw BTF or a JSON
 * description), generate accessors for `--type`s and a typed wrapper per declared storage map
 * (JSON descriptions), and write OUT.ts, or OUT.js + OUT.d.ts.
 * Returns the files written.
 */
export function gen(input: string, options: GenOptions, log: (line: string) => void): string[] {
  const bytes = readFileSync(input);
  const name = basename(input);
  const { btf, format, storage } = readTypes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
  const source = generateAccessors(btf, {
    types: options.type ?? [],
    input: name,
    source: SOURCES[format],
    storage,
    ...(options.import !== undefined ? { importFrom: options.import } : {}),
  });
  const out = stem(options.output ?? basename(input));
  const written: string[] = [];
  if (options.target === "js") {
    const { js, dts } = toJavaScript(source, `${basename(out)}.ts`);
    writeFileSync(`${out}.js`, js);
    writeFileSync(`${out}.d.ts`, dts);
    written.push(`${out}.js`, `${out}.d.ts`);
  } else {
    writeFileSync(`${out}.ts`, source);
    written.push(`${out}.ts`);
  }
  for (const f of written) log(`wrote ${f}`);
  return written;
}
