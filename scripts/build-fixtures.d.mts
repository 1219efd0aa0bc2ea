/** sources lists every *.bpf.c under test/fixtures, sorted. */
export function sources(): string[];
/** build compiles one fixture source to `out`. */
export function build(src: string, out: string): void;
