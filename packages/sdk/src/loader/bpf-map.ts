import { readFileSync, unlinkSync } from "node:fs";
import { ClosedError, LoaderError } from "../errors/index.js";
import { BPF_F_LOCK } from "../kernel/uapi.js";
import type { MapSpec } from "../object/spec.js";
import type { MapFd, MappedRegion, Transport } from "../transport/transport.js";
import { BPF_MAP_TYPE } from "../object/maps.js";
import { objPin } from "../kernel/objects.js";

/** MapKey is a key as bytes, or a number written little-endian into the key size (4 or 8 bytes). */
export type MapKey = Uint8Array | number | bigint;

const PERCPU = new Set<number>([BPF_MAP_TYPE.PERCPU_HASH, BPF_MAP_TYPE.PERCPU_ARRAY, 10 /* LRU_PERCPU_HASH */, 21 /* PERCPU_CGROUP_STORAGE */]);

let possible: number | undefined;
/** possibleCpus counts /sys/devices/system/cpu/possible (per-CPU values have one slot per possible CPU). */
export function possibleCpus(): number {
  if (possible !== undefined) return possible;
  let n = 0;
  for (const part of readFileSync("/sys/devices/system/cpu/possible", "utf8").trim().split(",")) {
    const [a, b] = part.split("-").map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return (possible = n);
}

/** BatchTransport is the optional batch call a transport may have (KernelTransport does). */
interface BatchTransport {
  lookupBatch(map: MapFd, opts: { keySize: number; valueSize: number; count: number; inBatch?: Uint8Array }): {
    keys: Uint8Array; values: Uint8Array; count: number; nextBatch: Uint8Array | undefined;
  };
}

/**
 * BpfMap is one live map of a loaded object: typed-by-size keys and values over the
 * transport. Per-CPU maps read and write `round_up(value_size, 8) × possible CPUs` bytes, as
 * the kernel does. It does not own its fd: the object closes it.
 */
export class BpfMap {
  readonly name: string;
  readonly spec: MapSpec;
  readonly fd: MapFd;
  /** The mmapped memory of an mmapable map (global data, arena), if the loader mapped it. */
  readonly region: MappedRegion | undefined;
  /** BPF_F_LOCK: update/lookup the value under its bpf_spin_lock (values with a lock only). */
  static readonly F_LOCK = BPF_F_LOCK;
  readonly #t: Transport;
  readonly #alive: () => boolean;
  #pinned: string | undefined;

  constructor(spec: MapSpec, fd: MapFd, transport: Transport, region: MappedRegion | undefined, alive: () => boolean) {
    this.name = spec.name;
    this.spec = spec;
    this.fd = fd;
    this.region = region;
    this.#t = transport;
    this.#alive = alive;
  }

  get keySize(): number {
    return this.spec.keySize;
  }

  /** valueSize is the size of one user-space value (all CPUs' slots for per-CPU maps). */
  get valueSize(): number {
    return PERCPU.has(this.spec.type) ? Math.ceil(this.spec.valueSize / 8) * 8 * possibleCpus() : this.spec.valueSize;
  }

  #check(what: string): void {
    if (!this.#alive()) throw new ClosedError(`${what} on map '${this.name}' of a closed object`, { symbol: this.name });
  }

  /** key encodes a MapKey into this map's key size. */
  key(k: MapKey): Uint8Array {
    if (k instanceof Uint8Array) {
      if (k.length !== this.keySize) throw new LoaderError(`key of ${k.length} bytes for a map with ${this.keySize}-byte keys`, { symbol: this.name });
      return k;
    }
    const out = new Uint8Array(this.keySize);
    const dv = new DataView(out.buffer);
    if (this.keySize === 4) dv.setUint32(0, Number(BigInt.asUintN(32, BigInt(k))), true);
    else if (this.keySize === 8) dv.setBigUint64(0, BigInt.asUintN(64, BigInt(k)), true);
    else throw new LoaderError(`a number key needs a 4- or 8-byte key, this map's is ${this.keySize}`, { symbol: this.name });
    return out;
  }

  /** lookup returns a copy of the value at `key`, or undefined (flags: BPF_F_LOCK). */
  lookup(key: MapKey, flags = 0): Uint8Array | undefined {
    this.#check("lookup");
    return this.#t.lookupElem(this.fd, this.key(key), this.valueSize, flags);
  }

  /** update writes `value` at `key` (flags: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2, | BPF_F_LOCK 4). */
  update(key: MapKey, value: Uint8Array, flags = 0): void {
    this.#check("update");
    if (value.length !== this.valueSize) {
      throw new LoaderError(`value of ${value.length} bytes for a map with ${this.valueSize}-byte values`, { symbol: this.name });
    }
    this.#t.updateElem(this.fd, this.key(key), value, flags);
  }

  /** delete removes `key`; false when it was absent. */
  delete(key: MapKey): boolean {
    this.#check("delete");
    return this.#t.deleteElem(this.fd, this.key(key));
  }

  /** keys walks the keys with BPF_MAP_GET_NEXT_KEY (a key deleted mid-walk restarts from the first, as the kernel does). */
  *keys(): IterableIterator<Uint8Array> {
    let k: Uint8Array | undefined;
    for (;;) {
      this.#check("keys");
      k = this.#t.nextKey(this.fd, k, this.keySize);
      if (k === undefined) return;
      yield k;
    }
  }

  /** entries walks keys and looks each value up (entries deleted between the two are skipped). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== undefined) yield [k, v];
    }
  }

  /**
   * lookupBatch reads every entry with BPF_MAP_LOOKUP_BATCH, `count` per call (one syscall per
   * batch instead of two per entry). Needs a transport with batch support (KernelTransport).
   */
  lookupBatch(count = 64): [Uint8Array, Uint8Array][] {
    this.#check("lookupBatch");
    const t = this.#t as Partial<BatchTransport>;
    if (typeof t.lookupBatch !== "function") throw new LoaderError("this transport has no batch lookup", { symbol: this.name });
    const out: [Uint8Array, Uint8Array][] = [];
    let inBatch: Uint8Array | undefined;
    for (;;) {
      const r = t.lookupBatch.call(this.#t, this.fd, { keySize: this.keySize, valueSize: this.valueSize, count, ...(inBatch ? { inBatch } : {}) });
      for (let i = 0; i < r.count; i++) {
        out.push([r.keys.slice(i * this.keySize, (i + 1) * this.keySize), r.values.slice(i * this.valueSize, (i + 1) * this.valueSize)]);
      }
      if (r.nextBatch === undefined) return out;
      inBatch = r.nextBatch;
    }
  }

  /** pin pins the map at `path` on bpffs (mounting /sys/fs/bpf when it is not). */
  pin(path: string): void {
    this.#check("pin");
    if (this.#t.kind !== "kernel") throw new LoaderError("pinning needs the kernel transport", { symbol: this.name });
    objPin(this.fd, path);
    this.#pinned = path;
  }

  /** unpin removes the pin made by `pin` (or `path`); the map lives on while fds hold it. */
  unpin(path = this.#pinned): void {
    if (path === undefined) throw new LoaderError("map is not pinned", { symbol: this.name });
    unlinkSync(path);
    if (path === this.#pinned) this.#pinned = undefined;
  }

  get pinnedAt(): string | undefined {
    return this.#pinned;
  }
}
