import { describe, expect, test } from "vitest";
import { type CombineFn, type KV } from "../../sdk/index.js";
import { combine } from "../../transforms/index.js";
import { build, combineFnOf, memory, runCombine, shape, step } from "./harness.js";

/** Concatenation in sorted order, so the result does not depend on how inputs were split. */
const joinWords: CombineFn<string, string[], string> = {
  createAccumulator: () => [],
  addInput: (acc, x) => [...acc, x],
  mergeAccumulators: (accs) => [...accs].flat(),
  extractOutput: (acc) => [...acc].sort().join(" "),
};

describe("combine", () => {
  test("globally and perKey record a user combiner, without retraction unless it has retract", () => {
    const built = build((p) => {
      p.read("W", memory<string>()).apply("All", combine.globally(joinWords));
      p.read("KV", memory<KV<number, string>>()).pipe(combine.perKey(joinWords));
    });
    expect(shape(built)).toEqual([
      ["W", "read", "read"],
      ["All", "combineGlobally", "combine.globally"],
      ["KV", "read", "read"],
      ["combine.perKey@4", "combinePerKey", "combine.perKey"],
    ]);
    const s = step(built, "All");
    expect(s.kind === "combineGlobally" && s.combiner).toEqual({ kind: "user", canRetract: false });
    expect(runCombine(combineFnOf(built, "All"), ["c", "a", "b"])).toBe("a b c");
    expect(combineFnOf(built, "combine.perKey@4")).toBe(joinWords);
  });
});
