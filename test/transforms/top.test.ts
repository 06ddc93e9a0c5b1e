import { describe, expect, test } from "vitest";
import { type KV } from "../../sdk/index.js";
import { top } from "../../transforms/index.js";
import { build, combineFnOf, memory, runCombine, shape, step } from "./harness.js";

describe("top", () => {
  test("largest, smallest and their per-key forms are one built-in combine with params {n}", () => {
    const built = build((p) => {
      const n = p.read("N", memory<number>());
      const kvs = p.read("KV", memory<KV<string, number>>());
      n.apply("L", top.largest(2));
      n.pipe(top.smallest(3, "S"));
      kvs.apply("LK", top.largestPerKey(2));
      kvs.pipe(top.smallestPerKey(1));
    });
    expect(shape(built).slice(2)).toEqual([
      ["L", "combineGlobally", "top.largest"],
      ["S", "combineGlobally", "top.smallest"],
      ["LK", "combinePerKey", "top.largestPerKey"],
      ["top.smallestPerKey@6", "combinePerKey", "top.smallestPerKey"],
    ]);
    expect(built.graph.steps.slice(2).map((s) => s.params)).toEqual([{ n: 2 }, { n: 3 }, { n: 2 }, { n: 1 }]);
    const s = step(built, "S");
    expect(s.kind === "combineGlobally" && s.combiner).toEqual({
      kind: "builtin",
      name: "top",
      params: { n: 3, order: "smallest" },
    });
    expect(runCombine(combineFnOf(built, "L"), [5, 1, 9, 3, 7])).toEqual([9, 7]);
    expect(runCombine(combineFnOf(built, "S"), [5, 1, 9, 3, 7])).toEqual([1, 3, 5]);
  });

  test("of(n, compare) is a user combiner that keeps the n largest by the comparator, largest first", () => {
    const built = build((p) =>
      p.read("W", memory<string>()).apply(
        "Longest",
        top.of(2, (a: string, b: string) => a.length - b.length),
      ),
    );
    const s = step(built, "Longest");
    expect(s).toMatchObject({ kind: "combineGlobally", transform: "top.of", params: { n: 2 }, combiner: { kind: "user" } });
    expect(runCombine(combineFnOf(built, "Longest"), ["a", "abcd", "ab", "abc", "abcde"])).toEqual(["abcde", "abcd"]);
    expect(runCombine(combineFnOf(built, "Longest"), ["x"])).toEqual(["x"]);
  });

  test("n must be a positive whole number", () => {
    expect(() => top.largest(0)).toThrow(/top\.largest needs a positive whole number n, got 0/);
    expect(() => top.of(1.5, (a: number, b: number) => a - b)).toThrow(/top\.of .* got 1\.5/);
  });
});
