import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { memory } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import { runStream } from "../../runners/stream/index.js";
import { type ExpectedPane } from "./case.js";
import { allCases } from "./cases/index.js";
import coreCases from "./core-cases-module.js";
import { byKeyAndWindow } from "./driver.js";
import { collectIdOf } from "./pipeline-cases.js";
import { comparable } from "./runner-case.js";
import { allRunnerCases } from "./runner-cases/index.js";

// Conformance on the stream runner, at parallelism 1 and 2: every case of the shared core (#3)
// as a pipeline, and every runner-level case (#4), each with the output the local runner gives
// for the same pipeline and the output the case expects.

const CORE_MODULE = fileURLToPath(new URL("./core-cases-module.ts", import.meta.url));

describe.each([1, 2])("stream runner, parallelism %i", (parallelism) => {
  describe("the #3 cases as pipelines", () => {
    test.each(allCases.map((c) => [c.name, c] as const))(
      "%s",
      async (_name, c) => {
        const id = collectIdOf(c);
        const built = coreCases.build({ case: c.name });
        memory.clear(id);
        const local = await runLocal(built, { parallelism: 1 });
        const fromLocal = byKeyAndWindow(memory.results<ExpectedPane>(id));
        memory.clear(id);
        const summary = await runStream(built, { parallelism, source: { module: CORE_MODULE, options: built.options } });
        const got = byKeyAndWindow(memory.results<ExpectedPane>(id));
        expect(got).toEqual(byKeyAndWindow(c.expected));
        expect(got).toEqual(fromLocal);
        expect(summary.droppedLate).toBe(local.droppedLate);
        expect(summary.droppedLate).toBe(c.droppedLate ?? 0);
        if (c.droppedClosed !== undefined) expect(summary.droppedClosed).toBe(c.droppedClosed);
      },
      60_000,
    );
  });

  describe("runner-level cases", () => {
    test.each(allRunnerCases.map((c) => [c.name, c] as const))(
      "%s",
      async (_name, c) => {
        const built = c.pipeline.buildFromArgs(c.args ?? {});
        const ids = Object.keys(c.outputs);
        for (const id of ids) memory.clear(id);
        await runLocal(built, { parallelism: 1 });
        const fromLocal = Object.fromEntries(ids.map((id) => [id, comparable(memory.results(id), c.ordered)]));
        for (const id of ids) memory.clear(id);
        await runStream(built, { parallelism, source: { module: fileURLToPath(c.module), options: built.options } });
        for (const [id, expected] of Object.entries(c.outputs)) {
          const got = comparable(memory.results(id), c.ordered);
          expect(got, `memory.collect("${id}")`).toEqual(comparable(expected, c.ordered));
          expect(got, `memory.collect("${id}") against the local runner`).toEqual(fromLocal[id]);
        }
      },
      60_000,
    );
  });
});
