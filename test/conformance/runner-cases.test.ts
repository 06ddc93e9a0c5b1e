import { describe, expect, test } from "vitest";
import { canonicalJson } from "../../sdk/index.js";
import { collectIdsOf } from "./runner-case.js";
import { allRunnerCases } from "./runner-cases/index.js";

// Checks the runner-level cases themselves (no runner): well formed, and every pipeline builds.

const byName = allRunnerCases.map((c) => [c.name, c] as const);

describe("runner-level cases", () => {
  test("have unique names and say what they check", () => {
    const names = allRunnerCases.map((c) => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(allRunnerCases.filter((c) => !/^[a-z-]+\/[a-z-]+$/.test(c.name) || c.about.length < 20).map((c) => c.name)).toEqual(
      [],
    );
  });

  test("collect into ids no other case uses", () => {
    const ids = allRunnerCases.flatMap((c) => Object.keys(c.outputs));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test.each(byName)("%s builds, the same graph every time, with stable step names", (_name, c) => {
    const built = c.pipeline.buildFromArgs(c.args ?? {});
    expect(c.pipeline.buildFromArgs(c.args ?? {}).hash).toBe(built.hash);
    expect(built.graph.steps.filter((s) => s.derivedName).map((s) => s.name)).toEqual([]);
  });

  test.each(byName)("%s expects every memory.collect its pipeline writes, and no other", (_name, c) => {
    const built = c.pipeline.buildFromArgs(c.args ?? {});
    expect(collectIdsOf(built).sort()).toEqual(Object.keys(c.outputs).sort());
  });

  test.each(byName)("%s states its outputs as JSON values", (_name, c) => {
    for (const [id, expected] of Object.entries(c.outputs))
      expect(JSON.parse(canonicalJson(expected)), `output ${id}`).toStrictEqual(expected);
  });

  test.each(byName)("%s names the module whose default export is its pipeline", async (_name, c) => {
    const module = (await import(c.module)) as { default?: unknown };
    expect(module.default).toBe(c.pipeline);
  });
});
