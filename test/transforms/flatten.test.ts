import { describe, expect, test } from "vitest";
import { fixedWindows, minutes, windowInto } from "../../sdk/index.js";
import { flatten, map } from "../../transforms/index.js";
import { build, memory, shape, step } from "./harness.js";

describe("flatten", () => {
  test("is one flatten step whose inputs are all the collections, named or derived", () => {
    const built = build((p) => {
      const a = p.read("A", memory<number>());
      const b = p.read("B", memory<number>(false));
      const c = p.read("C", memory<string>()).pipe(map((s: string) => s.length));
      flatten([a, b, c], "All");
      flatten([a, b]);
    });
    expect(shape(built).slice(4)).toEqual([
      ["All", "flatten", "flatten"],
      ["flatten@6", "flatten", "flatten"],
    ]);
    const all = step(built, "All");
    expect(all.inputs).toEqual([step(built, "A").outputs.main, step(built, "B").outputs.main, step(built, "map@4").outputs.main]);
    // One unbounded input makes the result unbounded.
    const out = built.graph.collections.find((x) => x.id === all.outputs.main);
    expect(out?.bounded).toBe(false);
  });

  test("an empty list is a clear error", () => {
    expect(() => flatten([], "Nothing")).toThrow('flatten "Nothing" needs at least one collection, got an empty list');
  });

  test("inputs with different window functions are reported by the validator", () => {
    expect(() =>
      build((p) => {
        const a = p.read("A", memory<number>());
        const b = p.read("B", memory<number>()).pipe(windowInto(fixedWindows(minutes(1))));
        flatten([a, b], "Mixed");
      }),
    ).toThrow(/step "Mixed": flatten inputs have different window functions/);
  });
});
