// TEMPORARY stand-in for `bpf-skel gen test/fixtures/storage/values.bpf.o` output (same shape as the
// views runtime's generated classes), produced from the fixture's BTF with bpftool until the codegen
// lands; replaced by the real generated file, and a test checks every field against the BTF.
import { ArrayView, CharArrayView, StructView, dataViewOf, elements, structElement, type BufferTarget, type FieldInfo, type JsonObject } from "@bpf-skel/sdk/views";

const LE = elements(true);

/** struct task_ctx: size 48, align 8 */
export class TaskCtx extends StructView {
  static readonly size = 48;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "force_local", cType: "_Bool", bitOffset: 0, bitSize: 0, size: 1 },
    { name: "dom_id", cType: "__u32", bitOffset: 32, bitSize: 0, size: 4 },
    { name: "load", cType: "__u64", bitOffset: 64, bitSize: 0, size: 8 },
    { name: "a", cType: "__u64[2]", bitOffset: 128, bitSize: 0, size: 16 },
    { name: "b", cType: "__u64[2]", bitOffset: 256, bitSize: 0, size: 16 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): TaskCtx {
    return new TaskCtx(dataViewOf(buffer), byteOffset);
  }
  /** _Bool force_local: offset 0, size 1 */
  get force_local(): number {
    return LE.u8.get(this.$view, this.$offset + 0, "task_ctx.force_local");
  }
  set force_local(v: number) {
    LE.u8.set(this.$view, this.$offset + 0, v, "task_ctx.force_local");
  }
  /** __u32 dom_id: offset 4, size 4 */
  get dom_id(): number {
    return LE.u32.get(this.$view, this.$offset + 4, "task_ctx.dom_id");
  }
  set dom_id(v: number) {
    LE.u32.set(this.$view, this.$offset + 4, v, "task_ctx.dom_id");
  }
  /** __u64 load: offset 8, size 8 */
  get load(): bigint {
    return LE.u64.get(this.$view, this.$offset + 8, "task_ctx.load");
  }
  set load(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 8, v, "task_ctx.load");
  }
  /** __u64[2] a: offset 16, size 16 */
  get a(): ArrayView<bigint> {
    return new ArrayView(this.$view, this.$offset + 16, 2, LE.u64, "task_ctx.a");
  }
  /** __u64[2] b: offset 32, size 16 */
  get b(): ArrayView<bigint> {
    return new ArrayView(this.$view, this.$offset + 32, 2, LE.u64, "task_ctx.b");
  }
  toJSON(): JsonObject {
    return {
      force_local: this.force_local,
      dom_id: this.dom_id,
      load: this.load.toString(),
      a: this.a.toJSON(),
      b: this.b.toJSON(),
    };
  }
}

/** struct cgrp_ctx: size 16, align 8 */
export class CgrpCtx extends StructView {
  static readonly size = 16;
  static readonly align = 8;
  static readonly fields: readonly FieldInfo[] = [
    { name: "weight_sum", cType: "__u64", bitOffset: 0, bitSize: 0, size: 8 },
    { name: "nr_tasks", cType: "__u32", bitOffset: 64, bitSize: 0, size: 4 },
  ];
  static wrap(buffer: BufferTarget, byteOffset = 0): CgrpCtx {
    return new CgrpCtx(dataViewOf(buffer), byteOffset);
  }
  /** __u64 weight_sum: offset 0, size 8 */
  get weight_sum(): bigint {
    return LE.u64.get(this.$view, this.$offset + 0, "cgrp_ctx.weight_sum");
  }
  set weight_sum(v: bigint) {
    LE.u64.set(this.$view, this.$offset + 0, v, "cgrp_ctx.weight_sum");
  }
  /** __u32 nr_tasks: offset 8, size 4 */
  get nr_tasks(): number {
    return LE.u32.get(this.$view, this.$offset + 8, "cgrp_ctx.nr_tasks");
  }
  set nr_tasks(v: number) {
    LE.u32.set(this.$view, this.$offset + 8, v, "cgrp_ctx.nr_tasks");
  }
  toJSON(): JsonObject {
    return {
      weight_sum: this.weight_sum.toString(),
      nr_tasks: this.nr_tasks,
    };
  }
}

