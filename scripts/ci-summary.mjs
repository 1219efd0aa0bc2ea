// Prints the closing "N passed, M failed" line from vitest's JSON report and exits non-zero
// when the run failed or no report was written. Under CI, skipped tests count as failures.
import { readFileSync } from "node:fs";

const [file, statusArg] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch {
  console.log("no test report written (build or type check failed?)");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
let failed = report.numFailedTests ?? 0;
// A file that failed to load reports no tests; count it.
failed += (report.testResults ?? []).filter((r) => r.status === "failed" && (r.assertionResults ?? []).length === 0).length;
if (process.env.CI === "true" && skipped > 0) {
  console.log(`${skipped} test(s) skipped under CI=true: counted as failures`);
  failed += skipped;
}
const status = Number(statusArg ?? 0);
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
