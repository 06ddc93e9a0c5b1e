import os from "node:os";
import path from "node:path";
import { type PipelineGraph } from "../../sdk/index.js";
import { type BuiltPipeline } from "../../sdk/index.js";
import { type LocalRunOptions } from "../local/index.js";
import { type StreamRunOptions } from "../stream/index.js";
import { splitArgs } from "./args.js";
import { type CliIO, type LocalRunner } from "./io.js";
import { CliError, buildPipeline, loadPipeline } from "./load.js";
import { ProgressRenderer } from "./progress.js";
import { formatSummary } from "./summary.js";

export const RUNNERS = Object.freeze(["local", "stream"] as const);
export type RunnerName = (typeof RUNNERS)[number];

export const RUN_USAGE =
  "beamline run <module> [--runner=local|stream] [--parallelism=N] [--memory-limit=2GB] [--temp-dir=DIR]\n" +
  "  stream runner: [--checkpoint-dir=DIR] [--checkpoint-interval=10s] [--retain-checkpoints=3] [--restore=latest|DIR]\n" +
  "  [--max-restarts=3] [--buffer-timeout=10ms] [--metrics-port=PORT] [pipeline options]";

/** The flags that belong to `run`, not to the pipeline, with the values each expects. */
const RUN_FLAGS = {
  runner: RUNNERS.join(", "),
  parallelism: "a positive whole number",
  "memory-limit": "a size such as 2GB or 512MiB",
  "temp-dir": "a directory",
  "checkpoint-dir": "a directory",
  "checkpoint-interval": "a duration such as 200ms, 10s or 1m",
  "retain-checkpoints": "a positive whole number",
  restore: "latest, or a checkpoint's directory",
  "max-restarts": "a whole number",
  "buffer-timeout": "a duration such as 10ms",
  "metrics-port": "a port number",
};

/** `200ms`, `10s`, `1m` or a plain number of milliseconds; null when it is none of these. */
function duration(text: string): number | null {
  const m = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (m[2] === "s" ? 1000 : m[2] === "m" ? 60_000 : 1);
}

// The units DuckDB's memory_limit accepts, so a typo fails here and not mid-run.
const MEMORY_LIMIT = /^\d+(\.\d+)?\s*(b|bytes?|[kmgt]|[kmgt]i?b|(kilo|mega|giga|tera)bytes?)$/i;

interface RunFlags {
  /** Undefined: chosen by the pipeline's boundedness. */
  readonly runner: RunnerName | undefined;
  readonly options: Omit<LocalRunOptions, "observer" | "clock">;
  readonly stream: Omit<StreamRunOptions, "source" | "stop">;
}

/** Reads run's own flags, listing every bad one at once. */
function runFlags(flags: ReadonlyMap<string, string>): RunFlags {
  const problems: string[] = [];
  const runner = flags.get("runner");
  if (runner !== undefined && !(RUNNERS as readonly string[]).includes(runner))
    problems.push(`--runner: unknown runner "${runner}" (expected one of: ${RUNNERS.join(", ")})`);
  const parallelism = flags.get("parallelism");
  if (parallelism !== undefined && !/^[1-9]\d*$/.test(parallelism))
    problems.push(`--parallelism: must be a positive whole number (got "${parallelism}")`);
  const memoryLimit = flags.get("memory-limit");
  if (memoryLimit !== undefined && !MEMORY_LIMIT.test(memoryLimit.trim()))
    problems.push(`--memory-limit: must be a size such as 2GB, 512MB or 4GiB (got "${memoryLimit}")`);
  const tempDir = flags.get("temp-dir");
  if (tempDir === "") problems.push("--temp-dir: must not be empty");
  const stream: Record<string, unknown> = {};
  const whole = (flag: string, key: string, min: number) => {
    const v = flags.get(flag);
    if (v === undefined) return;
    if (!/^\d+$/.test(v) || Number(v) < min) problems.push(`--${flag}: must be a whole number from ${min} (got "${v}")`);
    else stream[key] = Number(v);
  };
  const time = (flag: string, key: string) => {
    const v = flags.get(flag);
    if (v === undefined) return;
    const ms = duration(v);
    if (ms === null) problems.push(`--${flag}: must be a duration such as 200ms, 10s or 1m (got "${v}")`);
    else stream[key] = ms;
  };
  whole("retain-checkpoints", "retainCheckpoints", 1);
  whole("max-restarts", "maxRestarts", 0);
  whole("metrics-port", "metricsPort", 0);
  time("checkpoint-interval", "checkpointIntervalMs");
  time("buffer-timeout", "bufferTimeoutMs");
  const checkpointDir = flags.get("checkpoint-dir");
  if (checkpointDir !== undefined) stream.checkpointDir = path.resolve(checkpointDir);
  const restore = flags.get("restore");
  if (restore !== undefined) stream.restore = restore === "latest" ? "latest" : path.resolve(restore);
  if (restore === "latest" && checkpointDir === undefined) problems.push("--restore=latest: needs --checkpoint-dir");
  if (problems.length === 1) throw new CliError(problems[0] as string);
  if (problems.length > 1) throw new CliError(`${problems.length} problems:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return {
    runner: runner as RunnerName | undefined,
    options: {
      parallelism: parallelism === undefined ? os.availableParallelism() : Number(parallelism),
      ...(memoryLimit === undefined ? {} : { memoryLimit: memoryLimit.trim() }),
      ...(tempDir === undefined ? {} : { tempDir: path.resolve(tempDir) }),
    },
    stream: { ...stream, parallelism: parallelism === undefined ? os.availableParallelism() : Number(parallelism) },
  };
}

/** The read steps whose source is unbounded: any one of them makes the default runner the stream runner. */
const unboundedReads = (graph: PipelineGraph): string[] =>
  graph.steps.filter((s) => s.kind === "read" && !s.source.bounded).map((s) => s.name);

/** A run that failed: its message, or with BEAMLINE_DEBUG=1 its stack. */
function failure(e: unknown, debug: boolean): string {
  if (!(e instanceof Error)) return String(e);
  return debug ? (e.stack ?? e.message) : e.message;
}

/**
 * `beamline run`: takes its own flags out, builds the pipeline from the rest, picks the
 * runner (local for a bounded pipeline) and runs it with progress on a terminal and a
 * summary at the end.
 */
export async function runCommand(args: readonly string[], io: CliIO, runner: LocalRunner): Promise<number> {
  if (args.includes("--help")) {
    io.stdout(`Usage: ${RUN_USAGE}\n`);
    return 0;
  }
  const split = splitArgs(args, RUN_FLAGS);
  const flags = runFlags(split.flags);
  if (split.module === undefined) throw new CliError(`run needs a pipeline module\nUsage: ${RUN_USAGE}`);
  const module = split.module;
  const def = await loadPipeline(module, process.cwd());
  const built = buildPipeline(module, () => def.buildFromArgs(split.rest));
  const streaming = flags.runner === "stream" || (flags.runner === undefined && unboundedReads(built.graph).length > 0);
  if (streaming) return runStreaming(built, module, flags, io, runner);

  const progress = new ProgressRenderer(io.terminal);
  try {
    // Workers import the module and build the pipeline again from the same options.
    const source = { module: path.resolve(process.cwd(), module), options: built.options };
    const summary = await runner.runLocal(built, { ...flags.options, observer: progress, source });
    progress.stop();
    io.stderr(formatSummary(summary, progress.stages));
    return 0;
  } catch (e) {
    progress.stop();
    const debug = (io.env ?? process.env).BEAMLINE_DEBUG === "1";
    io.stderr(`beamline run: pipeline "${built.graph.pipeline}" failed: ${failure(e, debug)}\n`);
    return 1;
  }
}

/**
 * A run on the stream runner: SIGTERM (or SIGINT) takes a savepoint and stops; the summary and
 * each checkpoint go to stderr.
 */
async function runStreaming(
  built: BuiltPipeline,
  module: string,
  flags: RunFlags,
  io: CliIO,
  runner: LocalRunner,
): Promise<number> {
  if (!runner.runStream) throw new CliError("--runner=stream: this build has no stream runner");
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  try {
    const summary = await runner.runStream(built, {
      ...flags.stream,
      source: { module: path.resolve(process.cwd(), module), options: built.options },
      stop: stop.signal,
      onStarted: ({ metricsPort }) => {
        if (metricsPort !== null) io.stderr(`metrics: http://127.0.0.1:${metricsPort}/metrics\n`);
      },
      onCheckpoint: (c) => io.stderr(`checkpoint ${c.id} completed in ${c.ms.toFixed(0)} ms${c.path ? `: ${c.path}` : ""}\n`),
    });
    const lines = summary.stages.map((s) => `  ${s.stage}: ${s.rowsIn} in, ${s.rowsOut} out`);
    io.stderr(
      `${summary.savepoint ? `stopped with savepoint ${summary.savepoint}` : "finished"} in ${summary.ms} ms ` +
        `(${summary.checkpoints} checkpoints, ${summary.restarts} restarts, ${summary.droppedLate} dropped late)\n${lines.join("\n")}\n`,
    );
    return 0;
  } catch (e) {
    const debug = (io.env ?? process.env).BEAMLINE_DEBUG === "1";
    io.stderr(`beamline run: pipeline "${built.graph.pipeline}" failed: ${failure(e, debug)}\n`);
    return 1;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}
