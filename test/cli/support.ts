// Runs the CLI in-process with fake streams and, when a test needs one, a fake local runner.
import { Writable } from "node:stream";
import { type LocalRunner, main } from "../../runners/cli/main.js";
import { type StreamRunOptions } from "../../runners/stream/index.js";
import { type ProgressStream } from "../../runners/cli/progress.js";
import { type LocalRunOptions, type RunSummary, type StageInfo } from "../../runners/local/index.js";

/** A stream that records what is written to it, as an 80-column terminal (`isTTY`) or as a pipe or file. */
export function fakeTerminal(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY, columns: 80 }), text: () => text };
}

export interface CliOptions {
  /** Whether stderr is a terminal (progress is drawn) or not; default not. */
  readonly tty?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly runner?: LocalRunner;
}

/** Runs the CLI in-process and captures what it writes: stdout, stderr and the progress terminal. */
export async function cli(argv: readonly string[], options: CliOptions = {}) {
  let stdout = "";
  let stderr = "";
  const terminal = fakeTerminal(options.tty ?? false);
  const code = await main(
    argv,
    {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      terminal: terminal.stream,
      env: options.env ?? {},
    },
    options.runner,
  );
  return { code, stdout, stderr, terminal: terminal.text() };
}

export const STAGES: readonly StageInfo[] = [
  { id: "stage-1", steps: ["ReadLines", "Words/Split", "Words/Pair"], boundary: "read", engine: null, inputs: [] },
  { id: "stage-2", steps: ["Count", "Format", "Write"], boundary: "shuffle", engine: "duckdb", inputs: ["stage-1"] },
];

export const SUMMARY: RunSummary = {
  stages: [
    { stage: "stage-1", rowsIn: 1200, rowsOut: 34_567, ms: 250 },
    { stage: "stage-2", rowsIn: 34_567, rowsOut: 890, ms: 1500 },
  ],
  ms: 1830,
  droppedLate: 3,
  droppedClosed: 2,
  deadLetters: 1,
};

/**
 * A local runner that plans STAGES and, when run, reports them planned, one round of
 * progress, and resolves SUMMARY (or does what `run` says); it records the options it got.
 */
export function fakeRunner(run?: (options: LocalRunOptions) => Promise<RunSummary>): LocalRunner & {
  readonly calls: LocalRunOptions[];
  readonly streamCalls: StreamRunOptions[];
} {
  const calls: LocalRunOptions[] = [];
  const streamCalls: StreamRunOptions[] = [];
  return {
    calls,
    streamCalls,
    runStream: (_built, options) => {
      streamCalls.push(options);
      return Promise.resolve({
        ms: 5,
        stages: [{ stage: "stage-1", rowsIn: 3, rowsOut: 3 }],
        restarts: 0,
        checkpoints: 2,
        droppedLate: 0,
        droppedClosed: 0,
        savepoint: null,
        blockedMs: 0,
      });
    },
    planLocal: () => STAGES,
    runLocal: (_built, options = {}) => {
      calls.push(options);
      if (run) return run(options);
      options.observer?.planned?.(STAGES);
      options.observer?.progress?.([{ stage: "stage-1", rowsIn: 777, rowsOut: 4321, ms: 100 }]);
      options.observer?.finished?.(SUMMARY);
      return Promise.resolve(SUMMARY);
    },
  };
}
