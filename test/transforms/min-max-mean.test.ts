import { describe, expect, test } from "vitest";
import { type KV } from "../../sdk/index.js";
import { max, mean, min } from "../../transforms/index.js";
import { build, combineFnOf, memory, runCombine, shape, step } from "./harness.js";

describe("min, max, mean", () => {
  test("globally and perKey are one built-in combine step of their kind", () => {
    const built = build((p) => {
      const n = p.read("N", memory<number>());
      const kvs = p.read("KV", memory<KV<string, number>>());
      n.apply("MinG", min.globally());
      kvs.apply("MinK", min.perKey());
      n.apply("MaxG", max.globally());
      kvs.apply("MaxK", max.perKey());
      n.apply("MeanG", mean.globally());
      kvs.apply("MeanK", mean.perKey());
      n.pipe(min.globally());
    });
    expect(shape(built).slice(2)).toEqual([
      ["MinG", "combineGlobally", "min.globally"],
      ["MinK", "combinePerKey", "min.perKey"],
      ["MaxG", "combineGlobally", "max.globally"],
      ["MaxK", "combinePerKey", "max.perKey"],
      ["MeanG", "combineGlobally", "mean.globally"],
      ["MeanK", "combinePerKey", "mean.perKey"],
      ["min.globally@9", "combineGlobally", "min.globally"],
    ]);
    const names = built.graph.steps
      .slice(2)
      .map((s) => (s.kind === "combineGlobally" || s.kind === "combinePerKey" ? s.combiner : null));
    expect(names.map((c) => c?.kind === "builtin" && c.name)).toEqual(["min", "min", "max", "max", "mean", "mean", "min"]);
    expect(step(built, "MinG").params).toBeNull();
  });

  test("the combiners compute the extreme or the mean, and null or NaN of nothing", () => {
    const built = build((p) => {
      const n = p.read("N", memory<number>());
      n.apply("Min", min.globally());
      n.apply("Max", max.globally());
      n.apply("Mean", mean.globally());
      p.read("S", memory<string>()).apply("MinS", min.globally());
    });
    expect(runCombine(combineFnOf(built, "Min"), [3, -1, 7, 2])).toBe(-1);
    expect(runCombine(combineFnOf(built, "Max"), [3, -1, 7, 2])).toBe(7);
    expect(runCombine(combineFnOf(built, "Mean"), [1, 2, 3, 6])).toBe(3);
    expect(runCombine(combineFnOf(built, "MinS"), ["pear", "apple", "fig"])).toBe("apple");
    expect(runCombine(combineFnOf(built, "Min"), [])).toBeNull();
    expect(runCombine(combineFnOf(built, "Mean"), [])).toBeNaN();
  });
});
