import { EXPLAIN_FORMATS, explain, isExplainFormat } from "../core/explain.js";
import { type PipelineGraph } from "../../sdk/index.js";
import { splitArgs } from "./args.js";
import { type CliIO, type LocalRunner } from "./io.js";
import { CliError, buildPipeline, loadPipeline, oneLine } from "./load.js";
import { type LocalPlan, withPlan } from "./plan.js";

export const EXPLAIN_USAGE = `beamline explain <module> [--format=${EXPLAIN_FORMATS.join("|")}] [pipeline options]`;

/** The local runner's plan, or why there is none: explain shows the graph either way. */
function localPlan(graph: PipelineGraph, runner: LocalRunner): LocalPlan {
  try {
    return { stages: runner.planLocal(graph) };
  } catch (e) {
    return { unavailable: oneLine(e) };
  }
}

export async function explainCommand(args: readonly string[], io: CliIO, runner: LocalRunner): Promise<number> {
  if (args.includes("--help")) {
    io.stdout(`Usage: ${EXPLAIN_USAGE}\n`);
    return 0;
  }
  const { module, flags, rest } = splitArgs(args, { format: EXPLAIN_FORMATS.join(", ") });
  const format = flags.get("format") ?? "text";
  if (!isExplainFormat(format))
    throw new CliError(`unknown --format "${format}" (expected one of: ${EXPLAIN_FORMATS.join(", ")})`);
  if (module === undefined) throw new CliError(`explain needs a pipeline module\nUsage: ${EXPLAIN_USAGE}`);
  const def = await loadPipeline(module, process.cwd());
  const { graph } = buildPipeline(module, () => def.buildFromArgs(rest));
  io.stdout(withPlan(explain(graph, format), localPlan(graph, runner), format));
  return 0;
}
