/** main runs the bpf-skel CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  console.error(`bpf-skel: not implemented yet (${argv.slice(2).join(" ")})`);
  return 2;
}
