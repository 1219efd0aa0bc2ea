import { LayoutError, LoaderError } from "../../errors/index.js";
import type { MappedRegion, ProgFd, RunResult, Transport } from "../../transport/index.js";
import { BSKEL_PAGE_SIZE } from "../contract.js";
import { LocalStorage, type LocalStorageOptions, type ViewClass } from "../local-storage.js";
import { REGION } from "../offsets.js";
import { encodeInitArgs, regionAddressOf } from "./init-args.js";

/** The programs storage.bpf.h adds to every object, by ELF name. */
export const INIT_PROGRAM = "bskel_init";
export const REFILL_PROGRAM = "bskel_refill";
export const REGISTER_SUFFIX = "__bskel_reg";
export const EXIT_SUFFIX = "__bskel_exit";
export const RMDIR_SUFFIX = "__bskel_rmdir";

const DRAIN_TICKS = 10;

/** StorageObject is what the driver needs from a loaded object (live loader or hand-loaded). */
export interface StorageObject {
  readonly transport: Transport;
  /** arena: the mapping of the object's BPF_MAP_TYPE_ARENA map. */
  readonly arena: MappedRegion;
  /** programs by ELF name (only the bskel_* ones are used). */
  readonly programs: ReadonlyMap<string, ProgFd>;
  /**
   * regionPage: arena pages the loader filled with `.addr_space.1` globals, i.e.
   * round_up(size of .addr_space.1, 4096) / 4096; the region starts after them. Unset = 0.
   */
  readonly regionPage?: number;
}

/** regionPageOf computes StorageObject.regionPage from the size of an object's `.addr_space.1` image. */
export function regionPageOf(arenaGlobalsBytes: number): number {
  return Math.ceil(arenaGlobalsBytes / BSKEL_PAGE_SIZE);
}

/** MappedStorageOptions tune the driver. */
export interface MappedStorageOptions {
  /** regionPage: arena pages of `.addr_space.1` globals before the region. Unset = object.regionPage, else 0. */
  regionPage?: number;
  /** poolTarget: prepared pages to keep. Unset = 32. */
  poolTarget?: number;
  /** refillIntervalMs: period of the unref'd background refill; 0 = none. Unset = 20. */
  refillIntervalMs?: number;
  /** input names the object in errors. */
  input?: string;
}

/**
 * MappedStorage drives the BPF side of mapped storage on the kernel: it runs bskel_init once
 * (the header, magic last), the per-map registration programs, and keeps the prepared page
 * pool topped up — on 6.18 non-sleepable hooks can only take pages from that pool, and only a
 * sleepable program may allocate arena pages. Refills run (a) on every `refillIfLow()`, which
 * `open()`ed storages' users may call, (b) from an unref'd interval timer, so an agent needs
 * no code for it and the timer never keeps Node alive.
 */
export class MappedStorage implements Disposable {
  readonly object: StorageObject;
  readonly regionPage: number;
  readonly input: string;
  readonly #u32: Uint32Array;
  readonly #base: number;
  readonly #init: ProgFd;
  readonly #refill: ProgFd;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** refills counts refill runs this driver made; refillErrors the ones that failed. */
  refills = 0;
  refillErrors = 0;
  lastRefillError: unknown;

  constructor(object: StorageObject, options: MappedStorageOptions = {}) {
    this.object = object;
    this.input = options.input ?? "mapped storage";
    this.regionPage = options.regionPage ?? object.regionPage ?? 0;
    const init = object.programs.get(INIT_PROGRAM);
    const refill = object.programs.get(REFILL_PROGRAM);
    if (init === undefined || refill === undefined) {
      throw new LoaderError(`object has no ${INIT_PROGRAM}/${REFILL_PROGRAM} programs: include <bpf-skel/storage.bpf.h>`, { input: this.input });
    }
    this.#init = init;
    this.#refill = refill;
    const buf = object.arena.buffer;
    this.#base = this.regionPage * BSKEL_PAGE_SIZE;
    this.#u32 = new Uint32Array(buf, 0, Math.floor(buf.byteLength / 4));
    const arenaPages = Math.floor(object.arena.length / BSKEL_PAGE_SIZE);
    const args = encodeInitArgs({
      regionAddress: regionAddressOf(object.arena.address, this.regionPage),
      regionPage: this.regionPage,
      maxPages: arenaPages - this.regionPage,
      poolTarget: options.poolTarget ?? 32,
    });
    const r = this.#run(init, args, INIT_PROGRAM);
    if (r.retval !== 0) throw new LoaderError(`${INIT_PROGRAM} failed: ${errnoOf(r.retval)}`, { input: this.input, symbol: INIT_PROGRAM });
    for (const [name, fd] of [...object.programs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!name.endsWith(REGISTER_SUFFIX)) continue;
      const reg = this.#run(fd, undefined, name);
      if ((reg.retval | 0) < 0) {
        throw new LoaderError(`${name} could not register its map (${errnoOf(reg.retval)}): value too large or 8 maps already`, { input: this.input, symbol: name });
      }
    }
    const every = options.refillIntervalMs ?? 20;
    if (every > 0) {
      // Every tick refills a low pool; every DRAIN_TICKS-th tick refills anyway, which also
      // finishes frees that a contended lock pushed to the deferred queue.
      let tick = 0;
      this.#timer = setInterval(() => {
        if (++tick % DRAIN_TICKS === 0) this.refill();
        else this.refillIfLow();
      }, every);
      this.#timer.unref();
    }
  }

  #run(fd: ProgFd, ctx: Uint8Array | undefined, name: string): RunResult {
    try {
      return this.object.transport.runProgram(fd, ctx ? { ctx } : {});
    } catch (e) {
      throw new LoaderError(`running ${name} failed: ${(e as Error).message}`, { input: this.input, symbol: name }, { cause: e });
    }
  }

  #h32(off: number): number {
    return Atomics.load(this.#u32, (this.#base + off) >>> 2);
  }

  /** poolSize and poolTarget read the header's pool counters. */
  get poolSize(): number {
    return this.#h32(REGION.pool_nr);
  }
  get poolTarget(): number {
    return this.#h32(REGION.pool_target);
  }

  /** refill runs bskel_refill now: finishes deferred frees and tops the pool up; returns pages added. */
  refill(): number {
    if (this.#closed || this.object.arena.closed) return 0;
    this.refills++;
    try {
      const r = this.object.transport.runProgram(this.#refill);
      const n = r.retval | 0;
      if (n < 0) this.refillErrors++;
      return Math.max(0, n);
    } catch (e) {
      this.refillErrors++;
      this.lastRefillError = e;
      return 0;
    }
  }

  /** refillIfLow refills when pool_nr < pool_target / 2 (one header read otherwise). */
  refillIfLow(): number {
    if (this.#closed || this.object.arena.closed) return 0;
    return this.poolSize < this.poolTarget / 2 ? this.refill() : 0;
  }

  /** open returns the LocalStorage reader of map `name` over the arena mapping (the same reader as the simulator's). */
  open<V, M extends string = string>(name: M, valueClass: ViewClass<V>, options: LocalStorageOptions = {}): LocalStorage<V, M> {
    if (this.#closed) throw new LayoutError("mapped storage driver is closed", { input: this.input, symbol: name });
    this.refillIfLow();
    return LocalStorage.open<V, M>(this.object.arena, name, valueClass, { input: this.input, ...options, regionPage: this.regionPage });
  }

  /** close stops the background refill. The arena mapping and programs stay their owner's. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function errnoOf(retval: number): string {
  const r = retval | 0;
  return r < 0 ? `errno ${-r}` : `returned ${r}`;
}
