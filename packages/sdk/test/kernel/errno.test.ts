import os from "node:os";
import util from "node:util";
import { describe, expect, it } from "vitest";
import { isBpfSyscallError, isLoaderError } from "../../src/errors/index.js";
import { parseCpuList } from "../../src/kernel/cpus.js";
import { Errno, errnoName, errnoNumber, errnoText } from "../../src/kernel/errno.js";
import { syscallError } from "../../src/kernel/native.js";
import { bpfCommandName } from "../../src/kernel/uapi.js";

// No kernel needed: names and numbers are checked against Node's own tables (libuv's).
describe("errno names", () => {
  it("agree with os.constants.errno and libuv's error map", () => {
    const nodeNames = os.constants.errno as Record<string, number>;
    const uv = util.getSystemErrorMap();
    let checked = 0;
    for (let n = 1; n < 600; n++) {
      const name = errnoName(n);
      if (name === `E${n}`) continue;
      if (name in nodeNames) {
        expect([name, nodeNames[name]]).toEqual([name, n]);
        checked++;
      }
      const known = uv.get(-n);
      if (known !== undefined) expect([n, name]).toEqual([n, known[0] === "ENOTSUP" ? "EOPNOTSUPP" : known[0]]);
    }
    expect(checked).toBeGreaterThan(35);
    for (const [name, n] of Object.entries(Errno)) expect([name, errnoNumber(name)]).toEqual([name, n]);
  });

  it("knows the kernel-internal ENOTSUPP apart from EOPNOTSUPP", () => {
    expect(errnoName(524)).toBe("ENOTSUPP");
    expect(errnoName(95)).toBe("EOPNOTSUPP");
    expect(errnoName(9999)).toBe("E9999");
    expect(errnoText(9999)).toBe("unknown error 9999");
  });

  it("syscall errors read `COMMAND: NAME (text; detail)`", () => {
    const e = syscallError(bpfCommandName(0), 1, "map 'x'");
    expect(isBpfSyscallError(e)).toBe(true);
    expect(e.message).toBe("BPF_MAP_CREATE: EPERM (operation not permitted; map 'x')");
    expect(e).toMatchObject({ command: "BPF_MAP_CREATE", errno: 1, code: "EPERM" });
    expect(bpfCommandName(28)).toBe("BPF_LINK_CREATE");
    expect(bpfCommandName(999)).toBe("BPF_CMD_999");
  });

  it("cpu lists parse like the kernel prints them; junk is a LoaderError", () => {
    expect(parseCpuList("0-1\n")).toEqual([0, 1]);
    expect(parseCpuList("0,2-4,7")).toEqual([0, 2, 3, 4, 7]);
    for (const bad of ["", "a", "3-1", "1,,2"]) {
      let err: unknown;
      try {
        parseCpuList(bad, "possible");
      } catch (e) {
        err = e;
      }
      expect(isLoaderError(err)).toBe(true);
    }
  });
});
