// TEMPORARY stand-in for `bpf-skel gen test/fixtures/storage/layout.bpf.o` output (same shape as the
// views runtime's generated classes), produced from the fixture's BTF with bpftool until the codegen
// lands; replaced by the real generated file, and a test checks every field against the BTF.
import { ArrayView, CharArrayView, StructView, dataViewOf, elements, structElement, type BufferTarget, type FieldInfo, type JsonObject } from "../../views/index.js";

const LE = elements(true);

/** struct bskel_pgdesc: size 8, align 4 */
export class BskelPgdesc extends StructView {
  static readonly size = 8;
  static readonly align = 4;
  static readonly fields: readonly FieldInfo[] = [
    { name: "kind", cType: "__u8", bitOffset: 0, bitSize: 0, size: 1 },
    { name: "class_id", cType: "__u8", bitOffset: 8, bitSize: 0, size: 1 },
    { name: "nr_live", cType: "__u16", bitOffset: 16, bitSize: 0, size: 2 },
    { name: "aux", cType: "__u32", bitOffset: 32, bitSize: 0, size: 4 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelPgdesc {
    return new BskelPgdesc(dataViewOf(buffer), byteOffset);
  }
  /** __u8 kind: offset 0, size 1 */
  get kind(): number {
    return LE.u8.get(this.$view, this.$offset + 0, "bskel_pgdesc.kind");
  }
  set kind(v: number) {
    LE.u8.set(this.$view, this.$offset + 0, v, "bskel_pgdesc.kind");
  }
  /** __u8 class_id: offset 1, size 1 */
  get class_id(): number {
    return LE.u8.get(this.$view, this.$offset + 1, "bskel_pgdesc.class_id");
  }
  set class_id(v: number) {
    LE.u8.set(this.$view, this.$offset + 1, v, "bskel_pgdesc.class_id");
  }
  /** __u16 nr_live: offset 2, size 2 */
  get nr_live(): number {
    return LE.u16.get(this.$view, this.$offset + 2, "bskel_pgdesc.nr_live");
  }
  set nr_live(v: number) {
    LE.u16.set(this.$view, this.$offset + 2, v, "bskel_pgdesc.nr_live");
  }
  /** __u32 aux: offset 4, size 4 */
  get aux(): number {
    return LE.u32.get(this.$view, this.$offset + 4, "bskel_pgdesc.aux");
  }
  set aux(v: number) {
    LE.u32.set(this.$view, this.$offset + 4, v, "bskel_pgdesc.aux");
  }
  toJSON(): JsonObject {
    return {
      kind: this.kind,
      class_id: this.class_id,
      nr_live: this.nr_live,
      aux: this.aux,
    };
  }
}

/** struct bskel_class: size 16, align 4 */
export class BskelClass extends StructView {
  static readonly size = 16;
  static readonly align = 4;
  static readonly fields: readonly FieldInfo[] = [
    { name: "stride", cType: "__u16", bitOffset: 0, bitSize: 0, size: 2 },
    { name: "nr_slots", cType: "__u16", bitOffset: 16, bitSize: 0, size: 2 },
    { name: "scan_hint", cType: "__u32", bitOffset: 32, bitSize: 0, size: 4 },
    { name: "nr_pages", cType: "__u32", bitOffset: 64, bitSize: 0, size: 4 },
    { name: "nr_live", cType: "__u32", bitOffset: 96, bitSize: 0, size: 4 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelClass {
    return new BskelClass(dataViewOf(buffer), byteOffset);
  }
  /** __u16 stride: offset 0, size 2 */
  get stride(): number {
    return LE.u16.get(this.$view, this.$offset + 0, "bskel_class.stride");
  }
  set stride(v: number) {
    LE.u16.set(this.$view, this.$offset + 0, v, "bskel_class.stride");
  }
  /** __u16 nr_slots: offset 2, size 2 */
  get nr_slots(): number {
    return LE.u16.get(this.$view, this.$offset + 2, "bskel_class.nr_slots");
  }
  set nr_slots(v: number) {
    LE.u16.set(this.$view, this.$offset + 2, v, "bskel_class.nr_slots");
  }
  /** __u32 scan_hint: offset 4, size 4 */
  get scan_hint(): number {
    return LE.u32.get(this.$view, this.$offset + 4, "bskel_class.scan_hint");
  }
  set scan_hint(v: number) {
    LE.u32.set(this.$view, this.$offset + 4, v, "bskel_class.scan_hint");
  }
  /** __u32 nr_pages: offset 8, size 4 */
  get nr_pages(): number {
    return LE.u32.get(this.$view, this.$offset + 8, "bskel_class.nr_pages");
  }
  set nr_pages(v: number) {
    LE.u32.set(this.$view, this.$offset + 8, v, "bskel_class.nr_pages");
  }
  /** __u32 nr_live: offset 12, size 4 */
  get nr_live(): number {
    return LE.u32.get(this.$view, this.$offset + 12, "bskel_class.nr_live");
  }
  set nr_live(v: number) {
    LE.u32.set(this.$view, this.$offset + 12, v, "bskel_class.nr_live");
  }
  toJSON(): JsonObject {
    return {
      stride: this.stride,
      nr_slots: this.nr_slots,
      scan_hint: this.scan_hint,
      nr_pages: this.nr_pages,
      nr_live: this.nr_live,
    };
  }
}

/** struct bskel_map_desc: size 304, align 8 */
export class BskelMapDesc extends StructView {
  static readonly size = 304;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "name", cType: "char[16]", bitOffset: 0, bitSize: 0, size: 16 },
    { name: "owner_kind", cType: "__u8", bitOffset: 128, bitSize: 0, size: 1 },
    { name: "class_id", cType: "__u8", bitOffset: 136, bitSize: 0, size: 1 },
    { name: "value_off", cType: "__u16", bitOffset: 144, bitSize: 0, size: 2 },
    { name: "value_size", cType: "__u32", bitOffset: 160, bitSize: 0, size: 4 },
    { name: "value_align", cType: "__u32", bitOffset: 192, bitSize: 0, size: 4 },
    { name: "nr_live", cType: "__u32", bitOffset: 224, bitSize: 0, size: 4 },
    { name: "creates", cType: "__u64", bitOffset: 256, bitSize: 0, size: 8 },
    { name: "deletes", cType: "__u64", bitOffset: 320, bitSize: 0, size: 8 },
    { name: "index_root", cType: "__u32[64]", bitOffset: 384, bitSize: 0, size: 256 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelMapDesc {
    return new BskelMapDesc(dataViewOf(buffer), byteOffset);
  }
  /** char[16] name: offset 0, size 16 */
  get name(): CharArrayView {
    return new CharArrayView(this.$view, this.$offset + 0, 16, LE.i8, "bskel_map_desc.name");
  }
  /** __u8 owner_kind: offset 16, size 1 */
  get owner_kind(): number {
    return LE.u8.get(this.$view, this.$offset + 16, "bskel_map_desc.owner_kind");
  }
  set owner_kind(v: number) {
    LE.u8.set(this.$view, this.$offset + 16, v, "bskel_map_desc.owner_kind");
  }
  /** __u8 class_id: offset 17, size 1 */
  get class_id(): number {
    return LE.u8.get(this.$view, this.$offset + 17, "bskel_map_desc.class_id");
  }
  set class_id(v: number) {
    LE.u8.set(this.$view, this.$offset + 17, v, "bskel_map_desc.class_id");
  }
  /** __u16 value_off: offset 18, size 2 */
  get value_off(): number {
    return LE.u16.get(this.$view, this.$offset + 18, "bskel_map_desc.value_off");
  }
  set value_off(v: number) {
    LE.u16.set(this.$view, this.$offset + 18, v, "bskel_map_desc.value_off");
  }
  /** __u32 value_size: offset 20, size 4 */
  get value_size(): number {
    return LE.u32.get(this.$view, this.$offset + 20, "bskel_map_desc.value_size");
  }
  set value_size(v: number) {
    LE.u32.set(this.$view, this.$offset + 20, v, "bskel_map_desc.value_size");
  }
  /** __u32 value_align: offset 24, size 4 */
  get value_align(): number {
    return LE.u32.get(this.$view, this.$offset + 24, "bskel_map_desc.value_align");
  }
  set value_align(v: number) {
    LE.u32.set(this.$view, this.$offset + 24, v, "bskel_map_desc.value_align");
  }
  /** __u32 nr_live: offset 28, size 4 */
  get nr_live(): number {
    return LE.u32.get(this.$view, this.$offset + 28, "bskel_map_desc.nr_live");
  }
  set nr_live(v: number) {
    LE.u32.set(this.$view, this.$offset + 28, v, "bskel_map_desc.nr_live");
  }
  /** __u64 creates: offset 32, size 8 */
  get creates(): bigint {
    return LE.u64.get(this.$view, this.$offset + 32, "bskel_map_desc.creates");
  }
  set creates(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 32, v, "bskel_map_desc.creates");
  }
  /** __u64 deletes: offset 40, size 8 */
  get deletes(): bigint {
    return LE.u64.get(this.$view, this.$offset + 40, "bskel_map_desc.deletes");
  }
  set deletes(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 40, v, "bskel_map_desc.deletes");
  }
  /** __u32[64] index_root: offset 48, size 256 */
  get index_root(): ArrayView<number> {
    return new ArrayView(this.$view, this.$offset + 48, 64, LE.u32, "bskel_map_desc.index_root");
  }
  toJSON(): JsonObject {
    return {
      name: this.name.toJSON(),
      owner_kind: this.owner_kind,
      class_id: this.class_id,
      value_off: this.value_off,
      value_size: this.value_size,
      value_align: this.value_align,
      nr_live: this.nr_live,
      creates: this.creates.toString(),
      deletes: this.deletes.toString(),
      index_root: this.index_root.toJSON(),
    };
  }
}

/** struct bskel_counters: size 96, align 8 */
export class BskelCounters extends StructView {
  static readonly size = 96;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "allocs", cType: "__u64", bitOffset: 0, bitSize: 0, size: 8 },
    { name: "frees", cType: "__u64", bitOffset: 64, bitSize: 0, size: 8 },
    { name: "alloc_fail", cType: "__u64", bitOffset: 128, bitSize: 0, size: 8 },
    { name: "page_allocs", cType: "__u64", bitOffset: 192, bitSize: 0, size: 8 },
    { name: "page_frees", cType: "__u64", bitOffset: 256, bitSize: 0, size: 8 },
    { name: "page_alloc_fail", cType: "__u64", bitOffset: 320, bitSize: 0, size: 8 },
    { name: "pool_refills", cType: "__u64", bitOffset: 384, bitSize: 0, size: 8 },
    { name: "pool_empty", cType: "__u64", bitOffset: 448, bitSize: 0, size: 8 },
    { name: "live_entries", cType: "__u64", bitOffset: 512, bitSize: 0, size: 8 },
    { name: "live_bytes", cType: "__u64", bitOffset: 576, bitSize: 0, size: 8 },
    { name: "index_pages", cType: "__u64", bitOffset: 640, bitSize: 0, size: 8 },
    { name: "slab_pages", cType: "__u64", bitOffset: 704, bitSize: 0, size: 8 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelCounters {
    return new BskelCounters(dataViewOf(buffer), byteOffset);
  }
  /** __u64 allocs: offset 0, size 8 */
  get allocs(): bigint {
    return LE.u64.get(this.$view, this.$offset + 0, "bskel_counters.allocs");
  }
  set allocs(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 0, v, "bskel_counters.allocs");
  }
  /** __u64 frees: offset 8, size 8 */
  get frees(): bigint {
    return LE.u64.get(this.$view, this.$offset + 8, "bskel_counters.frees");
  }
  set frees(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 8, v, "bskel_counters.frees");
  }
  /** __u64 alloc_fail: offset 16, size 8 */
  get alloc_fail(): bigint {
    return LE.u64.get(this.$view, this.$offset + 16, "bskel_counters.alloc_fail");
  }
  set alloc_fail(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 16, v, "bskel_counters.alloc_fail");
  }
  /** __u64 page_allocs: offset 24, size 8 */
  get page_allocs(): bigint {
    return LE.u64.get(this.$view, this.$offset + 24, "bskel_counters.page_allocs");
  }
  set page_allocs(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 24, v, "bskel_counters.page_allocs");
  }
  /** __u64 page_frees: offset 32, size 8 */
  get page_frees(): bigint {
    return LE.u64.get(this.$view, this.$offset + 32, "bskel_counters.page_frees");
  }
  set page_frees(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 32, v, "bskel_counters.page_frees");
  }
  /** __u64 page_alloc_fail: offset 40, size 8 */
  get page_alloc_fail(): bigint {
    return LE.u64.get(this.$view, this.$offset + 40, "bskel_counters.page_alloc_fail");
  }
  set page_alloc_fail(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 40, v, "bskel_counters.page_alloc_fail");
  }
  /** __u64 pool_refills: offset 48, size 8 */
  get pool_refills(): bigint {
    return LE.u64.get(this.$view, this.$offset + 48, "bskel_counters.pool_refills");
  }
  set pool_refills(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 48, v, "bskel_counters.pool_refills");
  }
  /** __u64 pool_empty: offset 56, size 8 */
  get pool_empty(): bigint {
    return LE.u64.get(this.$view, this.$offset + 56, "bskel_counters.pool_empty");
  }
  set pool_empty(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 56, v, "bskel_counters.pool_empty");
  }
  /** __u64 live_entries: offset 64, size 8 */
  get live_entries(): bigint {
    return LE.u64.get(this.$view, this.$offset + 64, "bskel_counters.live_entries");
  }
  set live_entries(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 64, v, "bskel_counters.live_entries");
  }
  /** __u64 live_bytes: offset 72, size 8 */
  get live_bytes(): bigint {
    return LE.u64.get(this.$view, this.$offset + 72, "bskel_counters.live_bytes");
  }
  set live_bytes(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 72, v, "bskel_counters.live_bytes");
  }
  /** __u64 index_pages: offset 80, size 8 */
  get index_pages(): bigint {
    return LE.u64.get(this.$view, this.$offset + 80, "bskel_counters.index_pages");
  }
  set index_pages(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 80, v, "bskel_counters.index_pages");
  }
  /** __u64 slab_pages: offset 88, size 8 */
  get slab_pages(): bigint {
    return LE.u64.get(this.$view, this.$offset + 88, "bskel_counters.slab_pages");
  }
  set slab_pages(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 88, v, "bskel_counters.slab_pages");
  }
  toJSON(): JsonObject {
    return {
      allocs: this.allocs.toString(),
      frees: this.frees.toString(),
      alloc_fail: this.alloc_fail.toString(),
      page_allocs: this.page_allocs.toString(),
      page_frees: this.page_frees.toString(),
      page_alloc_fail: this.page_alloc_fail.toString(),
      pool_refills: this.pool_refills.toString(),
      pool_empty: this.pool_empty.toString(),
      live_entries: this.live_entries.toString(),
      live_bytes: this.live_bytes.toString(),
      index_pages: this.index_pages.toString(),
      slab_pages: this.slab_pages.toString(),
    };
  }
}

/** struct bskel_region: size 4096, align 8 */
export class BskelRegion extends StructView {
  static readonly size = 4096;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "magic", cType: "__u64", bitOffset: 0, bitSize: 0, size: 8 },
    { name: "version", cType: "__u32", bitOffset: 64, bitSize: 0, size: 4 },
    { name: "page_size", cType: "__u32", bitOffset: 96, bitSize: 0, size: 4 },
    { name: "region_pgoff", cType: "__u32", bitOffset: 128, bitSize: 0, size: 4 },
    { name: "max_pages", cType: "__u32", bitOffset: 160, bitSize: 0, size: 4 },
    { name: "hwm_pages", cType: "__u32", bitOffset: 192, bitSize: 0, size: 4 },
    { name: "present_pages", cType: "__u32", bitOffset: 224, bitSize: 0, size: 4 },
    { name: "epoch", cType: "__u64", bitOffset: 256, bitSize: 0, size: 8 },
    { name: "pgdesc_pgoff", cType: "__u32", bitOffset: 320, bitSize: 0, size: 4 },
    { name: "pgdesc_pages", cType: "__u32", bitOffset: 352, bitSize: 0, size: 4 },
    { name: "data_pgoff", cType: "__u32", bitOffset: 384, bitSize: 0, size: 4 },
    { name: "nr_maps", cType: "__u32", bitOffset: 416, bitSize: 0, size: 4 },
    { name: "pool_nr", cType: "__u32", bitOffset: 448, bitSize: 0, size: 4 },
    { name: "pool_target", cType: "__u32", bitOffset: 480, bitSize: 0, size: 4 },
    { name: "pool", cType: "__u32[64]", bitOffset: 512, bitSize: 0, size: 256 },
    { name: "counters", cType: "struct bskel_counters", bitOffset: 2560, bitSize: 0, size: 96 },
    { name: "classes", cType: "struct bskel_class[16]", bitOffset: 3328, bitSize: 0, size: 256 },
    { name: "maps", cType: "struct bskel_map_desc[8]", bitOffset: 5376, bitSize: 0, size: 2432 },
    { name: "_reserved", cType: "__u8[992]", bitOffset: 24832, bitSize: 0, size: 992 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelRegion {
    return new BskelRegion(dataViewOf(buffer), byteOffset);
  }
  /** __u64 magic: offset 0, size 8 */
  get magic(): bigint {
    return LE.u64.get(this.$view, this.$offset + 0, "bskel_region.magic");
  }
  set magic(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 0, v, "bskel_region.magic");
  }
  /** __u32 version: offset 8, size 4 */
  get version(): number {
    return LE.u32.get(this.$view, this.$offset + 8, "bskel_region.version");
  }
  set version(v: number) {
    LE.u32.set(this.$view, this.$offset + 8, v, "bskel_region.version");
  }
  /** __u32 page_size: offset 12, size 4 */
  get page_size(): number {
    return LE.u32.get(this.$view, this.$offset + 12, "bskel_region.page_size");
  }
  set page_size(v: number) {
    LE.u32.set(this.$view, this.$offset + 12, v, "bskel_region.page_size");
  }
  /** __u32 region_pgoff: offset 16, size 4 */
  get region_pgoff(): number {
    return LE.u32.get(this.$view, this.$offset + 16, "bskel_region.region_pgoff");
  }
  set region_pgoff(v: number) {
    LE.u32.set(this.$view, this.$offset + 16, v, "bskel_region.region_pgoff");
  }
  /** __u32 max_pages: offset 20, size 4 */
  get max_pages(): number {
    return LE.u32.get(this.$view, this.$offset + 20, "bskel_region.max_pages");
  }
  set max_pages(v: number) {
    LE.u32.set(this.$view, this.$offset + 20, v, "bskel_region.max_pages");
  }
  /** __u32 hwm_pages: offset 24, size 4 */
  get hwm_pages(): number {
    return LE.u32.get(this.$view, this.$offset + 24, "bskel_region.hwm_pages");
  }
  set hwm_pages(v: number) {
    LE.u32.set(this.$view, this.$offset + 24, v, "bskel_region.hwm_pages");
  }
  /** __u32 present_pages: offset 28, size 4 */
  get present_pages(): number {
    return LE.u32.get(this.$view, this.$offset + 28, "bskel_region.present_pages");
  }
  set present_pages(v: number) {
    LE.u32.set(this.$view, this.$offset + 28, v, "bskel_region.present_pages");
  }
  /** __u64 epoch: offset 32, size 8 */
  get epoch(): bigint {
    return LE.u64.get(this.$view, this.$offset + 32, "bskel_region.epoch");
  }
  set epoch(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 32, v, "bskel_region.epoch");
  }
  /** __u32 pgdesc_pgoff: offset 40, size 4 */
  get pgdesc_pgoff(): number {
    return LE.u32.get(this.$view, this.$offset + 40, "bskel_region.pgdesc_pgoff");
  }
  set pgdesc_pgoff(v: number) {
    LE.u32.set(this.$view, this.$offset + 40, v, "bskel_region.pgdesc_pgoff");
  }
  /** __u32 pgdesc_pages: offset 44, size 4 */
  get pgdesc_pages(): number {
    return LE.u32.get(this.$view, this.$offset + 44, "bskel_region.pgdesc_pages");
  }
  set pgdesc_pages(v: number) {
    LE.u32.set(this.$view, this.$offset + 44, v, "bskel_region.pgdesc_pages");
  }
  /** __u32 data_pgoff: offset 48, size 4 */
  get data_pgoff(): number {
    return LE.u32.get(this.$view, this.$offset + 48, "bskel_region.data_pgoff");
  }
  set data_pgoff(v: number) {
    LE.u32.set(this.$view, this.$offset + 48, v, "bskel_region.data_pgoff");
  }
  /** __u32 nr_maps: offset 52, size 4 */
  get nr_maps(): number {
    return LE.u32.get(this.$view, this.$offset + 52, "bskel_region.nr_maps");
  }
  set nr_maps(v: number) {
    LE.u32.set(this.$view, this.$offset + 52, v, "bskel_region.nr_maps");
  }
  /** __u32 pool_nr: offset 56, size 4 */
  get pool_nr(): number {
    return LE.u32.get(this.$view, this.$offset + 56, "bskel_region.pool_nr");
  }
  set pool_nr(v: number) {
    LE.u32.set(this.$view, this.$offset + 56, v, "bskel_region.pool_nr");
  }
  /** __u32 pool_target: offset 60, size 4 */
  get pool_target(): number {
    return LE.u32.get(this.$view, this.$offset + 60, "bskel_region.pool_target");
  }
  set pool_target(v: number) {
    LE.u32.set(this.$view, this.$offset + 60, v, "bskel_region.pool_target");
  }
  /** __u32[64] pool: offset 64, size 256 */
  get pool(): ArrayView<number> {
    return new ArrayView(this.$view, this.$offset + 64, 64, LE.u32, "bskel_region.pool");
  }
  /** struct bskel_counters counters: offset 320, size 96 */
  get counters(): BskelCounters {
    return new BskelCounters(this.$view, this.$offset + 320);
  }
  /** struct bskel_class[16] classes: offset 416, size 256 */
  get classes(): ArrayView<BskelClass> {
    return new ArrayView(this.$view, this.$offset + 416, 16, structElement(BskelClass), "bskel_region.classes");
  }
  /** struct bskel_map_desc[8] maps: offset 672, size 2432 */
  get maps(): ArrayView<BskelMapDesc> {
    return new ArrayView(this.$view, this.$offset + 672, 8, structElement(BskelMapDesc), "bskel_region.maps");
  }
  /** __u8[992] _reserved: offset 3104, size 992 */
  get _reserved(): ArrayView<number> {
    return new ArrayView(this.$view, this.$offset + 3104, 992, LE.u8, "bskel_region._reserved");
  }
  toJSON(): JsonObject {
    return {
      magic: this.magic.toString(),
      version: this.version,
      page_size: this.page_size,
      region_pgoff: this.region_pgoff,
      max_pages: this.max_pages,
      hwm_pages: this.hwm_pages,
      present_pages: this.present_pages,
      epoch: this.epoch.toString(),
      pgdesc_pgoff: this.pgdesc_pgoff,
      pgdesc_pages: this.pgdesc_pages,
      data_pgoff: this.data_pgoff,
      nr_maps: this.nr_maps,
      pool_nr: this.pool_nr,
      pool_target: this.pool_target,
      pool: this.pool.toJSON(),
      counters: this.counters.toJSON(),
      classes: this.classes.toJSON(),
      maps: this.maps.toJSON(),
      _reserved: this._reserved.toJSON(),
    };
  }
}

/** struct bskel_slab_hdr: size 32, align 8 */
export class BskelSlabHdr extends StructView {
  static readonly size = 32;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "free_mask", cType: "__u64[2]", bitOffset: 0, bitSize: 0, size: 16 },
    { name: "class_id", cType: "__u16", bitOffset: 128, bitSize: 0, size: 2 },
    { name: "nr_slots", cType: "__u16", bitOffset: 144, bitSize: 0, size: 2 },
    { name: "page_no", cType: "__u32", bitOffset: 160, bitSize: 0, size: 4 },
    { name: "_pad", cType: "__u64", bitOffset: 192, bitSize: 0, size: 8 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelSlabHdr {
    return new BskelSlabHdr(dataViewOf(buffer), byteOffset);
  }
  /** __u64[2] free_mask: offset 0, size 16 */
  get free_mask(): ArrayView<bigint> {
    return new ArrayView(this.$view, this.$offset + 0, 2, LE.u64, "bskel_slab_hdr.free_mask");
  }
  /** __u16 class_id: offset 16, size 2 */
  get class_id(): number {
    return LE.u16.get(this.$view, this.$offset + 16, "bskel_slab_hdr.class_id");
  }
  set class_id(v: number) {
    LE.u16.set(this.$view, this.$offset + 16, v, "bskel_slab_hdr.class_id");
  }
  /** __u16 nr_slots: offset 18, size 2 */
  get nr_slots(): number {
    return LE.u16.get(this.$view, this.$offset + 18, "bskel_slab_hdr.nr_slots");
  }
  set nr_slots(v: number) {
    LE.u16.set(this.$view, this.$offset + 18, v, "bskel_slab_hdr.nr_slots");
  }
  /** __u32 page_no: offset 20, size 4 */
  get page_no(): number {
    return LE.u32.get(this.$view, this.$offset + 20, "bskel_slab_hdr.page_no");
  }
  set page_no(v: number) {
    LE.u32.set(this.$view, this.$offset + 20, v, "bskel_slab_hdr.page_no");
  }
  /** __u64 _pad: offset 24, size 8 */
  get _pad(): bigint {
    return LE.u64.get(this.$view, this.$offset + 24, "bskel_slab_hdr._pad");
  }
  set _pad(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 24, v, "bskel_slab_hdr._pad");
  }
  toJSON(): JsonObject {
    return {
      free_mask: this.free_mask.toJSON(),
      class_id: this.class_id,
      nr_slots: this.nr_slots,
      page_no: this.page_no,
      _pad: this._pad.toString(),
    };
  }
}

/** struct bskel_entry: size 24, align 8 */
export class BskelEntry extends StructView {
  static readonly size = 24;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "seq", cType: "__u32", bitOffset: 0, bitSize: 0, size: 4 },
    { name: "gen", cType: "__u32", bitOffset: 32, bitSize: 0, size: 4 },
    { name: "owner_id", cType: "__u64", bitOffset: 64, bitSize: 0, size: 8 },
    { name: "map_id", cType: "__u16", bitOffset: 128, bitSize: 0, size: 2 },
    { name: "owner_kind", cType: "__u8", bitOffset: 144, bitSize: 0, size: 1 },
    { name: "state", cType: "__u8", bitOffset: 152, bitSize: 0, size: 1 },
    { name: "_pad", cType: "__u32", bitOffset: 160, bitSize: 0, size: 4 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelEntry {
    return new BskelEntry(dataViewOf(buffer), byteOffset);
  }
  /** __u32 seq: offset 0, size 4 */
  get seq(): number {
    return LE.u32.get(this.$view, this.$offset + 0, "bskel_entry.seq");
  }
  set seq(v: number) {
    LE.u32.set(this.$view, this.$offset + 0, v, "bskel_entry.seq");
  }
  /** __u32 gen: offset 4, size 4 */
  get gen(): number {
    return LE.u32.get(this.$view, this.$offset + 4, "bskel_entry.gen");
  }
  set gen(v: number) {
    LE.u32.set(this.$view, this.$offset + 4, v, "bskel_entry.gen");
  }
  /** __u64 owner_id: offset 8, size 8 */
  get owner_id(): bigint {
    return LE.u64.get(this.$view, this.$offset + 8, "bskel_entry.owner_id");
  }
  set owner_id(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 8, v, "bskel_entry.owner_id");
  }
  /** __u16 map_id: offset 16, size 2 */
  get map_id(): number {
    return LE.u16.get(this.$view, this.$offset + 16, "bskel_entry.map_id");
  }
  set map_id(v: number) {
    LE.u16.set(this.$view, this.$offset + 16, v, "bskel_entry.map_id");
  }
  /** __u8 owner_kind: offset 18, size 1 */
  get owner_kind(): number {
    return LE.u8.get(this.$view, this.$offset + 18, "bskel_entry.owner_kind");
  }
  set owner_kind(v: number) {
    LE.u8.set(this.$view, this.$offset + 18, v, "bskel_entry.owner_kind");
  }
  /** __u8 state: offset 19, size 1 */
  get state(): number {
    return LE.u8.get(this.$view, this.$offset + 19, "bskel_entry.state");
  }
  set state(v: number) {
    LE.u8.set(this.$view, this.$offset + 19, v, "bskel_entry.state");
  }
  /** __u32 _pad: offset 20, size 4 */
  get _pad(): number {
    return LE.u32.get(this.$view, this.$offset + 20, "bskel_entry._pad");
  }
  set _pad(v: number) {
    LE.u32.set(this.$view, this.$offset + 20, v, "bskel_entry._pad");
  }
  toJSON(): JsonObject {
    return {
      seq: this.seq,
      gen: this.gen,
      owner_id: this.owner_id.toString(),
      map_id: this.map_id,
      owner_kind: this.owner_kind,
      state: this.state,
      _pad: this._pad,
    };
  }
}

/** struct bskel_index_l1: size 4096, align 4 */
export class BskelIndexL1 extends StructView {
  static readonly size = 4096;
  static readonly align = 4;
  static readonly fields: readonly FieldInfo[] = [
    { name: "leaf", cType: "__u32[1024]", bitOffset: 0, bitSize: 0, size: 4096 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelIndexL1 {
    return new BskelIndexL1(dataViewOf(buffer), byteOffset);
  }
  /** __u32[1024] leaf: offset 0, size 4096 */
  get leaf(): ArrayView<number> {
    return new ArrayView(this.$view, this.$offset + 0, 1024, LE.u32, "bskel_index_l1.leaf");
  }
  toJSON(): JsonObject {
    return {
      leaf: this.leaf.toJSON(),
    };
  }
}

/** struct bskel_index_leaf: size 4096, align 8 */
export class BskelIndexLeaf extends StructView {
  static readonly size = 4096;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "word", cType: "__u64[512]", bitOffset: 0, bitSize: 0, size: 4096 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): BskelIndexLeaf {
    return new BskelIndexLeaf(dataViewOf(buffer), byteOffset);
  }
  /** __u64[512] word: offset 0, size 4096 */
  get word(): ArrayView<bigint> {
    return new ArrayView(this.$view, this.$offset + 0, 512, LE.u64, "bskel_index_leaf.word");
  }
  toJSON(): JsonObject {
    return {
      word: this.word.toJSON(),
    };
  }
}

