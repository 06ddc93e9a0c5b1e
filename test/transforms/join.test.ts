import { describe, expect, test } from "vitest";
import { type KV, kv } from "../../sdk/index.js";
import { coGroupByKey, join } from "../../transforms/index.js";
import { build, composite, doFnOf, memory, outputs, shape, step } from "./harness.js";

const left = memory<KV<string, number>>();
const right = memory<KV<string, string>>();

/** One key's coGroupByKey result, as the join's Pair step receives it. */
const grouped = (key: string, l: number[], r: string[]) => kv(key, { left: l, right: r });
const cases = [grouped("both", [1, 2], ["x", "y"]), grouped("onlyLeft", [3], []), grouped("onlyRight", [], ["z"])];

describe("join", () => {
  test.each([
    ["inner", join.inner],
    ["left", join.left],
    ["full", join.full],
  ] as const)("%s is a composite of its own kind over coGroupByKey", (kind, fn) => {
    const built = build((p) => fn(p.read("L", left), p.read("R", right), "J"));
    expect(shape(built).slice(2)).toEqual([
      ["J/CoGroupByKey/Tag[left]", "parDo", "coGroupByKey.tag"],
      ["J/CoGroupByKey/Tag[right]", "parDo", "coGroupByKey.tag"],
      ["J/CoGroupByKey/Flatten", "flatten", "flatten"],
      ["J/CoGroupByKey/GroupByKey", "groupByKey", "groupByKey"],
      ["J/CoGroupByKey/Untag", "parDo", "coGroupByKey.untag"],
      ["J/Pair", "parDo", "flatMap"],
    ]);
    // Composites complete inside out: the coGroupByKey before the join.
    expect(built.graph.composites.map((c) => [c.name, c.transform, c.parent])).toEqual([
      ["J/CoGroupByKey", "coGroupByKey", "J"],
      ["J", `join.${kind}`, null],
    ]);
    expect(composite(built, "J")).toMatchObject({
      inputs: [step(built, "L").outputs.main, step(built, "R").outputs.main],
      outputs: { main: step(built, "J/Pair").outputs.main },
    });
  });

  test("a derived join name counts from the pipeline root", () => {
    const built = build((p) => join.inner(p.read("L", left), p.read("R", right)));
    expect(built.graph.composites.map((c) => c.name)).toEqual(["join.inner@3/CoGroupByKey", "join.inner@3"]);
  });

  test("inner pairs every left value with every right value of a key, and drops unmatched keys", async () => {
    const built = build((p) => join.inner(p.read("L", left), p.read("R", right), "J"));
    expect(await outputs(doFnOf(built, "J/Pair"), cases)).toEqual([
      kv("both", [1, "x"]),
      kv("both", [1, "y"]),
      kv("both", [2, "x"]),
      kv("both", [2, "y"]),
    ]);
  });

  test("left keeps unmatched left values with a null right", async () => {
    const built = build((p) => join.left(p.read("L", left), p.read("R", right), "J"));
    expect((await outputs(doFnOf(built, "J/Pair"), cases)).slice(4)).toEqual([kv("onlyLeft", [3, null])]);
  });

  test("full keeps unmatched values of both sides with null on the missing side", async () => {
    const built = build((p) => join.full(p.read("L", left), p.read("R", right), "J"));
    expect((await outputs(doFnOf(built, "J/Pair"), cases)).slice(4)).toEqual([
      kv("onlyLeft", [3, null]),
      kv("onlyRight", [null, "z"]),
    ]);
  });

  test("the Pair step reads the coGroupByKey output that the Untag step builds", async () => {
    const built = build((p) => {
      join.full(p.read("L", left), p.read("R", right), "J");
      coGroupByKey({ left: p.read("L2", left), right: p.read("R2", right) }, "C");
    });
    const untagged = await outputs(doFnOf(built, "C/Untag"), [kv("k", [{ tag: "right", value: "r" }])]);
    expect(await outputs(doFnOf(built, "J/Pair"), untagged)).toEqual([kv("k", [null, "r"])]);
  });
});
