import { type StepNode } from "../../sdk/index.js";
import { GraphIndex, type StageInfo, countPerElementFusion, groupEngine, planStages } from "../core/exec/plan.js";

export { GraphIndex, countPerElementFusion };

/** The local runner's stages: the shared planner, with Parquet reads pushed into DuckDB shown as such. */
export function planLocalStages(index: GraphIndex): { stages: StageInfo[]; stageOf: Map<string, string> } {
  const pushed = new Set([...parquetPushdowns(index).values()].map((s) => s.name));
  return planStages(index, (step) => (pushed.has(step.name) ? "duckdb-pushdown" : groupEngine(index, step)));
}

/**
 * read(parquet) straight into a built-in combine per key, with a schema that has `key` and
 * `value` columns: the whole job is one SQL GROUP BY over read_parquet in DuckDB, so the rows
 * never enter JS. Returns the combine step of each read pushed down.
 */
export function parquetPushdowns(index: GraphIndex): Map<string, StepNode> {
  const out = new Map<string, StepNode>();
  for (const read of index.graph.steps) {
    if (read.kind !== "read" || read.source.kind !== "parquet" || read.eventTime) continue;
    if (Object.keys(read.outputs).length !== 1) continue;
    const main = index.collection(read.outputs.main!);
    const fields = new Set(main.schema?.fields.map((f) => f.name) ?? []);
    if (!fields.has("key") || !fields.has("value")) continue;
    const consumers = index.consumers.get(main.id) ?? [];
    const step = consumers[0]?.step;
    if (consumers.length !== 1 || step?.kind !== "combinePerKey" || groupEngine(index, step) !== "duckdb") continue;
    if (main.windowing.windowFn.kind !== "global") continue;
    out.set(read.name, step);
  }
  return out;
}

/**
 * Chains of stateless DoFns right after a bounded read (no state, timers, side inputs, async
 * concurrency or tagged outputs; each feeding only the next): the work a worker pool can take.
 * Steps fused away (passThrough) end a chain.
 */
export function poolChains(index: GraphIndex, passThrough: ReadonlySet<string>): string[][] {
  if (!index.bounded) return [];
  const chains: string[][] = [];
  for (const read of index.graph.steps) {
    if (read.kind !== "read") continue;
    const chain: string[] = [];
    let collection = read.outputs.main!;
    for (;;) {
      const consumers = index.consumers.get(collection) ?? [];
      const step = consumers[0]?.step;
      if (consumers.length !== 1 || step?.kind !== "parDo" || passThrough.has(step.name)) break;
      const plain =
        step.state.length === 0 &&
        step.timers.length === 0 &&
        step.sideInputs.length === 0 &&
        step.concurrency === null &&
        Object.keys(step.outputs).length === 1;
      if (!plain) break;
      chain.push(step.name);
      collection = step.outputs.main!;
    }
    if (chain.length > 0) chains.push(chain);
  }
  return chains;
}
