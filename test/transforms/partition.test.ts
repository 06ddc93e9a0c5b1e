import { describe, expect, test } from "vitest";
import { partition } from "../../transforms/index.js";
import { build, doFnOf, memory, runDoFn, shape, step } from "./harness.js";

describe("partition", () => {
  test("is one parDo with params {n} and one output per partition, returned in index order", () => {
    let parts: readonly unknown[] = [];
    const built = build((p) => {
      parts = p.read("R", memory<number>()).apply(
        "Split",
        partition(3, (x: number, n) => x % n),
      );
    });
    expect(shape(built)).toEqual([
      ["R", "read", "read"],
      ["Split", "parDo", "partition"],
    ]);
    const s = step(built, "Split");
    expect(s.params).toEqual({ n: 3 });
    expect(Object.keys(s.outputs).sort()).toEqual(["0", "1", "2", "main"]);
    expect(parts).toHaveLength(3);
    expect(parts.map((pc) => (pc as { id: string }).id)).toEqual([s.outputs["0"], s.outputs["1"], s.outputs["2"]]);
    expect(built.graph.collections.filter((c) => c.producer === "Split").map((c) => c.tag)).toEqual(["main", "0", "1", "2"]);
  });

  test("routes each element to the output its index names", async () => {
    const built = build((p) => p.read("R", memory<number>()).pipe(partition(3, (x: number, n) => x % n)));
    const emitted = await runDoFn(doFnOf(built, "partition@2"), [4, 9, 5, 3, 7]);
    expect(emitted.map((e) => [e.tag, e.value])).toEqual([
      ["1", 4],
      ["0", 9],
      ["2", 5],
      ["0", 3],
      ["1", 7],
    ]);
  });

  test("an index out of range fails the element, naming the index and n", async () => {
    const built = build((p) =>
      p.read("R", memory<number>()).apply(
        "Split",
        partition(2, (x: number) => x),
      ),
    );
    await expect(runDoFn(doFnOf(built, "Split"), [1, 2])).rejects.toThrow(
      "partition function returned 2, but there are 2 partitions (indexes 0 to 1)",
    );
    await expect(runDoFn(doFnOf(built, "Split"), [-1])).rejects.toThrow(/returned -1/);
    await expect(runDoFn(doFnOf(built, "Split"), [0.5])).rejects.toThrow(/returned 0\.5/);
  });

  test("n must be a positive whole number", () => {
    expect(() => partition(0, () => 0)).toThrow("partition needs a positive whole number of partitions, got 0");
  });
});
