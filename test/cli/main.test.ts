import path from "node:path";
import { describe, expect, test } from "vitest";
import { type CliOptions, cli as run, fakeRunner } from "./support.js";

const FIXTURES = "test/cli/fixtures";
const COUNTS = `${FIXTURES}/counts.ts`;

/** Runs the CLI in-process with the real (still unfinished) local runner. */
const cli = (...argv: string[]) => run(argv);

/** The same with a fake local runner that plans two stages. */
const withPlan = (argv: string[], options: CliOptions = {}) => run(argv, { runner: fakeRunner(), ...options });

describe("beamline explain", () => {
  test("prints the plan as text by default", async () => {
    const r = await cli("explain", COUNTS, "--input=in/*.txt");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^pipeline "fixture-counts" \(graph version 1\): bounded\n/);
    expect(r.stdout).toContain("  Words  composite  c1 -> c3\n    Words/Split  flatMap (parDo)  c1 -> c2\n");
    expect(r.stdout).toContain('source: text {"glob":"in/*.txt"}, bounded');
  });

  test("passes the pipeline options through to the module's schema", async () => {
    const r = await cli("explain", COUNTS, "--input=x", "--window-minutes=5", "--output", "elsewhere");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("window: fixed(5m)");
    expect(r.stdout).toContain('sink: text {"dir":"elsewhere"');
  });

  test("prints mermaid and dot, with --format=x or --format x, before or after the module", async () => {
    const mermaid = await cli("explain", COUNTS, "--format=mermaid", "--input=x");
    expect(mermaid).toMatchObject({ code: 0, stderr: "" });
    expect(mermaid.stdout.startsWith("flowchart TD\n")).toBe(true);
    expect(mermaid.stdout).toContain('subgraph g0 ["Words<br/>composite"]');

    const dot = await cli("explain", "--format", "dot", COUNTS, "--input=x");
    expect(dot).toMatchObject({ code: 0, stderr: "" });
    expect(dot.stdout.startsWith('digraph "fixture-counts" {\n')).toBe(true);
    expect(dot.stdout).toContain("subgraph cluster_0 {");
  });

  test("loads a module given by absolute path", async () => {
    const r = await cli("explain", path.resolve(COUNTS), "--input=x");
    expect(r.code).toBe(0);
  });

  test("an unknown format is a usage error", async () => {
    const r = await cli("explain", COUNTS, "--format=svg", "--input=x");
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain('unknown --format "svg" (expected one of: text, mermaid, dot)');
  });

  test("bad, unknown and missing options exit 2 and name each option", async () => {
    const r = await cli("explain", COUNTS, "--window-minutes=soon", "--colour=blue");
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain('invalid options for pipeline "fixture-counts" (3 problems)');
    expect(r.stderr).toMatch(/--window-minutes: .*\(got "soon"\)/);
    expect(r.stderr).toContain("--colour: unknown option (known: --input, --output, --window-minutes)");
    expect(r.stderr).toContain("--input: required option is missing");
  });

  test("a missing module file exits 2 with one line naming the file", async () => {
    const r = await cli("explain", `${FIXTURES}/no-such-pipeline.ts`);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe(
      `beamline explain: cannot find pipeline module ${FIXTURES}/no-such-pipeline.ts (no file at ${path.resolve(FIXTURES, "no-such-pipeline.ts")})\n`,
    );
  });

  test("a directory is not a module", async () => {
    const r = await cli("explain", FIXTURES);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`pipeline module ${FIXTURES} is not a file`);
  });

  test("a module that fails to import exits 2 with one line naming the file and the cause", async () => {
    const r = await cli("explain", `${FIXTURES}/throws.ts`);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe(
      `beamline explain: cannot load pipeline module ${FIXTURES}/throws.ts: fixture failed to initialise second line of detail\n`,
    );
  });

  test("a module whose default export is not a pipeline exits 2 naming the file", async () => {
    const r = await cli("explain", `${FIXTURES}/not-a-pipeline.ts`);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain(`${FIXTURES}/not-a-pipeline.ts does not export a pipeline as default`);
    expect(r.stderr).toContain("export default Pipeline.define(name, optionsSchema, build)");
  });

  test("an invalid pipeline exits 2 listing every problem with its step", async () => {
    const r = await cli("explain", `${FIXTURES}/invalid.ts`);
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain('pipeline "fixture-invalid" is invalid (3 problems)');
    expect(r.stderr).toMatch(/- step "GroupForever": groupByKey of an unbounded collection in the global window/);
    expect(r.stderr).toMatch(/- step "BadSlide": sliding window period 5m is larger than its size 1m/);
    expect(r.stderr).toMatch(/- step "parDo@\d+": a stateful DoFn .* needs a stable name/);
  });

  test("text ends with the local plan: a block per stage with its boundary, engine, inputs and steps", async () => {
    const r = await withPlan(["explain", COUNTS, "--input=x"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/\n {6}sink: text .*\nlocal plan: 2 stages\n/);
    expect(
      r.stdout.endsWith(
        [
          "local plan: 2 stages",
          "  stage-1  boundary: read  inputs: (none)",
          "    ReadLines",
          "    Words/Split",
          "    Words/Pair",
          "  stage-2  boundary: shuffle (duckdb)  inputs: stage-1",
          "    Count",
          "    Format",
          "    Write",
          "",
        ].join("\n"),
      ),
    ).toBe(true);
  });

  test("mermaid and dot show the stages as a subgraph or cluster of their own, linked in plan order", async () => {
    const mermaid = await withPlan(["explain", COUNTS, "--format=mermaid", "--input=x"]);
    expect(mermaid.stdout).toContain(
      '  subgraph plan ["local plan"]\n' +
        '    p0["stage-1<br/>read<br/>ReadLines<br/>Words/Split<br/>Words/Pair"]\n' +
        '    p1["stage-2<br/>shuffle (duckdb)<br/>Count<br/>Format<br/>Write"]\n' +
        "  end\n  p0 ==> p1\n",
    );
    const dot = await withPlan(["explain", COUNTS, "--format=dot", "--input=x"]);
    expect(dot.stdout).toContain('    p0 [label="stage-1\\nread\\nReadLines\\nWords/Split\\nWords/Pair", shape=box];\n');
    expect(dot.stdout).toMatch(/\n {2}subgraph cluster_plan \{\n[^]*\n {2}\}\n {2}p0 -> p1 \[style=bold\];\n\}\n$/);
  });

  test("when planLocal throws, the graph is still printed and the plan is said to be unavailable, with the reason", async () => {
    const runner = {
      ...fakeRunner(),
      planLocal: () => {
        throw new Error("fusion is\nunder construction");
      },
    };
    const text = await run(["explain", COUNTS, "--input=x"], { runner });
    expect(text).toMatchObject({ code: 0, stderr: "" });
    expect(text.stdout).toMatch(/^pipeline "fixture-counts"/);
    expect(text.stdout.endsWith("local plan: unavailable (fusion is under construction)\n")).toBe(true);
    const mermaid = await run(["explain", COUNTS, "--format=mermaid", "--input=x"], { runner });
    expect(mermaid.stdout.endsWith("%% local plan unavailable: fusion is under construction\n")).toBe(true);
    const dot = await run(["explain", COUNTS, "--format=dot", "--input=x"], { runner });
    expect(dot.stdout.endsWith("  // local plan unavailable: fusion is under construction\n}\n")).toBe(true);
  });

  test("without a module it is a usage error", async () => {
    const r = await cli("explain", "--format=dot");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("explain needs a pipeline module");
    expect(r.stderr).toContain("Usage: beamline explain <module>");
  });
});

describe("usage", () => {
  test("--help and help print usage to stdout and exit 0", async () => {
    for (const arg of ["--help", "help", "-h"]) {
      const r = await cli(arg);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      expect(r.stdout).toContain("Usage: beamline <command>");
      expect(r.stdout).toContain("beamline explain <module> [--format=text|mermaid|dot] [pipeline options]");
    }
  });

  test("no arguments print usage to stderr and exit 2", async () => {
    const r = await cli();
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("Usage: beamline <command>");
  });

  test("an unknown command exits 2 naming it", async () => {
    const r = await cli("launch");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "launch"');
  });

  test("explain --help prints the explain usage", async () => {
    const r = await cli("explain", "--help");
    expect(r).toMatchObject({
      code: 0,
      stdout: "Usage: beamline explain <module> [--format=text|mermaid|dot] [pipeline options]\n",
    });
  });
});
