import { BpfSkelError } from "@bpf-skel/sdk/errors";
import type { OwnerKind } from "@bpf-skel/sdk/storage";
import { SimArena, type ArenaFaults } from "./arena.js";
import * as ls from "./local-storage.js";
import { CacheIdxPool, LocalStorageMap, StoragePool, type OwnerStorage, type StorageOwner } from "./local-storage.js";
import { MappedStorageMap, type KernelContext, type ValueClass } from "./mapped-storage.js";
import { PidTable } from "./pid-table.js";
import { RegionWriter, type RegionOptions } from "./region-writer.js";

// A local copy: test runners turn imported names into getter calls (exitTask is hot).
const { freeOwnerStorage } = ls;

/** SimKernelError: a simulated syscall-level refusal (rmdir of a busy cgroup, pid space full). */
export class SimKernelError extends BpfSkelError {}

export type TaskState = "running" | "runnable" | "sleeping" | "dead";

const DEFAULT_COMM = "task";
const DEFAULT_WEIGHT = 100;

/** TaskAttrs holds the attributes of a task that differ from the fork defaults. */
class TaskAttrs {
  constructor(
    public tgid: number,
    public comm: string,
    public weight: number,
  ) {}
}

/**
 * SimTask is a task_struct: pid, tgid, comm, weight, state, cgroup and its local storage.
 * tgid, comm and weight live in a side object only once one differs from the defaults
 * (tgid = pid, comm "task", weight 100): a fork-heavy workload then allocates a smaller task.
 */
export class SimTask implements StorageOwner {
  // storage and state are declared, then assigned in the constructor: the second store marks
  // the fields mutable for V8 on the first task, not on the first exit (which would throw away
  // every function compiled in between). No private methods: they add a brand slot per task.
  storage: OwnerStorage | null;
  state: TaskState;
  #attrs: TaskAttrs | null;
  constructor(
    readonly pid: number,
    tgid: number,
    comm: string,
    weight: number,
    public cgroup: SimCgroup,
  ) {
    this.storage = null;
    this.state = "runnable";
    this.#attrs = tgid === pid && comm === DEFAULT_COMM && weight === DEFAULT_WEIGHT ? null : new TaskAttrs(tgid, comm, weight);
  }
  get id(): number {
    return this.pid;
  }
  get alive(): boolean {
    return this.state !== "dead";
  }
  get tgid(): number {
    return this.#attrs === null ? this.pid : this.#attrs.tgid;
  }
  get comm(): string {
    return this.#attrs === null ? DEFAULT_COMM : this.#attrs.comm;
  }
  set comm(v: string) {
    (this.#attrs ??= new TaskAttrs(this.pid, DEFAULT_COMM, DEFAULT_WEIGHT)).comm = v;
  }
  get weight(): number {
    return this.#attrs === null ? DEFAULT_WEIGHT : this.#attrs.weight;
  }
  set weight(v: number) {
    (this.#attrs ??= new TaskAttrs(this.pid, DEFAULT_COMM, DEFAULT_WEIGHT)).weight = v;
  }
}

/** SimCgroup is a cgroup: id (like a kernfs inode number), path, parent. */
export class SimCgroup implements StorageOwner {
  storage: OwnerStorage | null = null;
  removed = false;
  readonly children = new Set<SimCgroup>();
  nrTasks = 0;
  constructor(
    readonly id: number,
    readonly path: string,
    readonly parent: SimCgroup | null,
  ) {}
  get alive(): boolean {
    return !this.removed;
  }
}

/** SimKernelOptions sizes the simulated machine. */
export interface SimKernelOptions extends RegionOptions {
  /** pidMax: /proc/sys/kernel/pid_max. Unset = 4,194,304. */
  pidMax?: number;
  /** arenaPages: size of the default arena the mapped storage lives in. Unset = 16,384 (64 MiB). */
  arenaPages?: number;
  /** autoRefill: top the prepared pool up after each kernel operation, as the SDK's refill program would. Unset = true. */
  autoRefill?: boolean;
}

/** TaskHooks are what attached programs see: init is sleepable (like sched_ext init_task), exit is not. */
export type TaskHook = (task: SimTask) => void;

/**
 * SimKernel is the simulated kernel: tasks and cgroups with their lifecycle, local storage
 * semantics, and the mapped-storage region in an arena. Program bodies run "in kernel context"
 * through `run(sleepable, fn)`.
 */
export class SimKernel implements Disposable {
  readonly pidMax: number;
  readonly autoRefill: boolean;
  // Tasks by pid, like the kernel's pid IDR: chunked arrays beat a Map (and an ever-growing array) on fork/exit.
  readonly #pids: PidTable<SimTask>;
  readonly #cgroups = new Map<number, SimCgroup>();
  readonly #taskCache = new CacheIdxPool();
  readonly #cgrpCache = new CacheIdxPool();
  // This kernel's freed owner storages: they point at its maps, so they live and die with it.
  readonly #storages = new StoragePool();
  readonly #options: SimKernelOptions;
  readonly rootCgroup: SimCgroup;
  readonly onTaskInit = new Set<TaskHook>();
  readonly onTaskExit = new Set<TaskHook>();
  #arena: SimArena | undefined;
  #region: RegionWriter | undefined;
  #nextCgroupId = 2;
  // One mutable context object: storage maps read `sleepable` from it directly on their hot path.
  readonly #ctx: { sleepable: boolean } = { sleepable: false };
  #closed = false;

  constructor(options: SimKernelOptions = {}) {
    this.#options = options;
    this.pidMax = options.pidMax ?? 4_194_304;
    this.autoRefill = options.autoRefill ?? true;
    this.#pids = new PidTable(this.pidMax);
    this.rootCgroup = new SimCgroup(1, "/", null);
    this.#cgroups.set(1, this.rootCgroup);
  }

  // --- the arena and the region ---------------------------------------------------------

  /** bindArena makes `arena` the one the mapped storage lives in (the first arena map created); false when one is bound. */
  bindArena(arena: SimArena): boolean {
    if (this.#arena !== undefined) return false;
    this.#arena = arena;
    return true;
  }

  get arena(): SimArena {
    this.#arena ??= new SimArena(this.#options.arenaPages ?? 16_384);
    return this.#arena;
  }

  /** region is the mapped-storage allocator, set up on first use (the library's init program). */
  get region(): RegionWriter {
    if (this.#region === undefined) {
      this.#region = new RegionWriter(this.arena, this.#options);
      this.#region.refill();
    }
    return this.#region;
  }

  /** setFaults injects arena page-allocation faults (fail the Nth allocation, cap present pages). */
  setFaults(faults: ArenaFaults): void {
    this.arena.setFaults(faults);
  }

  /** defineStorage declares a mapped storage map (BPF_SKEL_TASK_STORAGE / BPF_SKEL_CGRP_STORAGE). */
  defineStorage<V>(name: string, owner: OwnerKind, valueClass: ValueClass<V>): MappedStorageMap<V> {
    const region = this.region;
    const mapId = region.registerMap({ name, owner, valueSize: valueClass.size, valueAlign: valueClass.align });
    const cacheIdx = owner === "task" ? this.#taskCache.get() : this.#cgrpCache.get();
    const ls = new LocalStorageMap(name, 8, cacheIdx, true, this.#storages);
    return new MappedStorageMap(name, owner, mapId, ls, region, valueClass, this.#ctx);
  }

  /** localStorageMap declares a classic task/cgroup storage map (values live in the kernel, not the region). */
  localStorageMap(name: string, owner: OwnerKind, valueSize: number): LocalStorageMap {
    return new LocalStorageMap(name, valueSize, owner === "task" ? this.#taskCache.get() : this.#cgrpCache.get(), false, this.#storages);
  }

  get context(): KernelContext {
    return this.#ctx;
  }

  /** pooledStorages counts freed owner storages kept for reuse (0 once the kernel is closed). */
  get pooledStorages(): number {
    return this.#storages.size;
  }

  /** run executes `fn` as BPF code in a sleepable or non-sleepable context. */
  run<T>(sleepable: boolean, fn: () => T): T {
    const ctx = this.#ctx;
    const prev = ctx.sleepable;
    ctx.sleepable = sleepable;
    try {
      return fn();
    } finally {
      ctx.sleepable = prev;
      if (!prev) this.#maintain();
    }
  }

  /** #maintain is the SDK's refill program: run when the pool is below half its target. */
  #maintain(): void {
    const r = this.#region;
    if (r === undefined || !this.autoRefill) return;
    if (r.poolSize * 2 < r.poolTarget) r.refill();
  }

  // --- tasks -----------------------------------------------------------------------------

  /** createTask forks a task (pids are allocated cyclically, like alloc_pid) and runs the init hooks (sleepable). */
  createTask(options?: { comm?: string; tgid?: number; weight?: number; cgroup?: SimCgroup }): SimTask {
    this.#check();
    const pid = this.#pids.alloc();
    if (pid === 0) throw new SimKernelError("pid space exhausted", { symbol: "fork" });
    const cgroup = options?.cgroup ?? this.rootCgroup;
    if (!cgroup.alive) throw new SimKernelError("cgroup was removed", { symbol: cgroup.path });
    const task = new SimTask(pid, options?.tgid ?? pid, options?.comm ?? DEFAULT_COMM, options?.weight ?? DEFAULT_WEIGHT, cgroup);
    this.#pids.set(pid, task);
    cgroup.nrTasks++;
    if (this.onTaskInit.size > 0) this.run(true, () => this.onTaskInit.forEach((h) => h(task)));
    else this.#maintain();
    return task;
  }

  /** exitTask runs the exit hooks (non-sleepable), frees the task's storage and its pid. */
  exitTask(task: SimTask | number): void {
    this.#check();
    const t = typeof task === "number" ? this.#pids.get(task) : task;
    if (t === undefined || !t.alive) return;
    if (this.onTaskExit.size > 0) this.run(false, () => this.onTaskExit.forEach((h) => h(t)));
    t.state = "dead";
    t.cgroup.nrTasks--;
    freeOwnerStorage(t);
    this.#pids.delete(t.pid);
  }

  task(pid: number): SimTask | undefined {
    return this.#pids.get(pid);
  }

  get taskCount(): number {
    return this.#pids.size;
  }

  /** tasks lists the live tasks in pid order (walks the pid table's present chunks). */
  tasks(): IterableIterator<SimTask> {
    return this.#pids.values();
  }

  // --- cgroups ---------------------------------------------------------------------------

  /** createCgroup is mkdir in cgroupfs; ids only grow, like kernfs inode numbers. */
  createCgroup(name: string, parent: SimCgroup = this.rootCgroup): SimCgroup {
    this.#check();
    if (!parent.alive) throw new SimKernelError("parent cgroup was removed", { symbol: parent.path });
    const path = parent.path === "/" ? `/${name}` : `${parent.path}/${name}`;
    const cg = new SimCgroup(this.#nextCgroupId++, path, parent);
    parent.children.add(cg);
    this.#cgroups.set(cg.id, cg);
    return cg;
  }

  /** removeCgroup is rmdir: EBUSY while it has tasks or children; frees its storage. */
  removeCgroup(cg: SimCgroup | number): void {
    this.#check();
    const c = typeof cg === "number" ? this.#cgroups.get(cg) : cg;
    if (c === undefined || c.removed) return;
    if (c === this.rootCgroup || c.nrTasks > 0 || [...c.children].some((x) => x.alive)) {
      throw new SimKernelError("cgroup is busy (EBUSY)", { symbol: c.path });
    }
    c.removed = true;
    c.parent?.children.delete(c);
    freeOwnerStorage(c);
    this.#cgroups.delete(c.id);
  }

  cgroup(id: number): SimCgroup | undefined {
    return this.#cgroups.get(id);
  }

  #check(): void {
    if (this.#closed) throw new SimKernelError("simulated kernel was closed");
  }

  /** Symbol.dispose closes the kernel: every later call throws, and the storage pool is dropped. */
  [Symbol.dispose](): void {
    this.#closed = true;
    this.#storages.close();
  }
}
