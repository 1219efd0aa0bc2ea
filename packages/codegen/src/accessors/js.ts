import { Project, ts } from "ts-morph";

/**
 * toJavaScript compiles a generated TypeScript module into JavaScript plus a declaration
 * file, for plain-JavaScript users (`--target js`). It runs the TypeScript compiler on an
 * in-memory copy; `@bpf-skel/sdk` is not resolved, since the output only names it.
 */
export function toJavaScript(source: string, fileName = "accessors.ts"): { js: string; dts: string } {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      declaration: true,
      strict: true,
      skipLibCheck: true,
      noLib: true,
      removeComments: false,
      newLine: ts.NewLineKind.LineFeed,
    },
  });
  project.createSourceFile(`/${fileName}`, source);
  const out = project.emitToMemory();
  let js = "";
  let dts = "";
  for (const f of out.getFiles()) {
    if (f.filePath.endsWith(".d.ts")) dts = f.text;
    else if (f.filePath.endsWith(".js")) js = f.text;
  }
  if (js === "" || dts === "") throw new Error(`TypeScript emitted no output for ${fileName}`);
  return { js, dts };
}
