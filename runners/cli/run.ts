import os from "node:os";
import path from "node:path";
import { type PipelineGraph } from "../../sdk/index.js";
import { type LocalRunOptions } from "../local/index.js";
import { splitArgs } from "./args.js";
import { type CliIO, type LocalRunner } from "./io.js";
import { CliError, buildPipeline, loadPipeline } from "./load.js";
import { ProgressRenderer } from "./progress.js";
import { formatSummary } from "./summary.js";

export const RUNNERS = Object.freeze(["local", "stream"] as const);
export type RunnerName = (typeof RUNNERS)[number];

export const RUN_USAGE =
  "beamline run <module> [--runner=local|stream] [--parallelism=N] [--memory-limit=2GB] [--temp-dir=DIR] [pipeline options]";

/** The flags that belong to `run`, not to the pipeline, with the values each expects. */
const RUN_FLAGS = {
  runner: RUNNERS.join(", "),
  parallelism: "a positive whole number",
  "memory-limit": "a size such as 2GB or 512MiB",
  "temp-dir": "a directory",
};

// The units DuckDB's memory_limit accepts, so a typo fails here and not mid-run.
const MEMORY_LIMIT = /^\d+(\.\d+)?\s*(b|bytes?|[kmgt]|[kmgt]i?b|(kilo|mega|giga|tera)bytes?)$/i;

const STREAM_RUNNER = "the stream runner arrives with issue #5";

interface RunFlags {
  /** Undefined: chosen by the pipeline's boundedness. */
  readonly runner: RunnerName | undefined;
  readonly options: Omit<LocalRunOptions, "observer" | "clock">;
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
  if (problems.length === 1) throw new CliError(problems[0] as string);
  if (problems.length > 1) throw new CliError(`${problems.length} problems:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return {
    runner: runner as RunnerName | undefined,
    options: {
      parallelism: parallelism === undefined ? os.availableParallelism() : Number(parallelism),
      ...(memoryLimit === undefined ? {} : { memoryLimit: memoryLimit.trim() }),
      ...(tempDir === undefined ? {} : { tempDir: path.resolve(tempDir) }),
    },
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
  if (flags.runner === "stream")
    throw new CliError(`--runner=stream: ${STREAM_RUNNER}; until then bounded pipelines run with --runner=local`);
  if (split.module === undefined) throw new CliError(`run needs a pipeline module\nUsage: ${RUN_USAGE}`);
  const module = split.module;
  const def = await loadPipeline(module, process.cwd());
  const built = buildPipeline(module, () => def.buildFromArgs(split.rest));
  const unbounded = unboundedReads(built.graph);
  if (flags.runner === undefined && unbounded.length > 0)
    throw new CliError(
      `pipeline "${built.graph.pipeline}" is unbounded (read ${unbounded.map((s) => `"${s}"`).join(", ")}), ` +
        `so it needs the stream runner, and ${STREAM_RUNNER}`,
    );

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
