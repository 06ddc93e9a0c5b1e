import { describe, expect, test } from "vitest";
import { asyncMap } from "../../transforms/index.js";
import { build, doFnOf, memory, outputs, step } from "./harness.js";

describe("asyncMap", () => {
  test("records its concurrency in the graph, 16 and ordered by default", () => {
    const built = build((p) => {
      const r = p.read("R", memory<number>());
      r.pipe(asyncMap(async (x: number) => x + 1));
      r.pipe(asyncMap(async (x: number) => x, { concurrency: 4, ordered: false, name: "Lookup" }));
    });
    expect(step(built, "asyncMap@2")).toMatchObject({
      kind: "parDo",
      transform: "asyncMap",
      concurrency: { limit: 16, ordered: true },
    });
    expect(step(built, "Lookup")).toMatchObject({ transform: "asyncMap", concurrency: { limit: 4, ordered: false } });
  });

  test("its DoFn awaits the function and outputs the result", async () => {
    const built = build((p) =>
      p
        .read("R", memory<number>())
        .pipe(asyncMap((x: number) => new Promise<string>((resolve) => setTimeout(() => resolve(`#${x}`), 1)))),
    );
    expect(await outputs(doFnOf(built, "asyncMap@2"), [1, 2])).toEqual(["#1", "#2"]);
  });

  test("a concurrency that is not a positive whole number is reported when the pipeline is built", () => {
    expect(() =>
      build((p) => p.read("R", memory<number>()).pipe(asyncMap(async (x: number) => x, { concurrency: 0, name: "A" }))),
    ).toThrow(/step "A": concurrency limit must be a positive whole number, got 0/);
  });
});
