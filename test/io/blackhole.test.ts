import { describe, expect, test } from "vitest";
import { z } from "zod";
import { blackhole, memory } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import { Pipeline } from "../../sdk/index.js";
import { filter } from "../../transforms/index.js";
import { writeShards } from "./helpers.js";

describe("blackhole", () => {
  test("a pipeline writing into it succeeds, and the summary counts the elements that reached it", async () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const built = Pipeline.define("blackhole", z.object({}), (p) =>
      p
        .read("Numbers", memory.create(values))
        .apply(filter((n: number) => n % 2 === 0, "Even"))
        .write("Drop", blackhole()),
    ).build({});
    const summary = await runLocal(built, { parallelism: 1 });
    expect(summary.stages).toHaveLength(1);
    expect(summary.stages[0]).toMatchObject({ rowsIn: 10_000, rowsOut: 5_000 });
  });

  test("takes the suggested shards, keeps nothing and commits as a no-op", async () => {
    const sink = blackhole();
    expect(sink).toMatchObject({ kind: "blackhole", params: null });
    expect(sink.writing!.shards(3)).toBe(3);
    const pending = await writeShards(sink, [[1, 2], ["a"], [{ x: 1 }]]);
    expect(pending).toEqual([null, null, null]);
    await sink.writing!.commit(pending, { step: "Write" });
  });
});
