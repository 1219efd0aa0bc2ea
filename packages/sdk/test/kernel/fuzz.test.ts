import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { isBpfSyscallError } from "../../src/errors/index.js";
import { KernelTransport } from "../../src/kernel/index.js";
import { openFdCount } from "./asm.js";

// Whatever a caller passes, the transport answers with a value or a BpfSyscallError (never a
// TypeError/RangeError or a crash), and leaks no fd.
describe.skipIf(requirement(rootMissing()))("kernel transport with arbitrary input", () => {
  it("random map definitions and element calls give values or BpfSyscallErrors", async () => {
    const before = await openFdCount();
    // mostly plausible definitions (so element calls reach the kernel), some arbitrary ones
    const small = (max: number) => fc.oneof({ arbitrary: fc.constantFrom(4, 8, 16), weight: 3 }, { arbitrary: fc.integer({ min: 0, max }), weight: 1 });
    const def = fc.record({
      name: fc.string({ maxLength: 24 }),
      type: fc.oneof({ arbitrary: fc.constantFrom(1, 2, 5, 6, 9, 10, 33), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 1 }),
      keySize: small(300),
      valueSize: small(5000),
      maxEntries: fc.integer({ min: 0, max: 1024 }),
      flags: fc.oneof(
        { arbitrary: fc.constantFrom(0, 1 << 10, 1), weight: 3 },
        { arbitrary: fc.integer({ min: 0, max: (1 << 19) - 1 }).filter((f) => (f & (1 << 14 | 1 << 15 | 1 << 16)) === 0), weight: 1 },
      ),
    });
    const bytes = fc.uint8Array({ maxLength: 600 });
    let created = 0;
    fc.assert(
      fc.property(def, bytes, bytes, fc.integer({ min: 0, max: 7 }), (d, key, value, flags) => {
        using t = new KernelTransport();
        const attempt = (f: () => unknown) => {
          try {
            f();
          } catch (e) {
            if (!isBpfSyscallError(e)) throw e;
          }
        };
        let fd: number | undefined;
        attempt(() => (fd = t.createMap(d)));
        if (fd === undefined) return;
        created++;
        const m = fd as never;
        attempt(() => t.updateElem(m, key, value, flags));
        attempt(() => t.lookupElem(m, key, Math.min(value.length, 64)));
        attempt(() => t.nextKey(m, undefined, d.keySize));
        attempt(() => t.deleteElem(m, key));
        attempt(() => t.lookupBatch(m, { keySize: d.keySize, valueSize: d.valueSize, count: 4 }));
        attempt(() => {
          using region = t.mmapMap(m, value.length * 16 + 1);
          new Uint8Array(region.buffer)[0] = 1;
        });
        attempt(() => t.freezeMap(m));
      }),
      { numRuns: 300, seed: 4 },
    );
    expect(await openFdCount()).toBe(before);
    // enough definitions are valid for the element calls to reach the kernel
    expect(created).toBeGreaterThan(20);
  });
});
