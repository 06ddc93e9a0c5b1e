import { describe, expect, test } from "vitest";
import { type KV, kv } from "../../sdk/index.js";
import { count } from "../../transforms/index.js";
import { build, combineFnOf, composite, doFnOf, groupKVs, memory, outputs, runCombine, shape, step } from "./harness.js";

describe("count", () => {
  test("globally and perKey are one built-in combine step each", () => {
    const built = build((p) => {
      p.read("R", memory<string>()).pipe(count.globally());
      p.read("P", memory<KV<string, boolean>>()).pipe(count.perKey("ByKey"));
    });
    expect(shape(built)).toEqual([
      ["R", "read", "read"],
      ["count.globally@2", "combineGlobally", "count.globally"],
      ["P", "read", "read"],
      ["ByKey", "combinePerKey", "count.perKey"],
    ]);
    const g = step(built, "count.globally@2");
    expect(g.kind === "combineGlobally" && g.combiner).toEqual({ kind: "builtin", name: "count", params: null });
    expect(g.kind === "combineGlobally" && g.withDefaults).toBe(true);
    expect(runCombine(combineFnOf(built, "ByKey"), ["x", "y", "z"])).toBe(3);
  });

  test("perElement is a composite: pair each element with null, then count per key", async () => {
    const built = build((p) => p.read("R", memory<string>()).pipe(count.perElement("Counts")));
    expect(shape(built).slice(1)).toEqual([
      ["Counts/Pair", "parDo", "map"],
      ["Counts/Count", "combinePerKey", "count.perKey"],
    ]);
    const c = composite(built, "Counts");
    expect(c).toMatchObject({ transform: "count.perElement", parent: null, derivedName: false });
    expect(c.inputs).toEqual([step(built, "R").outputs.main]);
    expect(c.outputs).toEqual({ main: step(built, "Counts/Count").outputs.main });
    expect(step(built, "Counts/Pair").parent).toBe("Counts");

    const paired = await outputs(doFnOf(built, "Counts/Pair"), ["a", "b", "a"]);
    expect(paired).toEqual([kv("a", null), kv("b", null), kv("a", null)]);
    const counted = groupKVs(paired).map((g) => kv(g.key, runCombine(combineFnOf(built, "Counts/Count"), g.value)));
    expect(counted).toEqual([kv("a", 2), kv("b", 1)]);
  });

  test("a composite's children have derived names under a derived parent name", () => {
    const built = build((p) => p.read("R", memory<string>()).pipe(count.perElement()));
    expect(built.graph.composites.map((c) => c.name)).toEqual(["count.perElement@2"]);
    expect(step(built, "count.perElement@2/Count").derivedName).toBe(true);
  });
});
