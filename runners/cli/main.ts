import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EXPLAIN_FORMATS, type ExplainFormat, explain, isExplainFormat } from "../core/explain.js";
import { CliError, loadPipeline } from "./load.js";

/** Where the CLI writes; each call gets whole lines, newlines included. */
export interface CliIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const EXPLAIN_USAGE = `beamline explain <module> [--format=${EXPLAIN_FORMATS.join("|")}] [pipeline options]`;

const USAGE = `Usage: beamline <command> [arguments]

Commands:
  ${EXPLAIN_USAGE}
      Builds the pipeline that <module> exports as default and prints its graph:
      steps under their composites, collections, windowing, combiners, state and I/O.
  beamline run <module> [pipeline options]
      Not available yet: the local runner is issue #4.
  beamline help
      Prints this message.

<module> is a .ts or .js file whose default export is Pipeline.define(...). Pipeline
options are written --name=value and validated by the pipeline's own zod schema.
Exit codes: 0 done, 1 unexpected failure, 2 bad usage, options, module or pipeline.
`;

const RUN_NOT_AVAILABLE =
  "beamline run: the local runner is not available yet (issue #4), so pipelines cannot be run.\n" +
  "Use `beamline explain <module> [pipeline options]` to check the options and see the graph a run would execute.\n";

/** Splits the CLI's own flags (`--format`) from the module and the pipeline's options, which stay in order. */
function explainArgs(args: readonly string[]): { module: string | undefined; format: ExplainFormat; rest: string[] } {
  let module: string | undefined;
  let format: string = "text";
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--format") {
      const value = args[++i];
      if (value === undefined) throw new CliError(`--format needs a value: ${EXPLAIN_FORMATS.join(", ")}`);
      format = value;
    } else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
    else if (module === undefined && !arg.startsWith("-")) module = arg;
    else rest.push(arg);
  }
  if (!isExplainFormat(format))
    throw new CliError(`unknown --format "${format}" (expected one of: ${EXPLAIN_FORMATS.join(", ")})`);
  return { module, format, rest };
}

async function explainCommand(args: readonly string[], io: CliIO): Promise<number> {
  if (args.includes("--help")) {
    io.stdout(`Usage: ${EXPLAIN_USAGE}\n`);
    return 0;
  }
  const { module, format, rest } = explainArgs(args);
  if (module === undefined) throw new CliError(`explain needs a pipeline module\nUsage: ${EXPLAIN_USAGE}`);
  const def = await loadPipeline(module, process.cwd());
  const { graph } = buildPipeline(module, () => def.buildFromArgs(rest));
  io.stdout(explain(graph, format));
  return 0;
}

/** Options and validation problems are the user's to fix (exit 2); anything else thrown by the build is a failure. */
function buildPipeline<T>(module: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    // By name, not instanceof: the module may have built with another copy of the SDK.
    const name = e instanceof Error ? e.name : "";
    if (name === "OptionsError" || name === "PipelineValidationError") throw new CliError((e as Error).message);
    throw new CliError(
      `building the pipeline in ${module} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      1,
    );
  }
}

/**
 * The `beamline` command: runs one sub-command and returns the process exit code.
 * Takes its output streams as arguments so tests call it in-process.
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(USAGE);
        return 2;
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return 0;
      case "explain":
        return await explainCommand(args, io);
      case "run":
        io.stderr(RUN_NOT_AVAILABLE);
        return 2;
      default:
        io.stderr(`beamline: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`beamline ${command}: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`beamline ${command}: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/** Whether this file is the process's entry point (the bin, possibly through a symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: CliIO = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };
  process.exitCode = await main(process.argv.slice(2), io);
}
