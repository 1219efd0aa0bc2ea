import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** repo is the checkout root (examples/dist/ or examples/src/ is two levels down). */
export const repo = fileURLToPath(new URL("../../", import.meta.url));

/**
 * workspace makes a temp folder where generated JavaScript can import `@bpf-skel/sdk`
 * (a node_modules link to this checkout's SDK). The caller removes it.
 */
export function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "bpf-skel-demo-"));
  mkdirSync(join(dir, "node_modules", "@bpf-skel"), { recursive: true });
  symlinkSync(join(repo, "packages/sdk"), join(dir, "node_modules", "@bpf-skel", "sdk"), "dir");
  return dir;
}
