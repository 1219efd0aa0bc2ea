import { isBpfSkelError } from "./errors.js";
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "../accessors/generate.js";
import { gen, type GenOptions } from "./gen.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** program builds the commander program; `out`/`err` receive its output (tests capture them). */
export function program(out: (s: string) => void, err: (s: string) => void): Command {
  const cmd = new Command("bpf-skel")
    .description("typed TypeScript over BPF: accessors and skeletons from BTF")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });
  cmd
    .command("gen")
    .description("generate typed accessors for C types (and storage wrappers for a JSON description's storage maps)")
    .argument("<input>", "BPF ELF object (.BTF), raw BTF (e.g. /sys/kernel/btf/vmlinux) or JSON description")
    .option("-t, --type <name>", "type to generate (repeatable): task_ctx, 'struct foo', 'union bar', a typedef; optional when a JSON description declares storage", collect)
    .option("-o, --output <out>", "output path without extension (default: the input's name in the current folder)")
    .option("--import <specifier>", "module the generated code imports its runtime from", "@bpf-skel/sdk")
    .addOption(new Option("--target <target>", "ts writes OUT.ts; js writes OUT.js and OUT.d.ts").choices(["ts", "js"]).default("ts"))
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err })
    .action((input: string, options: GenOptions) => {
      gen(input, options, (line) => out(`${line}\n`));
    });
  return cmd;
}

/** main runs the bpf-skel CLI and returns the process exit code: 0 ok, 1 bad input, 2 usage. */
export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  try {
    await program(out, err).parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isBpfSkelError(e) || (e as NodeJS.ErrnoException).code === "ENOENT") {
      err(`bpf-skel: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
