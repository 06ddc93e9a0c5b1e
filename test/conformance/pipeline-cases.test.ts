import { describe, expect, test } from "vitest";
import { DEFAULT_WINDOWING, type StepNode } from "../../sdk/index.js";
import { type ConformanceCase } from "./case.js";
import { allCases } from "./cases/index.js";
import { collectIdsOf } from "./runner-case.js";
import { caseToPipeline, collectIdOf } from "./pipeline-cases.js";

// The #3 cases as pipelines (no runner): each builds, with the case's source, strategy and aggregation.

const AGGREGATE_KINDS: Record<ConformanceCase["aggregate"], string> = {
  list: "groupByKey",
  sum: "sum.perKey",
  count: "count.perKey",
  mean: "mean.perKey",
  min: "min.perKey",
  max: "max.perKey",
  countDistinct: "combine.perKey",
};

const stepNamed = (steps: readonly StepNode[], name: string): StepNode => {
  const s = steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name} in ${steps.map((x) => x.name).join(", ")}`);
  return s;
};

describe("the #3 cases as pipelines", () => {
  test.each(allCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { graph } = caseToPipeline(c).buildFromArgs({});
    expect(graph.steps.map((s) => s.name)).toEqual(["Read", "Window", "Aggregate", "Record", "Collect"]);

    const read = stepNamed(graph.steps, "Read");
    if (read.kind !== "read") throw new Error("Read is not a read");
    if (c.partitions)
      expect(read).toMatchObject({
        source: { kind: "testStream", params: { partitions: c.partitions.count } },
        maxDelay: c.partitions.maxDelay ?? 0,
        idleTimeout: c.partitions.idleTimeout ?? null,
      });
    else if (read.source.kind === "testStream") expect(read.source.params).toMatchObject({ partitions: null });
    // Only the global window with the default trigger, which an unbounded input may not group, reads a bounded source.
    else
      expect([read.source.kind, c.windowing.windowFn.kind, c.windowing.trigger?.kind]).toEqual(["memory", "global", "default"]);

    expect(stepNamed(graph.steps, "Window")).toMatchObject({
      kind: "windowInto",
      strategy: { ...DEFAULT_WINDOWING, ...c.windowing },
    });
    expect(stepNamed(graph.steps, "Aggregate").transform).toBe(AGGREGATE_KINDS[c.aggregate]);
    expect(collectIdsOf(caseToPipeline(c).buildFromArgs({}))).toEqual([collectIdOf(c)]);
  });
});
