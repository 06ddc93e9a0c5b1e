import { describe, expect, test } from "vitest";
import { type CombineFn, type KV, fixedWindows, graphToJson, loadGraph, minutes, windowInto } from "../../sdk/index.js";
import * as transforms from "../../transforms/index.js";
import { build, memory } from "./harness.js";

const {
  asyncMap,
  coGroupByKey,
  combine,
  count,
  distinct,
  filter,
  flatMap,
  flatten,
  join,
  keys,
  map,
  max,
  mean,
  min,
  partition,
  reshuffle,
  sum,
  top,
  values,
  withKeys,
  withTimestamps,
} = transforms;

describe("transforms/index", () => {
  test("exports every transform", () => {
    expect(Object.keys(transforms).sort()).toEqual(
      [
        "asyncMap",
        "coGroupByKey",
        "combine",
        "count",
        "distinct",
        "filter",
        "flatMap",
        "flatten",
        "join",
        "keys",
        "map",
        "max",
        "mean",
        "min",
        "partition",
        "reshuffle",
        "sum",
        "top",
        "values",
        "withKeys",
        "withTimestamps",
      ].sort(),
    );
  });

  test("a pipeline using all of them, on an unbounded windowed input, validates and survives a JSON round trip", () => {
    const built = build((p) => {
      const events = p.read("Events", memory<{ user: string; n: number; at: number }>(false)).pipe(
        withTimestamps((e) => e.at),
        windowInto(fixedWindows(minutes(1))),
        reshuffle(),
      );
      const pairs = events.pipe(
        filter((e) => e.n > 0),
        asyncMap(async (e) => e),
        withKeys((e) => e.user),
        map((e): KV<string, number> => ({ key: e.key, value: e.value.n })),
      );
      const [small, big] = pairs.apply(
        "Split",
        partition(2, (e) => (e.value < 10 ? 0 : 1)),
      );
      const all = flatten([small!, big!], "Merge");
      all.pipe(sum.perKey(), values(), mean.globally());
      all.pipe(count.perKey(), keys(), distinct(), count.perElement(), count.globally());
      all.pipe(
        min.perKey(),
        values(),
        flatMap((v) => (v === null ? [] : [v])),
        max.globally(),
      );
      all.pipe(
        top.largestPerKey(3),
        values(),
        flatMap((xs) => xs),
        top.of(2, (a, b) => a - b),
      );
      all.pipe(combine.perKey(sumOf));
      const names = events.pipe(map((e) => ({ key: e.user, value: e.at })));
      join.inner(all, names, "Inner");
      join.left(all, names, "Left");
      join.full(all, names, "Full");
      coGroupByKey({ all, names }, "Co");
    });
    expect(loadGraph(graphToJson(built.graph))).toEqual(built.graph);
    expect(built.graph.steps.length).toBeGreaterThan(40);
  });
});

const sumOf: CombineFn<number, number, number> = {
  createAccumulator: () => 0,
  addInput: (a, x) => a + x,
  mergeAccumulators: (as) => [...as].reduce((a, b) => a + b, 0),
  extractOutput: (a) => a,
};
