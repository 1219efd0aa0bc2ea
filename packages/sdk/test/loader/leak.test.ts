import { describe, expect, it } from "vitest";
import { requirement, rootMissing } from "../../../../test/support/env.js";
import { expectFailure } from "../../../../test/support/leaks.js";
import { isBpfSyscallError, isLoaderError, isVerifierError } from "../../src/errors/index.js";
import { BpfObject, vmlinuxBtf } from "../../src/loader/index.js";
import { fdCount, fixture, u64 } from "./support.js";

const LIFECYCLE = fixture("lifecycle/lifecycle.bpf.o");
const REJECTED = fixture("loader/rejected.bpf.o");
const BAD_CORE = fixture("lifecycle/bad_core.bpf.o");

describe.skipIf(requirement(rootMissing()))("fd hygiene of the live loader", () => {
  it("1,000 open/load/attach/close cycles, three in ten failing, leave /proc/self/fd unchanged", { timeout: 120_000 }, () => {
    vmlinuxBtf(); // parsed once per process; not part of any cycle
    const cycle = (i: number) => {
      switch (i % 10) {
        case 3: // the verifier rejects a program
          expectFailure(() => BpfObject.open(REJECTED).load(), isVerifierError);
          return;
        case 6: // the kernel refuses a map (after BTF and other maps were made)
          expectFailure(() => {
            const o = BpfObject.open(LIFECYCLE);
            o.editMap("totals", { maxEntries: 0 });
            o.load();
          }, isBpfSyscallError);
          return;
        case 9: // a CO-RE relocation no kernel satisfies, strict: fails before any program loads
          expectFailure(() => BpfObject.open(BAD_CORE, { strictCore: i % 20 === 9 }).load(), (e) => isLoaderError(e) || isVerifierError(e));
          return;
        default: {
          using obj = BpfObject.open(LIFECYCLE).load().attach();
          const r = obj.run("copy_data", new Uint8Array(24));
          expect(u64(r.ctx!, 16)).toBe(5n);
          expect(obj.readIter("list_tasks").length).toBeGreaterThan(0);
        }
      }
    };
    for (let i = 0; i < 20; i++) cycle(i); // warm-up: lazy koffi, scratch buffers, caches
    const before = fdCount();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) cycle(i);
    const ms = performance.now() - t0;
    console.log(`1000 cycles in ${ms.toFixed(0)} ms (${(ms / 1000).toFixed(2)} ms each)`);
    expect(fdCount()).toBe(before);
  });

  it("a failure in attach detaches what attached before it", () => {
    using obj = BpfObject.open(fixture("lifecycle/task_counter.bpf.o")).load();
    const before = fdCount();
    // Break the second attachment: its tracepoint name is read from the spec at attach time.
    const p = obj.programs.get("count_getppid")!;
    (p.spec as { attachTo: string }).attachTo = "syscalls/sys_enter_no_such_call";
    expectFailure(() => obj.attach(), isLoaderError);
    expect(obj.links.size).toBe(0);
    expect(fdCount()).toBe(before);
  });
});
