import {
  type CollectionNode,
  type CombinerRef,
  DEFAULT_WINDOWING,
  type Json,
  type PipelineGraph,
  type SideInputNode,
  type StepNode,
  type StepVisitor,
  type WindowingStrategy,
  describeTrigger,
  describeWindowFn,
  formatDuration,
  visitStep,
} from "../../../sdk/index.js";

/** How a plan draws a step: I/O, grouping and windowing steps get their own shapes. */
export type StepRole = "source" | "sink" | "transform" | "grouping" | "windowing";

/** What a step does, in words: a short summary for diagram nodes and detail lines for text. */
export interface StepDescription {
  readonly role: StepRole;
  /** A few words, or empty; diagrams show it under the step's name. */
  readonly summary: string;
  /** `label: value` lines; the text format lists them under the step. */
  readonly details: readonly string[];
  /** Side inputs by collection id, so edges can say which inputs are side inputs. */
  readonly sideInputs: readonly SideInputNode[];
}

export const json = (value: Json): string => JSON.stringify(value);

export function describeCombiner(ref: CombinerRef): string {
  if (ref.kind === "user") return `user CombineFn (${ref.canRetract ? "can retract" : "cannot retract"})`;
  return ref.params === null ? `builtin ${ref.name}` : `builtin ${ref.name} ${json(ref.params)}`;
}

/** One line for a whole strategy; the parts left at Beam's defaults are not repeated. */
export function describeWindowing(w: WindowingStrategy): string {
  return windowingParts(w)
    .map(([label, value]) => `${label} ${value}`)
    .join(", ");
}

/** The strategy as labelled parts: window, trigger, accumulation and lateness always; the rest when not the default. */
function windowingParts(w: WindowingStrategy): [string, string][] {
  const parts: [string, string][] = [
    ["window", describeWindowFn(w.windowFn)],
    ["trigger", describeTrigger(w.trigger)],
    ["accumulation", w.accumulation],
    ["allowed lateness", formatDuration(w.allowedLateness)],
  ];
  if (w.timestampCombiner !== DEFAULT_WINDOWING.timestampCombiner) parts.push(["timestamp combiner", w.timestampCombiner]);
  if (w.onTimeBehavior !== DEFAULT_WINDOWING.onTimeBehavior) parts.push(["on time", w.onTimeBehavior]);
  if (w.closingBehavior !== DEFAULT_WINDOWING.closingBehavior) parts.push(["closing", w.closingBehavior]);
  return parts;
}

const describeState = (s: Extract<StepNode, { kind: "parDo" }>["state"][number]): string =>
  s.combiner ? `${s.name} (${s.kind}, ${describeCombiner(s.combiner)})` : `${s.name} (${s.kind})`;

/**
 * Describes each kind of step. A `StepVisitor`, so a new step kind does not compile until
 * the plan can say what it does. Grouping steps show the windowing of their main input,
 * which is where that strategy takes effect.
 */
export function stepDescriber(collections: ReadonlyMap<string, CollectionNode>): StepVisitor<StepDescription> {
  const inputWindowing = (step: StepNode): string => {
    const input = collections.get(step.inputs[0] ?? "");
    return input ? describeWindowing(input.windowing) : "unknown (no input collection)";
  };
  const inputWindow = (step: StepNode): string => {
    const input = collections.get(step.inputs[0] ?? "");
    return input ? describeWindowFn(input.windowing.windowFn) : "";
  };
  const plain = (role: StepRole, summary: string, details: string[]): StepDescription => ({
    role,
    summary,
    details,
    sideInputs: [],
  });
  return {
    read: (s) =>
      plain("source", `${s.source.kind} source`, [
        `source: ${s.source.kind} ${json(s.source.params)}, ${s.source.bounded ? "bounded" : "unbounded"}`,
        `event time: ${s.eventTime ? "extracted from each element" : "the source's timestamps"}; max delay ${formatDuration(
          s.maxDelay,
        )}; idle timeout ${s.idleTimeout === null ? "none" : formatDuration(s.idleTimeout)}`,
      ]),
    parDo: (s) => {
      const details: string[] = [];
      if (s.state.length > 0) details.push(`state: ${s.state.map(describeState).join(", ")}`);
      if (s.timers.length > 0) details.push(`timers: ${s.timers.map((t) => `${t.name} (${t.domain})`).join(", ")}`);
      if (s.sideInputs.length > 0)
        details.push(`side inputs: ${s.sideInputs.map((si) => `${si.tag} <- ${si.collection} (${si.view})`).join(", ")}`);
      if (s.concurrency)
        details.push(`concurrency: ${s.concurrency.limit} in flight, ${s.concurrency.ordered ? "ordered" : "unordered"}`);
      const stateful = s.state.length > 0 || s.timers.length > 0;
      return { role: "transform", summary: stateful ? "stateful" : "", details, sideInputs: s.sideInputs };
    },
    groupByKey: (s) => plain("grouping", inputWindow(s), [`windowing: ${inputWindowing(s)}`]),
    combinePerKey: (s) =>
      plain("grouping", describeCombiner(s.combiner), [
        `combiner: ${describeCombiner(s.combiner)}`,
        `windowing: ${inputWindowing(s)}`,
      ]),
    combineGlobally: (s) =>
      plain("grouping", describeCombiner(s.combiner), [
        `combiner: ${describeCombiner(s.combiner)}`,
        `empty window: ${s.withDefaults ? "emits the combiner's empty result" : "emits nothing"}`,
        `windowing: ${inputWindowing(s)}`,
      ]),
    flatten: (s) => plain("transform", `${s.inputs.length} inputs`, []),
    windowInto: (s) =>
      plain(
        "windowing",
        describeWindowFn(s.strategy.windowFn),
        windowingParts(s.strategy).map(([label, value]) => `${label}: ${value}`),
      ),
    write: (s) => plain("sink", `${s.sink.kind} sink`, [`sink: ${s.sink.kind} ${json(s.sink.params)}`]),
  };
}

/** `map (parDo)`, or just `read` when the transform is the primitive itself. */
export const transformLabel = (step: StepNode): string =>
  step.transform === step.kind ? step.kind : `${step.transform} (${step.kind})`;

/** Every step's description, by step index. */
export function describeSteps(graph: PipelineGraph): StepDescription[] {
  const describer = stepDescriber(new Map(graph.collections.map((c) => [c.id, c])));
  return graph.steps.map((step) => visitStep(step, describer));
}
