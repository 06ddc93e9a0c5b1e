import { z } from "zod";
import { type GraphProblem } from "./builder.js";
import { GRAPH_VERSION, type Json, type PipelineGraph, deepFreeze } from "./graph.js";
import { type Trigger } from "./triggers.js";
import { PipelineValidationError, validateGraph } from "./validate.js";

// The zod form of the graph: what a runner checks before it trusts a graph from JSON.

const json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]),
);
const duration = z.number().int();

const trigger: z.ZodType<Trigger> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("default") }),
    z.object({ kind: z.literal("afterWatermark"), early: trigger.nullable(), late: trigger.nullable() }),
    z.object({ kind: z.literal("afterProcessingTime"), delay: duration }),
    z.object({ kind: z.literal("afterCount"), count: z.number().int() }),
    z.object({ kind: z.literal("repeatedly"), trigger }),
    z.object({ kind: z.enum(["afterEach", "afterAny", "afterAll"]), triggers: z.array(trigger) }),
    z.object({ kind: z.literal("orFinally"), trigger, until: trigger }),
    z.object({ kind: z.literal("never") }),
  ]),
) as z.ZodType<Trigger>;

const windowFn = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("global") }),
  z.object({ kind: z.literal("fixed"), size: duration, offset: duration }),
  z.object({ kind: z.literal("sliding"), size: duration, period: duration, offset: duration }),
  z.object({ kind: z.literal("sessions"), gap: duration }),
  z.object({ kind: z.literal("calendarDays"), days: z.number().int(), timeZone: z.string() }),
]);

const behavior = z.enum(["fireAlways", "fireIfNonEmpty"]);
const windowing = z.object({
  windowFn,
  trigger,
  accumulation: z.enum(["discarding", "accumulating", "retracting"]),
  allowedLateness: duration,
  timestampCombiner: z.enum(["endOfWindow", "earliest", "latest"]),
  onTimeBehavior: behavior,
  closingBehavior: behavior,
});

const schema = z.object({
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.enum(["utf8", "dictionary", "float64", "int64", "int32", "bigint64", "bool", "timestamp_ms"]),
      nullable: z.boolean(),
    }),
  ),
});

const combiner = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("builtin"),
    name: z.enum(["count", "sum", "min", "max", "mean", "countDistinct", "top", "any"]),
    params: json,
  }),
  z.object({ kind: z.literal("user"), canRetract: z.boolean() }),
]);

const base = {
  name: z.string().min(1),
  derivedName: z.boolean(),
  transform: z.string(),
  params: json,
  parent: z.string().nullable(),
  inputs: z.array(z.string()),
  outputs: z.record(z.string(), z.string()),
};

const step = z.discriminatedUnion("kind", [
  z.object({
    ...base,
    kind: z.literal("read"),
    source: z.object({ kind: z.string(), bounded: z.boolean(), params: json }),
    eventTime: z.boolean(),
    maxDelay: duration,
    idleTimeout: duration.nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal("parDo"),
    state: z.array(
      z.object({ name: z.string(), kind: z.enum(["value", "bag", "combining", "map"]), combiner: combiner.nullable() }),
    ),
    timers: z.array(z.object({ name: z.string(), domain: z.enum(["eventTime", "processingTime"]) })),
    sideInputs: z.array(
      z.object({ tag: z.string(), collection: z.string(), view: z.enum(["singleton", "list", "map", "multimap"]) }),
    ),
    concurrency: z.object({ limit: z.number(), ordered: z.boolean() }).nullable(),
  }),
  z.object({ ...base, kind: z.literal("groupByKey") }),
  z.object({ ...base, kind: z.literal("combinePerKey"), combiner }),
  z.object({ ...base, kind: z.literal("combineGlobally"), combiner, withDefaults: z.boolean() }),
  z.object({ ...base, kind: z.literal("flatten") }),
  z.object({ ...base, kind: z.literal("windowInto"), strategy: windowing, assignWindows: z.boolean() }),
  z.object({ ...base, kind: z.literal("write"), sink: z.object({ kind: z.string(), params: json }) }),
]);

export const pipelineGraphSchema = z.object({
  version: z.literal(GRAPH_VERSION),
  pipeline: z.string(),
  steps: z.array(step),
  collections: z.array(
    z.object({
      id: z.string(),
      producer: z.string(),
      tag: z.string(),
      bounded: z.boolean(),
      windowing,
      schema: schema.nullable(),
    }),
  ),
  composites: z.array(
    z.object({
      name: z.string(),
      derivedName: z.boolean(),
      transform: z.string(),
      params: json,
      parent: z.string().nullable(),
      inputs: z.array(z.string()),
      outputs: z.record(z.string(), z.string()),
    }),
  ),
});

/** Serialises a graph as JSON text. */
export const graphToJson = (graph: PipelineGraph): string => JSON.stringify(graph);

/**
 * Loads a graph from JSON text or a parsed value: checks its form with zod, then its
 * semantics; throws one error that lists every problem, each naming its step.
 */
export function loadGraph(input: string | unknown): PipelineGraph {
  const value: unknown = typeof input === "string" ? JSON.parse(input) : input;
  const parsed = pipelineGraphSchema.safeParse(value);
  const name = (value as { pipeline?: unknown } | null)?.pipeline;
  const pipeline = typeof name === "string" ? name : "<unknown>";
  if (!parsed.success) {
    const problems: GraphProblem[] = parsed.error.issues.map((issue) => ({
      step: stepAt(value, issue.path),
      message: `${issue.path.join(".")}: ${issue.message}`,
    }));
    throw new PipelineValidationError(pipeline, problems);
  }
  const graph = deepFreeze(parsed.data as PipelineGraph);
  const problems = validateGraph(graph);
  if (problems.length > 0) throw new PipelineValidationError(pipeline, problems);
  return graph;
}

/** The step a zod issue path points into, for the message. */
function stepAt(value: unknown, path: readonly PropertyKey[]): string {
  if (path[0] !== "steps" || typeof path[1] !== "number") return "<graph>";
  const s = (value as { steps?: { name?: unknown }[] }).steps?.[path[1]];
  return typeof s?.name === "string" ? s.name : `steps[${path[1]}]`;
}
