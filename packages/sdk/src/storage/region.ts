import { ClosedError, LayoutError } from "../errors/index.js";
import type { MappedRegion } from "../transport/index.js";
import {
  BSKEL_LAYOUT_VERSION, BSKEL_PAGE_SIZE, BSKEL_PGDESC_PER_PAGE, BSKEL_REGION_MAGIC, BSKEL_MAX_MAPS,
} from "./contract.js";
import { BskelMapDesc, BskelRegion } from "./layout.js";
import { REGION } from "./offsets.js";

/** RegionOptions say where the region starts in the mapping. */
export interface RegionOpenOptions {
  /** regionPage: mapping page of the header (after `.addr_space.1` globals). Unset = 0. */
  regionPage?: number;
  /** input names the mapping in errors. Unset = "region". */
  input?: string;
}

/** MapInfo describes a storage map found in the region header. */
export interface MapInfo {
  readonly id: number;
  readonly name: string;
  readonly ownerKind: number;
  readonly classId: number;
  readonly valueOff: number;
  readonly valueSize: number;
  readonly valueAlign: number;
}

/**
 * StorageRegion is the reader's handle on one mapped region: it checks the header against the
 * contract (magic, version, page size, geometry) through the generated accessors and keeps
 * typed arrays over the mapping for the hot paths. It never writes region metadata.
 */
export class StorageRegion {
  readonly mapping: MappedRegion;
  readonly base: number;
  readonly header: BskelRegion;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly input: string;

  constructor(mapping: MappedRegion, options: RegionOpenOptions = {}) {
    this.mapping = mapping;
    this.input = options.input ?? "region";
    if (mapping.closed) throw new ClosedError("mapping is closed", { input: this.input });
    const page = options.regionPage ?? 0;
    this.base = page * BSKEL_PAGE_SIZE;
    const buf = mapping.buffer;
    if (this.base + BSKEL_PAGE_SIZE > buf.byteLength) {
      throw new LayoutError(`mapping of ${buf.byteLength} bytes has no header page at page ${page}`, { input: this.input, offset: this.base });
    }
    this.header = BskelRegion.wrap(buf, this.base);
    const h = this.header;
    if (h.magic !== BSKEL_REGION_MAGIC) {
      throw new LayoutError(`bad region magic 0x${h.magic.toString(16)}`, { input: this.input, offset: this.base + REGION.magic });
    }
    if (h.version !== BSKEL_LAYOUT_VERSION) {
      throw new LayoutError(`unsupported layout version ${h.version}`, { input: this.input, offset: this.base + REGION.version });
    }
    if (h.page_size !== BSKEL_PAGE_SIZE) {
      throw new LayoutError(`region page size ${h.page_size}, expected ${BSKEL_PAGE_SIZE}`, { input: this.input, offset: this.base + REGION.page_size });
    }
    if (h.region_pgoff !== page) {
      throw new LayoutError(`header says it is at page ${h.region_pgoff}, opened at page ${page}`, { input: this.input, offset: this.base + REGION.region_pgoff });
    }
    if (this.base + h.max_pages * BSKEL_PAGE_SIZE > buf.byteLength || h.pgdesc_pages < Math.ceil(h.max_pages / BSKEL_PGDESC_PER_PAGE)) {
      throw new LayoutError(`region of ${h.max_pages} pages does not fit a ${buf.byteLength}-byte mapping`, { input: this.input, offset: this.base + REGION.max_pages });
    }
    if (h.nr_maps > BSKEL_MAX_MAPS || h.data_pgoff !== h.pgdesc_pgoff + h.pgdesc_pages) {
      throw new LayoutError("region geometry is inconsistent", { input: this.input, offset: this.base + REGION.nr_maps });
    }
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf, 0, Math.floor(buf.byteLength / 2));
    this.u32 = new Uint32Array(buf, 0, Math.floor(buf.byteLength / 4));
    this.i32 = new Int32Array(buf, 0, Math.floor(buf.byteLength / 4));
  }

  /** maps lists the storage maps the header declares. */
  maps(): MapInfo[] {
    const out: MapInfo[] = [];
    const n = this.header.nr_maps;
    for (let id = 0; id < n; id++) {
      const d: BskelMapDesc = this.header.maps.get(id);
      if (d.owner_kind === 0) continue;
      out.push({
        id,
        name: d.name.getString(),
        ownerKind: d.owner_kind,
        classId: d.class_id,
        valueOff: d.value_off,
        valueSize: d.value_size,
        valueAlign: d.value_align,
      });
    }
    return out;
  }

  get closed(): boolean {
    return this.mapping.closed;
  }
}
