import { mkdtempSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { cli, fakeRunner } from "./support.js";

const FIXTURES = "test/cli/fixtures";
const COUNTS = `${FIXTURES}/counts.ts`;
const UNBOUNDED = `${FIXTURES}/unbounded.ts`;

describe("beamline run: flags", () => {
  test("runner flags are taken out before the pipeline's options, in either spelling and anywhere", async () => {
    const runner = fakeRunner();
    const r = await cli(
      ["run", "--parallelism", "3", COUNTS, "--input=in/*.txt", "--memory-limit=512MiB", "--temp-dir", "spill", "--runner=local"],
      { runner },
    );
    expect(r.stderr).not.toContain("unknown option");
    expect(r.code).toBe(0);
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]).toMatchObject({ parallelism: 3, memoryLimit: "512MiB", tempDir: path.resolve("spill") });
  });

  test("parallelism defaults to the number of cores", async () => {
    const runner = fakeRunner();
    await cli(["run", COUNTS, "--input=x"], { runner });
    expect(runner.calls[0]?.parallelism).toBe(os.availableParallelism());
    expect(runner.calls[0]).not.toHaveProperty("memoryLimit");
  });

  test("an unknown runner exits 2 naming it and the choices, before loading the module", async () => {
    const runner = fakeRunner();
    const r = await cli(["run", `${FIXTURES}/no-such-pipeline.ts`, "--runner=spark"], { runner });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toBe('beamline run: --runner: unknown runner "spark" (expected one of: local, stream)\n');
    expect(runner.calls).toHaveLength(0);
  });

  test("parallelism must be a positive whole number; every bad flag is listed at once", async () => {
    for (const bad of ["0", "-1", "1.5", "two"]) {
      const r = await cli(["run", COUNTS, "--input=x", `--parallelism=${bad}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--parallelism: must be a positive whole number (got "${bad}")`);
    }
    const r = await cli(["run", COUNTS, "--parallelism=0", "--memory-limit=lots", "--runner=x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^beamline run: 3 problems:\n {2}--runner: .*\n {2}--parallelism: .*\n {2}--memory-limit: .*"lots"/);
  });

  test("a runner flag without a value is a usage error", async () => {
    const r = await cli(["run", COUNTS, "--input=x", "--parallelism"]);
    expect(r).toMatchObject({ code: 2, stderr: "beamline run: --parallelism needs a value: a positive whole number\n" });
  });

  test("--runner=stream runs on the stream runner with its own flags", async () => {
    const runner = fakeRunner();
    const r = await cli(
      [
        "run",
        COUNTS,
        "--input=x",
        "--runner=stream",
        "--parallelism=2",
        "--checkpoint-dir=ck",
        "--checkpoint-interval=200ms",
        "--buffer-timeout=5",
        "--max-restarts=1",
      ],
      { runner },
    );
    expect(r.code).toBe(0);
    expect(runner.calls).toHaveLength(0);
    expect(runner.streamCalls[0]).toMatchObject({
      parallelism: 2,
      checkpointIntervalMs: 200,
      bufferTimeoutMs: 5,
      maxRestarts: 1,
      checkpointDir: path.resolve("ck"),
    });
    expect(r.stderr).toContain("finished in 5 ms (2 checkpoints, 0 restarts, 0 dropped late)");
  });

  test("bad stream flags are usage errors, all listed", async () => {
    const r = await cli(["run", COUNTS, "--runner=stream", "--checkpoint-interval=fast", "--restore=latest"], {
      runner: fakeRunner(),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--checkpoint-interval: must be a duration such as 200ms, 10s or 1m (got "fast")');
    expect(r.stderr).toContain("--restore=latest: needs --checkpoint-dir");
  });

  test("an unbounded pipeline defaults to the stream runner", async () => {
    const runner = fakeRunner();
    const r = await cli(["run", UNBOUNDED], { runner });
    expect(r.code).toBe(0);
    expect(runner.calls).toHaveLength(0);
    expect(runner.streamCalls).toHaveLength(1);
  });

  test("--runner=local runs an unbounded pipeline on the local runner anyway", async () => {
    const runner = fakeRunner();
    const r = await cli(["run", UNBOUNDED, "--runner=local"], { runner });
    expect(r.code).toBe(0);
    expect(runner.calls).toHaveLength(1);
  });

  test("missing pipeline options exit 2 listing them, and never mention the runner flags", async () => {
    const r = await cli(["run", COUNTS, "--parallelism=2", "--runner=local", "--colour=blue"], { runner: fakeRunner() });
    expect(r).toMatchObject({ code: 2, stdout: "" });
    expect(r.stderr).toContain('invalid options for pipeline "fixture-counts" (2 problems)');
    expect(r.stderr).toContain("--input: required option is missing");
    expect(r.stderr).toContain("--colour: unknown option (known: --input, --output, --window-minutes)");
    expect(r.stderr).not.toContain("parallelism");
  });

  test("an invalid pipeline exits 2 listing its problems", async () => {
    const r = await cli(["run", `${FIXTURES}/invalid.ts`, "--runner=local"], { runner: fakeRunner() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipeline "fixture-invalid" is invalid (3 problems)');
  });

  test("without a module it is a usage error; --help prints the usage", async () => {
    const r = await cli(["run", "--runner=local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("run needs a pipeline module");
    const help = await cli(["run", "--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toContain("Usage: beamline run <module> [--runner=local|stream] [--parallelism=N]");
  });
});

describe("beamline run: progress, summary and failures", () => {
  test("not on a terminal: nothing during the run, then the summary on stderr", async () => {
    const r = await cli(["run", COUNTS, "--input=x"], { runner: fakeRunner() });
    expect(r).toMatchObject({ code: 0, stdout: "", terminal: "" });
    expect(r.stderr).toBe(
      [
        "stage-1  ReadLines → Split → Pair   1,200 in → 34,567 out  250 ms",
        "stage-2  Count → Format → Write    34,567 in →    890 out   1.5 s",
        "total: 1.8 s, 3 late elements dropped, 2 elements dropped after their window closed, 1 dead letter",
        "",
      ].join("\n"),
    );
  });

  test("on a terminal: a line per stage while it runs, cleared before the summary", async () => {
    const r = await cli(["run", COUNTS, "--input=x"], { runner: fakeRunner(), tty: true });
    expect(r.code).toBe(0);
    expect(r.terminal).toMatch(/stage-1 +ReadLines → Split → Pair +777 in → +4\.3K out +7\.8K rows\/s/);
    expect(r.terminal).toContain("stage-2");
    expect(r.terminal.endsWith("\x1B[0J")).toBe(true);
    expect(r.stderr).toContain(
      "total: 1.8 s, 3 late elements dropped, 2 elements dropped after their window closed, 1 dead letter\n",
    );
  });

  test("a failed run exits 1 with the error's message, and its stack only with BEAMLINE_DEBUG=1", async () => {
    const runner = fakeRunner((options) => {
      options.observer?.planned?.([]);
      return Promise.reject(new Error('step "Format": boom'));
    });
    const r = await cli(["run", COUNTS, "--input=x"], { runner, tty: true });
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toBe('beamline run: pipeline "fixture-counts" failed: step "Format": boom\n');

    const debug = await cli(["run", COUNTS, "--input=x"], { runner, env: { BEAMLINE_DEBUG: "1" } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/failed: Error: step "Format": boom\n {4}at /);
  });
});

describe("beamline run: the local runner", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  // Passes once runners/local's runLocal works (issue #4).
  test("runs examples/wordcount.ts over a directory of text files", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "beamline-cli-"));
    mkdirSync(path.join(dir, "in"));
    writeFileSync(path.join(dir, "in", "a.txt"), "the cat\nthe hat\n");
    writeFileSync(path.join(dir, "in", "b.txt"), "a cat's hat\n");
    const r = await cli([
      "run",
      "examples/wordcount.ts",
      `--input=${path.join(dir, "in", "*.txt")}`,
      `--output=${path.join(dir, "out")}`,
      "--parallelism=1",
    ]);
    expect(r.stderr).toContain("total: ");
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, "out", "part-00000-of-00001.txt"))).toBe(true);
  });
});
