import { describe, expect, test } from "vitest";
import { type KV, kv } from "../../sdk/index.js";
import { coGroupByKey } from "../../transforms/index.js";
import { build, composite, doFnOf, groupKVs, memory, outputs, shape, step } from "./harness.js";

const orders = memory<KV<string, number>>();
const users = memory<KV<string, { name: string }>>();

describe("coGroupByKey", () => {
  test("is a composite: tag each input, flatten, group by key, untag", () => {
    const built = build((p) => coGroupByKey({ orders: p.read("O", orders), users: p.read("U", users) }, "ByUser"));
    expect(shape(built).slice(2)).toEqual([
      ["ByUser/Tag[orders]", "parDo", "coGroupByKey.tag"],
      ["ByUser/Tag[users]", "parDo", "coGroupByKey.tag"],
      ["ByUser/Flatten", "flatten", "flatten"],
      ["ByUser/GroupByKey", "groupByKey", "groupByKey"],
      ["ByUser/Untag", "parDo", "coGroupByKey.untag"],
    ]);
    const o = step(built, "O").outputs.main;
    const u = step(built, "U").outputs.main;
    expect(composite(built, "ByUser")).toEqual({
      name: "ByUser",
      derivedName: false,
      transform: "coGroupByKey",
      params: { tags: ["orders", "users"] },
      parent: null,
      inputs: [o, u],
      outputs: { main: step(built, "ByUser/Untag").outputs.main },
    });
    expect(step(built, "ByUser/Flatten").inputs).toEqual([
      step(built, "ByUser/Tag[orders]").outputs.main,
      step(built, "ByUser/Tag[users]").outputs.main,
    ]);
  });

  test("a derived name comes from the position in the pipeline", () => {
    const built = build((p) => coGroupByKey({ a: p.read("O", orders) }));
    expect(built.graph.composites.map((c) => c.name)).toEqual(["coGroupByKey@2"]);
    expect(step(built, "coGroupByKey@2/Untag").derivedName).toBe(true);
  });

  test("tagging, grouping and untagging give every tag an array, empty when the key has none", async () => {
    const built = build((p) => coGroupByKey({ orders: p.read("O", orders), users: p.read("U", users) }, "C"));
    const tagged = [
      ...(await outputs(doFnOf(built, "C/Tag[orders]"), [kv("ann", 3), kv("bob", 5), kv("ann", 4)])),
      ...(await outputs(doFnOf(built, "C/Tag[users]"), [kv("ann", { name: "Ann" }), kv("cat", { name: "Cat" })])),
    ];
    expect(tagged[0]).toEqual(kv("ann", { tag: "orders", value: 3 }));
    expect(await outputs(doFnOf(built, "C/Untag"), groupKVs(tagged))).toEqual([
      kv("ann", { orders: [3, 4], users: [{ name: "Ann" }] }),
      kv("bob", { orders: [5], users: [] }),
      kv("cat", { orders: [], users: [{ name: "Cat" }] }),
    ]);
  });

  test("no inputs is a clear error", () => {
    expect(() => coGroupByKey({}, "Empty")).toThrow('coGroupByKey "Empty" needs at least one input collection');
  });
});
