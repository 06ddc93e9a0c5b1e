import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import wordcount from "../../examples/wordcount.js";
import { memory } from "../../io/index.js";
import { type RunSummary, type StageInfo, type StageStats, planLocal, runLocal } from "../../runners/local/index.js";
import { Pipeline, type Source } from "../../sdk/index.js";
import { flatten, map, sum } from "../../transforms/index.js";
import { tempDir, valuesOf } from "./support.js";

// What the runner reports while it runs: the planned stages, progress at most every 100 ms,
// and a summary whose per-stage counts follow the data.

/** Everything an observer was told, in order. */
function recorder() {
  const events: (
    | { kind: "planned"; stages: readonly StageInfo[] }
    | { kind: "progress"; at: number; stats: readonly StageStats[] }
    | { kind: "finished"; summary: RunSummary }
  )[] = [];
  return {
    events,
    observer: {
      planned: (stages: readonly StageInfo[]) => void events.push({ kind: "planned", stages }),
      progress: (stats: readonly StageStats[]) => void events.push({ kind: "progress", at: Date.now(), stats }),
      finished: (summary: RunSummary) => void events.push({ kind: "finished", summary }),
    },
  };
}

const TEXT = ["The cat sat.", "", "the CAT's hat, the mat", "42 cats", "hat"];
const WORDS = ["the", "cat", "sat", "the", "cat's", "hat", "the", "mat", "42", "cats", "hat"];

describe("the run observer", () => {
  test("word count: the planned stages, then a summary with rows in and out per stage", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "in.txt"), `${TEXT.join("\n")}\n`);
    const built = wordcount.buildFromArgs([`--input=${path.join(dir, "in.txt")}`, `--output=${path.join(dir, "out")}`]);
    const { events, observer } = recorder();
    const summary = await runLocal(built, { parallelism: 1, observer });

    expect(events[0]).toEqual({ kind: "planned", stages: planLocal(built.graph) });
    expect(events.filter((e) => e.kind === "planned")).toHaveLength(1);
    expect(events.at(-1)).toEqual({ kind: "finished", summary });
    expect(planLocal(built.graph)).toEqual([
      {
        id: "stage-1",
        steps: ["ReadLines", "ExtractWords", "CountWords/Pair"],
        boundary: "read",
        engine: null,
        inputs: [],
      },
      {
        id: "stage-2",
        steps: ["CountWords/Count", "Format", "WriteCounts"],
        boundary: "shuffle",
        engine: "duckdb",
        inputs: ["stage-1"],
      },
    ]);
    const distinct = new Set(WORDS).size;
    expect(summary.stages.map(({ stage, rowsIn, rowsOut }) => ({ stage, rowsIn, rowsOut }))).toEqual([
      { stage: "stage-1", rowsIn: TEXT.length, rowsOut: WORDS.length },
      { stage: "stage-2", rowsIn: WORDS.length, rowsOut: distinct },
    ]);
    for (const s of summary.stages) expect(s.ms).toBeGreaterThanOrEqual(0);
    expect(summary.ms).toBeGreaterThanOrEqual(Math.max(...summary.stages.map((s) => s.ms)));
    expect(summary).toMatchObject({ droppedLate: 0, droppedClosed: 0, deadLetters: 0 });
  });

  test("a flatten starts a stage that counts the rows of both inputs", async () => {
    memory.clear("observer-flatten");
    const built = Pipeline.define("flatten-stats", z.object({}), (p) => {
      const a = p.read("A", valuesOf([1, 2, 3]));
      const b = p.read("B", valuesOf([4, 5, 6, 7]));
      flatten([a, b], "Both")
        .pipe(
          map((x: number) => x * 10, "Times10"),
          sum.globally("Total"),
        )
        .write("Out", memory.collect("observer-flatten"));
    }).build({});
    const { events, observer } = recorder();
    const summary = await runLocal(built, { parallelism: 1, observer });
    const planned = events[0]!.kind === "planned" ? events[0]!.stages : [];
    expect(planned.map((s) => [s.id, s.boundary, s.steps])).toEqual([
      ["stage-1", "read", ["A"]],
      ["stage-2", "read", ["B"]],
      ["stage-3", "flatten", ["Both", "Times10"]],
      ["stage-4", "shuffle", ["Total", "Out"]],
    ]);
    expect(planned[3]!.engine).toBe("js");
    expect(summary.stages.map((s) => [s.stage, s.rowsIn, s.rowsOut])).toEqual([
      ["stage-1", 3, 3],
      ["stage-2", 4, 4],
      ["stage-3", 7, 7],
      ["stage-4", 7, 1],
    ]);
    expect(memory.results("observer-flatten")).toEqual([280]);
  });

  test("progress comes at most every 100 ms while a slow source is read, with counts that only grow", async () => {
    memory.clear("observer-progress");
    const slow: Source<number> = {
      kind: "test-slow",
      bounded: true,
      params: null,
      reading: {
        splits: async () => [{ id: "0", params: null }],
        async *read() {
          for (let i = 0; i < 12; i++) {
            await new Promise((resolve) => setTimeout(resolve, 40));
            yield { values: Array.from({ length: 100 }, (_, j) => i * 100 + j) };
          }
        },
      },
    };
    const built = Pipeline.define("slow", z.object({}), (p) => {
      p.read("Slow", slow).pipe(sum.globally("Total")).write("Out", memory.collect("observer-progress"));
    }).build({});
    const { events, observer } = recorder();
    await runLocal(built, { parallelism: 1, observer });
    const progress = events.flatMap((e) => (e.kind === "progress" ? [e] : []));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(100);
      expect(progress[i]!.stats[0]!.rowsIn).toBeGreaterThanOrEqual(progress[i - 1]!.stats[0]!.rowsIn);
    }
    const seen = progress.map((e) => e.stats[0]!.rowsIn);
    expect(seen.every((n) => n > 0 && n <= 1200 && n % 100 === 0)).toBe(true);
    expect(memory.results("observer-progress")).toEqual([(1200 * 1199) / 2]);
  });
});
