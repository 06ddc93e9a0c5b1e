import { type CollectionNode, type PipelineGraph, type StepNode, type WindowingStrategy } from "../../../sdk/index.js";

/** One fused stage of the plan: narrow steps run one after the other on each bundle. */
export interface StageInfo {
  /** `stage-<n>`, in plan order. */
  readonly id: string;
  /** The steps fused into this stage, in order; the first may be a read or a shuffle. */
  readonly steps: readonly string[];
  /** Why the stage starts where it does: a source, a shuffle (group, combine, join, reshuffle) or a flatten. */
  readonly boundary: "read" | "shuffle" | "flatten" | "side-input";
  /** How the shuffle at its start runs, when it has one: "duckdb", "js" (the shared core's window operator), "duckdb-pushdown". */
  readonly engine: string | null;
  /** Stages whose output this stage reads. */
  readonly inputs: readonly string[];
}

/** Built-in combiners DuckDB computes with SQL aggregates. */
export const DUCK_AGGREGATES = ["count", "sum", "min", "max", "mean", "countDistinct"] as const;
export type DuckAggregate = (typeof DUCK_AGGREGATES)[number];

/** The graph with its edges indexed: who produces and who consumes each collection. */
export class GraphIndex {
  readonly collections = new Map<string, CollectionNode>();
  readonly producers = new Map<string, StepNode>();
  readonly consumers = new Map<string, { step: StepNode; input: number }[]>();
  readonly steps = new Map<string, StepNode>();

  constructor(readonly graph: PipelineGraph) {
    for (const c of graph.collections) this.collections.set(c.id, c);
    for (const s of graph.steps) {
      this.steps.set(s.name, s);
      for (const id of Object.values(s.outputs)) this.producers.set(id, s);
      s.inputs.forEach((id, input) => {
        const list = this.consumers.get(id) ?? [];
        list.push({ step: s, input });
        this.consumers.set(id, list);
      });
    }
  }

  collection(id: string): CollectionNode {
    const c = this.collections.get(id);
    if (!c) throw new Error(`internal: no collection ${id} in graph ${this.graph.pipeline}`);
    return c;
  }

  /** Whether every source of the pipeline is bounded (the watermark then stays at MIN until the end). */
  get bounded(): boolean {
    return this.graph.steps.every((s) => s.kind !== "read" || (s.source.bounded && s.source.kind !== "testStream"));
  }
}

/** A trigger that fires once, when the watermark passes the window's end: all a bounded run can see. */
const firesOnceAtEnd = (w: WindowingStrategy): boolean =>
  w.trigger.kind === "default" || (w.trigger.kind === "afterWatermark" && w.trigger.early === null && w.trigger.late === null);

/**
 * How a grouping step runs. When the answer is one pane per key and window (a bounded
 * pipeline, so nothing is late; a trigger that fires once at the end; non-merging windows):
 * DuckDB for a built-in combiner with end-of-window timestamps, else "batch", a JS
 * accumulator per key and window. Otherwise "js", the shared core's window operator, which
 * handles every trigger, merging window and accumulation mode.
 */
export function groupEngine(index: GraphIndex, step: StepNode): "duckdb" | "batch" | "js" | null {
  if (step.kind !== "groupByKey" && step.kind !== "combinePerKey" && step.kind !== "combineGlobally") return null;
  if (step.kind === "combineGlobally") return "js";
  const w = index.collection(step.inputs[0]!).windowing;
  const once = index.bounded && firesOnceAtEnd(w) && w.windowFn.kind !== "sessions" && !upstreamRetracts(index, step.inputs[0]!);
  if (!once) return "js";
  const duck =
    step.kind === "combinePerKey" &&
    step.combiner.kind === "builtin" &&
    (DUCK_AGGREGATES as readonly string[]).includes(step.combiner.name) &&
    w.timestampCombiner === "endOfWindow";
  return duck ? "duckdb" : "batch";
}

/** Whether any grouping before this collection emits retractions. */
export function upstreamRetracts(index: GraphIndex, id: string, seen = new Set<string>()): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  const p = index.producers.get(id);
  if (!p) return false;
  if (
    (p.kind === "groupByKey" || p.kind === "combinePerKey" || p.kind === "combineGlobally") &&
    index.collection(p.inputs[0]!).windowing.accumulation === "retracting"
  )
    return true;
  return p.inputs.some((i) => upstreamRetracts(index, i, seen));
}

/** Why a step starts a stage, or null when it fuses into its input's stage. */
function boundaryOf(step: StepNode): StageInfo["boundary"] | null {
  switch (step.kind) {
    case "read":
      return "read";
    case "groupByKey":
    case "combinePerKey":
    case "combineGlobally":
      return "shuffle";
    case "flatten":
      return "flatten";
    case "parDo":
      return step.sideInputs.length > 0 ? "side-input" : null;
    case "windowInto":
    case "write":
      return null;
  }
}

/**
 * The fused stages: narrow steps (parDo without side inputs, windowInto, write) run in
 * their input's stage, on each bundle as it comes; a stage starts at a read, a shuffle
 * (group, combine; joins and reshuffle are built of these), a flatten or a side input.
 */
export function planStages(
  index: GraphIndex,
  /** The engine a stage's first step runs on, as the runner chooses it. */
  engineOf: (step: StepNode) => string | null = (step) => groupEngine(index, step),
): { stages: StageInfo[]; stageOf: Map<string, string> } {
  const stageOf = new Map<string, string>();
  const stages: { id: string; steps: string[]; boundary: StageInfo["boundary"]; engine: string | null; inputs: string[] }[] = [];
  for (const step of index.graph.steps) {
    const boundary = boundaryOf(step);
    const producerStages = step.inputs.map((id) => stageOf.get(index.producers.get(id)?.name ?? "") ?? "");
    if (boundary === null && producerStages[0]) {
      const stage = stages.find((s) => s.id === producerStages[0])!;
      stage.steps.push(step.name);
      stageOf.set(step.name, stage.id);
      continue;
    }
    const id = `stage-${stages.length + 1}`;
    stages.push({
      id,
      steps: [step.name],
      boundary: boundary ?? "read",
      engine: engineOf(step),
      inputs: [...new Set(producerStages.filter((s) => s !== ""))],
    });
    stageOf.set(step.name, id);
  }
  return { stages, stageOf };
}

/**
 * count.perElement pairs each element with null and counts per key. When its count runs in
 * the batch or DuckDB engine, the pairing map is skipped and the count takes the elements as
 * keys: a runner recognising a well-known composite by its kind (DESIGN.md). Returns the
 * pairing steps to pass through and the counting steps that take bare keys.
 */
export function countPerElementFusion(index: GraphIndex): { passThrough: Set<string>; keysOnly: Set<string> } {
  const passThrough = new Set<string>();
  const keysOnly = new Set<string>();
  for (const c of index.graph.composites) {
    if (c.transform !== "count.perElement") continue;
    const inner = index.graph.steps.filter((s) => s.parent === c.name);
    const pair = inner.find((s) => s.kind === "parDo" && s.transform === "map");
    const count = inner.find((s) => s.kind === "combinePerKey");
    if (!pair || !count || inner.length !== 2) continue;
    const consumers = index.consumers.get(pair.outputs.main!) ?? [];
    if (consumers.length !== 1 || consumers[0]!.step !== count) continue;
    if (groupEngine(index, count) === "js") continue;
    passThrough.add(pair.name);
    keysOnly.add(count.name);
  }
  return { passThrough, keysOnly };
}
