import { readFileSync, readdirSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The native layer must load lazily: with koffi unresolvable, the SDK, its kernel module and
// the simulator still import and work; only a kernel call fails, with a typed error.
type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
let original: Resolve;

describe("native layer without koffi", () => {
  beforeAll(() => {
    original = mod._resolveFilename;
    mod._resolveFilename = function (request: string, ...rest: unknown[]) {
      if (request === "koffi") throw Object.assign(new Error("Cannot find module 'koffi'"), { code: "MODULE_NOT_FOUND" });
      return original.call(this, request, ...rest);
    };
    vi.resetModules();
  });
  afterAll(() => {
    mod._resolveFilename = original;
  });

  it("the SDK, the kernel module and the simulator import and run; kernel calls throw BpfSyscallError", async () => {
    const sdk = await import("../../src/index.js");
    const kernel = await import("../../src/kernel/index.js");
    const sim = await import("../../../runtime-sim/src/index.js");

    expect(kernel.nativeAvailable()).toBe(false);
    using t = new kernel.KernelTransport();
    let err: unknown;
    try {
      t.createMap({ name: "m", type: kernel.BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    } catch (e) {
      err = e;
    }
    expect(sdk.isBpfSyscallError(err)).toBe(true);
    expect((err as Error).message).toMatch(/^native: ENOSYS \(koffi could not load: Cannot find module 'koffi'/);

    using s = new sim.SimTransport();
    const m = s.createMap({ name: "m", type: kernel.BPF_MAP_TYPE_HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    s.updateElem(m, new Uint8Array(4), new Uint8Array([1, 2, 3, 4]));
    expect(s.lookupElem(m, new Uint8Array(4), 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it("no SDK source imports koffi statically (only native.ts requires it, on first use)", () => {
    const root = new URL("../../src/", import.meta.url).pathname;
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const importers = files.filter((f) => /from\s+["']koffi["']|import\(\s*["']koffi["']\s*\)/.test(readFileSync(join(root, f), "utf8")));
    expect(importers).toEqual([]);
    const requirers = files.filter((f) => /require\(\s*["']koffi["']\s*\)/.test(readFileSync(join(root, f), "utf8")));
    expect(requirers).toEqual(["kernel/native.ts"]);
  });
});
