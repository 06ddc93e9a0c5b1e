import { ESLint } from "eslint";
import path from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: ROOT });

/** Lints `code` as if it were the file at `file` (relative to the repo root). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "beamline/layers").map((m) => m.message);
}

describe("the import-direction rule", () => {
  test("fails when sdk/ imports runners/, io/ or an engine", async () => {
    expect(await layerErrors("sdk/x.ts", 'export { toArrowSchema } from "../runners/core/arrow-schema.js";\n')).toEqual([
      expect.stringContaining("sdk/ must not import runners/core/"),
    ]);
    expect(await layerErrors("sdk/x.ts", 'import { text } from "../io/text.js";\nexport const t = text;\n')).toEqual([
      expect.stringContaining("sdk/ must not import io/"),
    ]);
    expect(
      await layerErrors("sdk/x.ts", 'import { DuckDBInstance } from "@duckdb/node-api";\nexport const d = DuckDBInstance;\n'),
    ).toEqual([expect.stringContaining('sdk/ must not import "@duckdb/node-api"')]);
  });

  test("fails when one runner imports another, in either direction", async () => {
    expect(await layerErrors("runners/local/x.ts", 'export * from "../stream/y.js";\n')).toEqual([
      expect.stringContaining("runners/local/ must not import runners/stream/"),
    ]);
    expect(await layerErrors("runners/stream/x.ts", 'export const m = await import("../local/y.js");\n')).toEqual([
      expect.stringContaining("runners/stream/ must not import runners/local/"),
    ]);
    expect(await layerErrors("runners/core/x.ts", 'export * from "../local/y.js";\n')).toEqual([
      expect.stringContaining("runners/core/ must not import runners/local/"),
    ]);
  });

  test("allows the imports DESIGN.md allows", async () => {
    expect(
      await layerErrors("runners/local/x.ts", 'export * from "../core/y.js";\nexport * from "../../sdk/index.js";\n'),
    ).toEqual([]);
    expect(await layerErrors("transforms/x.ts", 'export * from "../sdk/index.js";\n')).toEqual([]);
    expect(await layerErrors("examples/x.ts", 'export * from "../sdk/index.js";\nexport * from "../io/index.js";\n')).toEqual([]);
  });
});
