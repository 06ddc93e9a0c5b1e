import { describe, expect, test } from "vitest";
import { memory } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import { type ExpectedPane } from "./case.js";
import { allCases } from "./cases/index.js";
import { byKeyAndWindow } from "./driver.js";
import { caseToPipeline, collectIdOf } from "./pipeline-cases.js";
import { comparable } from "./runner-case.js";
import { allRunnerCases } from "./runner-cases/index.js";

// Conformance on the local runner: every #3 semantic case as a pipeline, and every runner-level case.

describe("local runner: the #3 cases as pipelines", () => {
  test.each(allCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const id = collectIdOf(c);
    memory.clear(id);
    const summary = await runLocal(caseToPipeline(c).buildFromArgs({}), { parallelism: 1 });
    expect(byKeyAndWindow(memory.results<ExpectedPane>(id))).toEqual(byKeyAndWindow(c.expected));
    expect(summary.droppedLate).toBe(c.droppedLate ?? 0);
    if (c.droppedClosed !== undefined) expect(summary.droppedClosed).toBe(c.droppedClosed);
  });
});

describe.each([1, 2])("local runner, parallelism %i: runner-level cases", (parallelism) => {
  test.each(allRunnerCases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    for (const id of Object.keys(c.outputs)) memory.clear(id);
    await runLocal(c.pipeline.buildFromArgs(c.args ?? {}), { parallelism });
    for (const [id, expected] of Object.entries(c.outputs))
      expect(comparable(memory.results(id), c.ordered), `memory.collect("${id}")`).toEqual(comparable(expected, c.ordered));
  });
});
