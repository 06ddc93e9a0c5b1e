import { describe, expect, test } from "vitest";
import { kv } from "../../sdk/index.js";
import { distinct } from "../../transforms/index.js";
import { build, combineFnOf, composite, doFnOf, groupKVs, memory, outputs, runCombine, shape, step } from "./harness.js";

describe("distinct", () => {
  test("is a composite: pair with null, combine per key with the built-in any, take the keys", () => {
    const built = build((p) => p.read("R", memory<string>()).apply("Unique", distinct()));
    expect(shape(built).slice(1)).toEqual([
      ["Unique/Pair", "parDo", "map"],
      ["Unique/Combine", "combinePerKey", "combine.perKey"],
      ["Unique/Keys", "parDo", "keys"],
    ]);
    const c = step(built, "Unique/Combine");
    expect(c.kind === "combinePerKey" && c.combiner).toEqual({ kind: "builtin", name: "any", params: null });
    expect(composite(built, "Unique")).toMatchObject({
      transform: "distinct",
      inputs: [step(built, "R").outputs.main],
      outputs: { main: step(built, "Unique/Keys").outputs.main },
    });
  });

  test("its steps together keep each element once", async () => {
    const built = build((p) => p.read("R", memory<string>()).pipe(distinct()));
    const paired = await outputs(doFnOf(built, "distinct@2/Pair"), ["b", "a", "b", "c", "a"]);
    const combined = groupKVs(paired).map((g) => kv(g.key, runCombine(combineFnOf(built, "distinct@2/Combine"), g.value)));
    expect(await outputs(doFnOf(built, "distinct@2/Keys"), combined)).toEqual(["b", "a", "c"]);
  });
});
