import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runStream } from "../../runners/stream/index.js";
import windowedCount from "./fixtures/windowed-count.js";
import { checkpointsSeen, outputLines, streamCli, writeEvents } from "./support.js";

const cli = (args: readonly string[]) => streamCli(FIXTURE, [`--input=${input}`, ...args]);

// Issue #5's recovery acceptance: a windowed count over 2 million events with a checkpoint every
// 200 ms gives, line for line, an uninterrupted run's output after (1) three SIGKILLs at random
// moments, each followed by --restore=latest; (2) a worker failure, restarted automatically; and
// (3) a SIGTERM savepoint restored with another parallelism.

const FIXTURE = fileURLToPath(new URL("./fixtures/windowed-count.ts", import.meta.url));
const EVENTS = 2_000_000;

let dir: string;
let input: string;
let expected: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "beamline-recovery-"));
  input = await writeEvents(join(dir, "events"), EVENTS);
  const output = join(dir, "uninterrupted");
  const built = windowedCount.build({ input, output, maxDelay: 5_000 });
  const summary = await runStream(built, { parallelism: 2, source: { module: FIXTURE, options: built.options } });
  expect(summary.restarts).toBe(0);
  expected = await outputLines(output);
  // 1,000 keys over 250 one-minute windows (with a few keys missing from some windows).
  expect(expected.length).toBeGreaterThan(240_000);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("stream runner recovery (2M events, checkpoints every 200 ms)", () => {
  test("three SIGKILLs at random moments, each restored with --restore=latest: the same output", async () => {
    const output = join(dir, "killed");
    const checkpoints = join(dir, "killed-checkpoints");
    const flags = [`--output=${output}`, `--checkpoint-dir=${checkpoints}`, "--checkpoint-interval=200ms", "--parallelism=2"];
    const moments: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const run = cli(kill === 0 ? flags : [...flags, "--restore=latest"]);
      // At least one checkpoint of this run, then a random moment up to 1.2 s later.
      await checkpointsSeen(run.stderr, 1, run.exit);
      const ms = Math.floor(Math.random() * 1200);
      moments.push(ms);
      await new Promise((r) => setTimeout(r, ms));
      run.child.kill("SIGKILL");
      expect(await run.exit, `run ${kill} ended before its kill:\n${run.stderr()}`).toBeNull();
      expect(run.stderr()).not.toContain("finished in");
    }
    const last = cli([...flags, "--restore=latest"]);
    expect(await last.exit, last.stderr()).toBe(0);
    expect(last.stderr()).toContain("finished in");
    const got = await outputLines(output);
    expect(got.length, `killed after ${moments.join(", ")} ms`).toBe(expected.length);
    expect(got).toEqual(expected);
  }, 300_000);

  test("a worker failure restarts the job from the last checkpoint: the same output", async () => {
    const output = join(dir, "failed");
    const built = windowedCount.build({ input, output, maxDelay: 5_000 });
    const seen: number[] = [];
    const warnings: string[] = [];
    const summary = await runStream(built, {
      parallelism: 2,
      source: { module: FIXTURE, options: built.options },
      checkpointDir: join(dir, "failed-checkpoints"),
      checkpointIntervalMs: 200,
      restartDelayMs: 50,
      // Worker 1's count fails once it has taken in 100,000 partial counts (the combine is lifted: it
      // takes about 265,000 in the whole run), on the first attempt only.
      failAt: { step: "Count/Count", worker: 1, element: 100_000 },
      onCheckpoint: (c) => seen.push(c.id),
      onWarning: (m) => void warnings.push(m),
    });
    expect(summary.restarts).toBe(1);
    // The cause of the restart is reported, naming the step.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^restart 1 of 3 from checkpoint \d+, after: .*Count\/Count.*injected failure at element 100000/);
    expect(seen.length).toBeGreaterThan(1);
    expect(await outputLines(output)).toEqual(expected);
  }, 300_000);

  test("SIGTERM takes a savepoint; restored with parallelism 1 instead of 2, the same output", async () => {
    const output = join(dir, "rescaled");
    const checkpoints = join(dir, "rescaled-checkpoints");
    const first = cli([
      `--output=${output}`,
      `--checkpoint-dir=${checkpoints}`,
      "--checkpoint-interval=200ms",
      "--parallelism=2",
    ]);
    await checkpointsSeen(first.stderr, 2, first.exit);
    first.child.kill("SIGTERM");
    expect(await first.exit, first.stderr()).toBe(0);
    const savepoint = /stopped with savepoint (\S+)/.exec(first.stderr())?.[1];
    expect(savepoint, first.stderr()).toMatch(/savepoints\/sp-\d+$/);
    const second = cli([`--output=${output}`, `--checkpoint-dir=${checkpoints}`, `--restore=${savepoint}`, "--parallelism=1"]);
    expect(await second.exit, second.stderr()).toBe(0);
    expect(await outputLines(output)).toEqual(expected);
  }, 300_000);
});
