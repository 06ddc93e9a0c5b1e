import { describe, expect, test } from "vitest";
import { runLocal } from "../../runners/local/index.js";
import { Pipeline, fixedWindows, kv, parDo, windowInto } from "../../sdk/index.js";
import { count, flatMap, map, sum } from "../../transforms/index.js";
import { collector, valuesOf } from "./support.js";
import { z } from "zod";

describe("local runner", () => {
  test("word count in the global window", async () => {
    const out = collector<string>();
    const def = Pipeline.define("wc", z.object({}), (p) =>
      p
        .read("Read", valuesOf(["a b a", "c a b"], { chunk: 1 }))
        .pipe(
          flatMap((l: string) => l.split(" ")),
          count.perElement(),
          map(({ key, value }) => `${key}\t${value}`),
        )
        .write("Out", out.sink),
    );
    const summary = await runLocal(def.build({}), { parallelism: 1 });
    expect(out.values.sort()).toEqual(["a\t3", "b\t2", "c\t1"]);
    expect(out.committed()).toBe(true);
    expect(summary.stages.length).toBeGreaterThan(1);
  });

  test("fixed windows over timestamped input, panes ON_TIME at the end", async () => {
    const out = collector<unknown>();
    const def = Pipeline.define("win", z.object({}), (p) =>
      p
        .read("Read", valuesOf([1, 2, 3, 4], { timestamps: [1, 5, 12, 19] }))
        .pipe(
          windowInto(fixedWindows(10)),
          map((x: number) => kv("k", x)),
          sum.perKey(),
          parDo<{ key: string; value: number }, unknown>({
            process: (e, ctx) => ctx.output({ ...e, w: ctx.window.start, t: ctx.timestamp, timing: ctx.pane.timing }),
          }),
        )
        .write("Out", out.sink),
    );
    await runLocal(def.build({}), { parallelism: 1 });
    expect(out.values).toEqual([
      { key: "k", value: 3, w: 0, t: 9, timing: "ON_TIME" },
      { key: "k", value: 7, w: 10, t: 19, timing: "ON_TIME" },
    ]);
  });
});
