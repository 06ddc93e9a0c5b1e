import { type StepNode } from "../../sdk/index.js";
import { type GraphIndex, groupEngine } from "../core/exec/plan.js";
import { type Built } from "../core/exec/wiring.js";
import { type DuckAggregate, type LocalDb } from "./duckdb/index.js";
import { DuckCombineOperator } from "./operators/duck-combine.js";
import { type Output } from "../core/exec/operators/operator.js";

/** The local runner's own operators for the shared wiring: combinePerKey with a built-in combiner in DuckDB (plan.ts decides when). */
export function duckCombines(deps: {
  readonly index: GraphIndex;
  readonly db: () => Promise<LocalDb>;
  readonly outputOf: (collection: string) => Output;
  readonly keysOnly: ReadonlySet<string>;
}): (step: StepNode) => Promise<Built> | null {
  return (step) => {
    if (step.kind !== "combinePerKey" || groupEngine(deps.index, step) !== "duckdb") return null;
    if (step.combiner.kind !== "builtin") throw new Error(`internal: step "${step.name}" has no built-in combiner`);
    return Promise.resolve({
      operator: new DuckCombineOperator(
        step.name,
        deps.index.collection(step.inputs[0]!).windowing,
        step.combiner.name as DuckAggregate,
        deps.db,
        deps.outputOf(step.outputs.main!),
        deps.keysOnly.has(step.name),
      ),
    });
  };
}
