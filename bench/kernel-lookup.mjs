#!/usr/bin/env node
// bench/kernel-lookup.mjs — per-call cost of map lookups through KernelTransport on the real
// kernel (root), against a bare getppid(2) through the same native layer (the floor of any
// syscall from JS) and against reads of an mmapped array (no syscall). Prints figures and
// ratios measured in this run; nothing is asserted.   npm run bench:kernel
import {
  Attr, BPF_F_MMAPABLE, BPF_MAP_LOOKUP_ELEM, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH, KernelTransport, MAP_ELEM_ATTR,
  NativeMemory, bpfRaw,
} from "@bpf-skel/sdk/kernel";
import { createRequire } from "node:module";

if (process.getuid?.() !== 0) {
  console.log("kernel-lookup: needs root for bpf(2); skipped");
  process.exit(0);
}

const N = 4096;
const VALUE = 16;
const ROUNDS = 20;

const t = new KernelTransport();
const hash = t.createMap({ name: "bench_hash", type: BPF_MAP_TYPE_HASH, keySize: 4, valueSize: VALUE, maxEntries: N });
const array = t.createMap({ name: "bench_arr", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: VALUE, maxEntries: N, flags: BPF_F_MMAPABLE });
const key = new Uint8Array(4);
const kv = new DataView(key.buffer);
const val = new Uint8Array(VALUE);
const vv = new DataView(val.buffer);
for (let i = 0; i < N; i++) {
  kv.setUint32(0, i, true);
  vv.setBigUint64(0, BigInt(i), true);
  t.updateElem(hash, key, val);
  t.updateElem(array, key, val);
}
const region = t.mmapMap(array, N * VALUE);
const mapped = new DataView(region.buffer);

const require = createRequire(import.meta.url);
const koffi = require("koffi");
const getppid = koffi.load("libc.so.6").func("int getppid()");

function measure(label, fn) {
  fn(); // warm up
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ns = Number(process.hrtime.bigint() - t0) / N;
    if (ns < best) best = ns;
  }
  return { label, ns: best };
}

// the same lookup with the attr built once: what the kernel and koffi cost without our encoding
const rawAttr = new Attr();
const rawKey = new NativeMemory(4);
const rawVal = new NativeMemory(VALUE);
const E = MAP_ELEM_ATTR.fields;
rawAttr.u32(E.map_fd[0], hash).u64(E.key[0], rawKey.address).u64(E.value[0], rawVal.address);

let sink = 0n;
const out = new Uint8Array(VALUE);
const ov = new DataView(out.buffer);
const rows = [
  measure("getppid(2) via koffi (floor)", () => {
    for (let i = 0; i < N; i++) getppid();
  }),
  measure("hash: bpf(2) with a prebuilt attr", () => {
    for (let i = 0; i < N; i++) {
      rawKey.view.setUint32(0, i, true);
      bpfRaw(BPF_MAP_LOOKUP_ELEM, rawAttr);
      sink += rawVal.view.getBigUint64(0, true);
    }
  }),
  measure("hash lookupElem (allocates)", () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      sink += new DataView(t.lookupElem(hash, key, VALUE).buffer).getBigUint64(0, true);
    }
  }),
  measure("hash lookupElemInto (reused out)", () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      t.lookupElemInto(hash, key, out);
      sink += ov.getBigUint64(0, true);
    }
  }),
  measure("array lookupElemInto", () => {
    for (let i = 0; i < N; i++) {
      kv.setUint32(0, i, true);
      t.lookupElemInto(array, key, out);
      sink += ov.getBigUint64(0, true);
    }
  }),
  measure("mmapped array read (no syscall)", () => {
    for (let i = 0; i < N; i++) sink += mapped.getBigUint64(i * VALUE, true);
  }),
];
const floor = rows[0].ns;
const raw = rows[1].ns;
for (const r of rows) {
  console.log(`${r.label.padEnd(36)} ${r.ns.toFixed(1).padStart(8)} ns/op  ${(r.ns / floor).toFixed(2)}x floor  ${(r.ns / raw).toFixed(2)}x prebuilt`);
}
if (sink === -1n) console.log(sink);
t[Symbol.dispose]();
