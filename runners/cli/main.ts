import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EXPLAIN_USAGE, explainCommand } from "./explain.js";
import { type CliIO, LOCAL_RUNNER, type LocalRunner } from "./io.js";
import { CliError } from "./load.js";
import { RUN_USAGE, runCommand } from "./run.js";

export type { CliIO, LocalRunner } from "./io.js";

const USAGE = `Usage: beamline <command> [arguments]

Commands:
  ${EXPLAIN_USAGE}
      Builds the pipeline that <module> exports as default and prints its graph:
      steps under their composites, collections, windowing, combiners, state and I/O,
      then the stages the local runner fuses it into.
  ${RUN_USAGE}
      Runs the pipeline: on the local runner when every source is bounded (the stream
      runner for unbounded pipelines arrives with issue #5). Shows progress per stage on
      a terminal and prints a summary to stderr at the end.
  beamline help
      Prints this message.

<module> is a .ts or .js file whose default export is Pipeline.define(...). Pipeline
options are written --name=value and validated by the pipeline's own zod schema.
Exit codes: 0 done, 1 run or unexpected failure, 2 bad usage, options, module or pipeline.
`;

/**
 * The `beamline` command: runs one sub-command and returns the process exit code.
 * Takes its output streams (and the local runner) as arguments so tests call it in-process.
 */
export async function main(argv: readonly string[], io: CliIO, runner: LocalRunner = LOCAL_RUNNER): Promise<number> {
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
        return await explainCommand(args, io, runner);
      case "run":
        return await runCommand(args, io, runner);
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
  const io: CliIO = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    terminal: process.stderr,
    env: process.env,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
