import path from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../runners/cli/main.js";

const FIXTURES = "test/cli/fixtures";
const COUNTS = `${FIXTURES}/counts.ts`;

/** Runs the CLI in-process and captures what it writes. */
async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

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

  test("without a module it is a usage error", async () => {
    const r = await cli("explain", "--format=dot");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("explain needs a pipeline module");
    expect(r.stderr).toContain("Usage: beamline explain <module>");
  });
});

describe("beamline run", () => {
  test("says the local runner is not there yet and exits 2 without running anything", async () => {
    const r = await cli("run", COUNTS, "--input=in/*.txt");
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain("the local runner is not available yet (issue #4)");
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
