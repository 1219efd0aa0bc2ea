/**
 * loadFixture opens, loads and (on request) attaches a storage fixture with the SDK's live
 * loader (BpfObject: BTF fix-ups, CO-RE, kfuncs, arena created and mmapped at its map_extra
 * before any program loads), and exposes what the tests need by name.
 */
import { BpfObject } from "@bpf-skel/sdk/loader";
import type { MapSpec } from "@bpf-skel/sdk/object";
import { regionPageOf, type StorageObject } from "@bpf-skel/sdk/storage/kernel";
import type { LinkFd, MapFd, MappedRegion, ProgFd, Transport } from "@bpf-skel/sdk/transport";

export interface LoadedFixture extends Disposable {
  readonly object: BpfObject;
  readonly transport: Transport;
  readonly maps: ReadonlyMap<string, MapFd>;
  readonly mapDefs: ReadonlyMap<string, MapSpec>;
  readonly programs: ReadonlyMap<string, ProgFd>;
  readonly arena: MappedRegion;
  /** storage is what MappedStorage drives, with the region placed after any arena globals. */
  readonly storage: StorageObject;
  /** attach attaches one program by its section (tp_btf/...). */
  attach(name: string): LinkFd;
  /** attachAll attaches every attachable (tp_btf) program, optionally filtered by name. */
  attachAll(filter?: (name: string) => boolean): LinkFd[];
}

/** loadFixture loads every program of the object at `path`. */
export function loadFixture(path: string): LoadedFixture {
  const object = BpfObject.open(path);
  try {
    object.load();
    const arena = object.arena;
    if (arena === undefined) throw new Error(`${path}: no arena map`);
    const so = object.storageObject();
    return {
      object,
      transport: object.transport,
      maps: new Map([...object.maps].map(([n, m]) => [n, m.fd])),
      mapDefs: new Map(object.spec.maps.map((m) => [m.name, m])),
      programs: so.programs,
      arena,
      storage: { ...so, regionPage: regionPageOf(object.spec.arena?.initial.length ?? 0) },
      attach: (name) => object.program(name).attach(),
      attachAll: (filter = () => true) =>
        [...object.programs].filter(([n, p]) => p.attachable && filter(n)).map(([, p]) => p.attach()),
      [Symbol.dispose]: () => object.close(),
    };
  } catch (e) {
    object.close();
    throw e;
  }
}
