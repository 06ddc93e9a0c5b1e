import { describe, expect, test } from "vitest";
import { z } from "zod";
import { OptionsError, Pipeline, parseFlags } from "../../sdk/index.js";

const Options = z.object({
  input: z.string(),
  output: z.string(),
  windowSeconds: z.int().positive().default(60),
  verbose: z.boolean().default(false),
  mode: z.enum(["fast", "exact"]).default("exact"),
  tags: z.array(z.string()).default([]),
  ratio: z.number().optional(),
});
const def = Pipeline.define("opts", Options, () => {});

const problemsOf = (args: string[]) => {
  try {
    def.parseOptions(args);
  } catch (e) {
    if (e instanceof OptionsError) return e.problems.map((p) => `${p.option}: ${p.message}`);
    throw e;
  }
  throw new Error("expected an OptionsError");
};

describe("pipeline options", () => {
  test("come from --name=value, --name value, --flag and kebab-case names, typed by the schema", () => {
    const o = def.parseOptions([
      "--input=in/*.txt",
      "--output",
      "out",
      "--window-seconds=30",
      "--verbose",
      "--tags=a",
      "--tags=b",
      "--ratio=0.5",
    ]);
    expect(o).toEqual({
      input: "in/*.txt",
      output: "out",
      windowSeconds: 30,
      verbose: true,
      mode: "exact",
      tags: ["a", "b"],
      ratio: 0.5,
    });
    expect(def.parseOptions(["--input=a", "--output=b", "--no-verbose"]).verbose).toBe(false);
  });

  test("apply the schema's defaults", () => {
    expect(def.parseOptions({ input: "a", output: "b" })).toMatchObject({
      windowSeconds: 60,
      verbose: false,
      mode: "exact",
      tags: [],
    });
  });

  test("report every bad, missing or unknown option at once, each by name with the reason", () => {
    expect(problemsOf(["--window-seconds=soon", "--mode=quick", "--colour=red", "stray"])).toEqual([
      'stray: unexpected argument "stray": options are written --name=value',
      expect.stringMatching(/^colour: unknown option \(known: --input, --output, --window-seconds, /),
      expect.stringMatching(/^input: required option is missing/),
      expect.stringMatching(/^output: required option is missing/),
      expect.stringMatching(/^window-seconds: Invalid input: expected number, received string \(got "soon"\)/),
      expect.stringMatching(/^mode: Invalid option: expected one of "fast"\|"exact" \(got "quick"\)/),
    ]);
    expect(problemsOf(["--input=a", "--output=b", "--window-seconds=-5"])).toEqual([
      expect.stringMatching(/^window-seconds: Too small/),
    ]);
  });

  test("the error message lists each option with its flag", () => {
    expect(() => def.parseOptions(["--output=x"])).toThrow(
      /invalid options for pipeline "opts" \(1 problem\):\n {2}--input: required option is missing/,
    );
  });

  test("parseFlags keeps repeated flags and bare values apart", () => {
    expect(parseFlags(["--a=1", "--a=2", "--b", "--c", "x"]).values).toEqual({ a: ["1", "2"], b: true, c: "x" });
  });
});
