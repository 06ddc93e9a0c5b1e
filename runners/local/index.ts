// The local runner: bounded pipelines on one machine, fused stages, DuckDB for grouping.
import { type BuiltPipeline, type PipelineGraph } from "../../sdk/index.js";
import { type LocalRunOptions, type RunSummary, type StageInfo } from "./api.js";
import { execute } from "./executor.js";
import { GraphIndex, planLocalStages } from "./plan.js";

export * from "./api.js";

/** The fused stages `beamline explain` shows and the runner executes. */
export function planLocal(graph: PipelineGraph): readonly StageInfo[] {
  return planLocalStages(new GraphIndex(graph)).stages;
}

/** Runs a built pipeline to completion; rejects with an error naming the step that failed. */
export function runLocal(pipeline: BuiltPipeline, options: LocalRunOptions = {}): Promise<RunSummary> {
  return execute(pipeline, options);
}
