import { describe, expect, test } from "vitest";
import wordcount from "../../examples/wordcount.js";
import { type StepRuntime, isPipelineDefinition } from "../../sdk/index.js";

describe("examples/wordcount.ts", () => {
  test("is a pipeline module whose graph reads, counts per word and writes", () => {
    expect(isPipelineDefinition(wordcount)).toBe(true);
    const { graph } = wordcount.buildFromArgs(["--input=in/*.txt", "--output=out"]);
    expect(graph.steps.map((s) => `${s.name}:${s.transform}`)).toEqual([
      "ReadLines:read",
      "ExtractWords:flatMap",
      "CountWords/Pair:map",
      "CountWords/Count:count.perKey",
      "Format:map",
      "WriteCounts:write",
    ]);
  });

  test("splits words as maximal runs of letters, digits and apostrophes, lower-cased", () => {
    const { runtime } = wordcount.buildFromArgs(["--input=x", "--output=y"]);
    const extract = runtime.get("ExtractWords") as Extract<StepRuntime, { kind: "parDo" }>;
    const out: unknown[] = [];
    const ctx = { output: (v: unknown) => out.push(v) } as unknown as Parameters<typeof extract.doFn.process>[1];
    void extract.doFn.process("Don't PANIC: 42 towels, café-au-lait!", ctx);
    expect(out).toEqual(["don't", "panic", "42", "towels", "café", "au", "lait"]);
  });
});
