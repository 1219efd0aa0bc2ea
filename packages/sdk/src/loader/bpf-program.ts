import { ClosedError, LoaderError } from "../errors/index.js";
import type { ProgramSpec } from "../object/spec.js";
import type { LinkFd, ProgFd, RunOptions, RunResult, Transport } from "../transport/transport.js";
import { attachTarget } from "./attach.js";

/** IterTarget narrows an iterator: `{ mapFd }`, `{ pid }` (all threads of a process) or `{ tid }`. */
export type IterTarget = { readonly mapFd: number } | { readonly pid: number } | { readonly tid: number };

/** AttachOptions: `iter` narrows an iterator's walk; unset walks everything. */
export interface AttachOptions {
  readonly iter?: IterTarget;
}

/** iterLinkInfo encodes union bpf_iter_link_info (16 bytes: map.map_fd @0; task.tid @0, task.pid @4). */
export function iterLinkInfo(t: IterTarget): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  if ("mapFd" in t) dv.setUint32(0, t.mapFd, true);
  else if ("tid" in t) dv.setUint32(0, t.tid, true);
  else dv.setUint32(4, t.pid, true);
  return b;
}

/**
 * BpfProgram is one loaded program of an object. `attach()` attaches it by its section and
 * keeps the link (closed by `detach()` or with the object); `run()` is BPF_PROG_TEST_RUN, the
 * way `syscall` programs are used.
 */
export class BpfProgram {
  readonly name: string;
  readonly spec: ProgramSpec;
  readonly fd: ProgFd;
  readonly #t: Transport;
  readonly #input: string;
  readonly #alive: () => boolean;
  #link: LinkFd | undefined;

  constructor(spec: ProgramSpec, fd: ProgFd, transport: Transport, input: string, alive: () => boolean) {
    this.name = spec.name;
    this.spec = spec;
    this.fd = fd;
    this.#t = transport;
    this.#input = input;
    this.#alive = alive;
  }

  #check(what: string): void {
    if (!this.#alive()) throw new ClosedError(`${what} on program '${this.name}' of a closed object`, { symbol: this.name });
  }

  /** link is the program's attachment, if it is attached. */
  get link(): LinkFd | undefined {
    return this.#link;
  }

  /** attachable is false for programs that are run, not attached (syscall, socket…). */
  get attachable(): boolean {
    return attachTarget(this.spec, this.#input) !== undefined;
  }

  /**
   * attach attaches the program by its SEC() name; attaching twice returns the same link.
   * Iterators take `iter` to narrow the walk (union bpf_iter_link_info): a map for
   * `iter/bpf_map_elem`, one process (`pid`) or thread (`tid`) for task iterators.
   */
  attach(options: AttachOptions = {}): LinkFd {
    this.#check("attach");
    if (this.#link !== undefined) return this.#link;
    let target = attachTarget(this.spec, this.#input);
    if (options.iter !== undefined) {
      if (target?.kind !== "iter") throw new LoaderError(`program '${this.name}' is not an iterator; 'iter' options do not apply`, { input: this.#input, symbol: this.name });
      target = { kind: "iter", info: iterLinkInfo(options.iter) };
    }
    if (target === undefined) {
      throw new LoaderError(`program '${this.name}' (section ${this.spec.section}) cannot be attached; run it instead`, {
        input: this.#input,
        symbol: this.name,
      });
    }
    this.#link = this.#t.attachProgram(this.fd, target);
    return this.#link;
  }

  /** detach closes the link; harmless when not attached. */
  detach(): void {
    const l = this.#link;
    this.#link = undefined;
    if (l !== undefined) this.#t.close(l);
  }

  /** run test-runs the program: a `syscall` program gets `ctx` (copied back into the result's `ctx`). */
  run(ctx?: Uint8Array | RunOptions): RunResult {
    this.#check("run");
    const opts: RunOptions = ctx instanceof Uint8Array ? { ctx } : (ctx ?? {});
    return this.#t.runProgram(this.fd, opts);
  }

  /** readIter runs the iterator once (attaching it first, with `options`, if it is not) and returns what it wrote. */
  readIter(options: AttachOptions = {}): Uint8Array {
    this.#check("readIter");
    if (this.spec.attach !== "iter") throw new LoaderError(`program '${this.name}' is not an iterator`, { input: this.#input, symbol: this.name });
    const link = this.attach(options);
    if (this.#t.readIterator === undefined) throw new LoaderError("this transport cannot read iterators", { symbol: this.name });
    return this.#t.readIterator(link);
  }
}
