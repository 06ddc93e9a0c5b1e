import { type GraphProblem } from "./builder.js";
import { type CollectionNode, type PipelineGraph, type StepVisitor, visitStep } from "./graph.js";
import { triggerProblems } from "./triggers.js";
import { windowFnProblems } from "./windows.js";

/**
 * Semantic checks of a graph, all at once. Each problem names its step. Used after a
 * build and again when a graph is loaded from JSON.
 */
export function validateGraph(graph: PipelineGraph): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const collections = new Map(graph.collections.map((c) => [c.id, c]));
  const seen = new Set<string>();
  for (const step of graph.steps) {
    const report = (message: string) => problems.push({ step: step.name, message });
    if (seen.has(step.name)) report(`duplicate step name "${step.name}": every step needs a unique name`);
    seen.add(step.name);
    const inputs: CollectionNode[] = [];
    for (const id of step.inputs) {
      const c = collections.get(id);
      if (c) inputs.push(c);
      else report(`input collection ${id} does not exist`);
    }
    for (const [tag, id] of Object.entries(step.outputs)) {
      const c = collections.get(id);
      if (!c || c.producer !== step.name) report(`output "${tag}" (${id}) is not a collection produced by this step`);
    }
    for (const message of visitStep(step, checks(inputs))) report(message);
  }
  return problems;
}

const groupingProblems = (kind: string, input: CollectionNode | undefined): string[] => {
  if (!input || input.bounded) return [];
  const w = input.windowing;
  if (w.windowFn.kind === "global" && w.trigger.kind === "default")
    return [
      `${kind} of an unbounded collection in the global window with the default trigger would never emit: ` +
        `apply windowInto with a window function or a trigger first`,
    ];
  return [];
};

function checks(inputs: readonly CollectionNode[]): StepVisitor<string[]> {
  const main = inputs[0];
  return {
    read: (s) => (s.maxDelay < 0 ? [`maxDelay must be at least 0 ms, got ${s.maxDelay}`] : []),
    parDo: (s) => {
      const problems: string[] = [];
      if ((s.state.length > 0 || s.timers.length > 0) && s.derivedName)
        problems.push(
          `a stateful DoFn (state: ${s.state.map((x) => x.name).join(", ") || "none"}; timers: ${s.timers.map((x) => x.name).join(", ") || "none"}) ` +
            `needs a stable name given by the user: its checkpointed state is keyed by the step name`,
        );
      if (s.concurrency && !(Number.isInteger(s.concurrency.limit) && s.concurrency.limit > 0))
        problems.push(`concurrency limit must be a positive whole number, got ${s.concurrency.limit}`);
      return problems;
    },
    groupByKey: () => groupingProblems("groupByKey", main),
    combinePerKey: () => groupingProblems("combinePerKey", main),
    combineGlobally: () => groupingProblems("combineGlobally", main),
    flatten: () => {
      const fns = new Set(inputs.map((c) => JSON.stringify(c.windowing.windowFn)));
      return fns.size > 1 ? [`flatten inputs have different window functions (${[...fns].join(" vs ")})`] : [];
    },
    windowInto: (s) => [
      ...windowFnProblems(s.strategy.windowFn),
      ...triggerProblems(s.strategy.trigger),
      ...(s.strategy.allowedLateness < 0 ? [`allowedLateness must be at least 0 ms, got ${s.strategy.allowedLateness}`] : []),
    ],
    write: () => [],
  };
}

/** All problems as one error, each line naming its step. */
export class PipelineValidationError extends Error {
  constructor(
    readonly pipeline: string,
    readonly problems: readonly GraphProblem[],
  ) {
    super(
      `pipeline "${pipeline}" is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - step "${p.step}": ${p.message}`).join("\n"),
    );
    this.name = "PipelineValidationError";
  }
}
