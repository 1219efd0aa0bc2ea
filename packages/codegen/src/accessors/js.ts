import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

// Loaded on first use: the TypeScript compiler takes about a second to load, and only
// --target js needs it.
let tsMorph: typeof TsMorph | undefined;
function loadTsMorph(): typeof TsMorph {
  tsMorph ??= createRequire(import.meta.url)("ts-morph") as typeof TsMorph;
  return tsMorph;
}

/**
 * toJavaScript compiles a generated TypeScript module into JavaScript plus a declaration
 * file, for plain-JavaScript users (`--target js`), with the TypeScript compiler that
 * ts-morph ships. Generated modules annotate every export, so they satisfy
 * `isolatedDeclarations` and both files come from one-file transpiles: no type check of
 * `@bpf-skel/sdk`, and seconds faster than a full program emit on vmlinux-sized modules.
 */
export function toJavaScript(source: string, fileName = "accessors.ts"): { js: string; dts: string } {
  const { ts } = loadTsMorph();
  const base = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    verbatimModuleSyntax: true,
    strict: true,
    newLine: ts.NewLineKind.LineFeed,
  };
  const js = ts.transpileModule(source, { compilerOptions: base, fileName, reportDiagnostics: true });
  const dts = ts.transpileDeclaration(source, {
    compilerOptions: { ...base, declaration: true, isolatedDeclarations: true },
    fileName,
    reportDiagnostics: true,
  });
  const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])];
  if (problems.length > 0) {
    const text = problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n");
    throw new Error(`TypeScript could not compile the generated ${fileName}:\n${text}`);
  }
  return { js: js.outputText, dts: dts.outputText };
}
