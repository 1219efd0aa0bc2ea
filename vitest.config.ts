import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources, not dist, so a test never sees a stale build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@bpf-skel\/sdk\/(.*)$/, replacement: here("./packages/sdk/src/$1/index.ts") },
      { find: /^@bpf-skel\/sdk$/, replacement: here("./packages/sdk/src/index.ts") },
      { find: /^@bpf-skel\/runtime-sim$/, replacement: here("./packages/runtime-sim/src/index.ts") },
      { find: /^@bpf-skel\/codegen$/, replacement: here("./packages/codegen/src/index.ts") },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Kernel tests share one machine-wide kernel: keep files in separate processes but not too many at once.
    pool: "forks",
    maxWorkers: 2,
  },
});
