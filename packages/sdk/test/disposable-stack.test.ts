import { describe, expect, it } from "vitest";
import { DisposableStack, runAll } from "../src/util/disposable-stack.js";
import { BtfError, isBtfError, VerifierError } from "../src/errors/index.js";

describe("DisposableStack", () => {
  it("disposes in reverse order and keeps going after an error", () => {
    const order: string[] = [];
    const stack = new DisposableStack();
    stack.defer(() => order.push("a"));
    stack.defer(() => {
      order.push("b");
      throw new Error("b failed");
    });
    stack.defer(() => order.push("c"));
    expect(() => stack.dispose()).toThrow("b failed");
    expect(order).toEqual(["c", "b", "a"]);
    stack.dispose(); // twice is harmless
    expect(order).toHaveLength(3);
  });

  it("move hands resources to a new stack", () => {
    let closed = 0;
    const stack = new DisposableStack();
    stack.use({ [Symbol.dispose]: () => closed++ });
    const moved = stack.move();
    stack.dispose();
    expect(closed).toBe(0);
    moved.dispose();
    expect(closed).toBe(1);
  });
});

describe("runAll", () => {
  it("runs every step in order and rethrows the first error, even a thrown undefined", () => {
    const ran: number[] = [];
    let thrown: unknown = "nothing";
    try {
      runAll([
        () => ran.push(1),
        () => {
          ran.push(2);
          throw undefined;
        },
        () => {
          ran.push(3);
          throw new Error("second");
        },
        () => ran.push(4),
      ]);
    } catch (e) {
      thrown = e;
    }
    expect(ran).toEqual([1, 2, 3, 4]);
    expect(thrown).toBeUndefined();
  });
});

describe("errors", () => {
  it("name the place and keep the fields", () => {
    const e = new BtfError("member offset past end of struct", { input: "a.o", section: ".BTF", typeId: 42, offset: 0x1a4 });
    expect(e.message).toBe("member offset past end of struct (a.o, section .BTF, type id 42, offset 0x1a4)");
    expect(e.typeId).toBe(42);
    expect(isBtfError(e)).toBe(true);
    expect(isBtfError(new Error("x"))).toBe(false);
  });

  it("verifier errors keep the whole log and show its tail", () => {
    const log = Array.from({ length: 40 }, (_, i) => `${i}: insn`).join("\n") + "\nR1 invalid mem access 'scalar'\nprocessed 3 insns\n";
    const e = new VerifierError("bad_prog", 13, "EACCES", log);
    expect(e.log).toBe(log);
    expect(e.message).toContain("R1 invalid mem access 'scalar'");
    expect(e.message).not.toMatch(/^0: insn$/m);
  });
});
