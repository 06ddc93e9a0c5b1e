import { type Duration } from "./time.js";
import { type SchemaDescriptor } from "./schema.js";
import { type WindowingStrategy } from "./windowing.js";

/**
 * The portable pipeline graph: plain, frozen, JSON-serialisable data. Runners execute
 * this; user code (DoFns, CombineFns, sources, sinks) stays in the module and is looked
 * up by step name in the runtime that the same module's build produces.
 */
export const GRAPH_VERSION = 1;

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A collection: the output of one step under one tag. */
export interface CollectionNode {
  readonly id: string;
  readonly producer: string;
  readonly tag: string;
  readonly bounded: boolean;
  readonly windowing: WindowingStrategy;
  readonly schema: SchemaDescriptor | null;
}

interface StepBase {
  /** Full hierarchical name, unique in the graph: `Parent/Child`. */
  readonly name: string;
  /** True when any segment of the name was derived from position, not given by the user. */
  readonly derivedName: boolean;
  /** The transform that produced this step (`map`, `sum.perKey`, `parDo`, ...); runners recognise well-known ones. */
  readonly transform: string;
  /** JSON parameters of that transform, for runners that recognise it. */
  readonly params: Json;
  /** The enclosing composite's name, or null at top level. */
  readonly parent: string | null;
  readonly inputs: readonly string[];
  /** Output collections by tag; the main output is `main`. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface ReadStep extends StepBase {
  readonly kind: "read";
  readonly source: { readonly kind: string; readonly bounded: boolean; readonly params: Json };
  /** Whether the user gave an event-time extractor (else the source's own timestamps). */
  readonly eventTime: boolean;
  /** Bound on out-of-orderness for the watermark: max seen event time minus this. */
  readonly maxDelay: Duration;
  /** A partition idle this long stops holding the watermark back; null: never idle. */
  readonly idleTimeout: Duration | null;
}

export interface StateSpecNode {
  readonly name: string;
  readonly kind: "value" | "bag" | "combining" | "map";
  /** For combining state: the combiner's identity. */
  readonly combiner: CombinerRef | null;
}

export interface TimerSpecNode {
  readonly name: string;
  readonly domain: "eventTime" | "processingTime";
}

export interface SideInputNode {
  readonly tag: string;
  readonly collection: string;
  readonly view: "singleton" | "list" | "map" | "multimap";
}

export interface ParDoStep extends StepBase {
  readonly kind: "parDo";
  readonly state: readonly StateSpecNode[];
  readonly timers: readonly TimerSpecNode[];
  readonly sideInputs: readonly SideInputNode[];
  /** Bounded concurrency for async `process`, and whether outputs keep input order. */
  readonly concurrency: { readonly limit: number; readonly ordered: boolean } | null;
}

export interface GroupByKeyStep extends StepBase {
  readonly kind: "groupByKey";
}

/** A combiner either built in (runners may execute it natively, e.g. as SQL) or user code. */
export type CombinerRef =
  | { readonly kind: "builtin"; readonly name: BuiltinCombiner; readonly params: Json }
  | { readonly kind: "user"; readonly canRetract: boolean };

export type BuiltinCombiner = "count" | "sum" | "min" | "max" | "mean" | "countDistinct" | "top" | "any";

export interface CombinePerKeyStep extends StepBase {
  readonly kind: "combinePerKey";
  readonly combiner: CombinerRef;
}

export interface CombineGloballyStep extends StepBase {
  readonly kind: "combineGlobally";
  readonly combiner: CombinerRef;
  /** Emit the combiner's empty result for an empty global window (Beam's default). */
  readonly withDefaults: boolean;
}

export interface FlattenStep extends StepBase {
  readonly kind: "flatten";
}

export interface WindowIntoStep extends StepBase {
  readonly kind: "windowInto";
  readonly strategy: WindowingStrategy;
  /** False for configureWindowing: elements keep their windows, only the trigger and options change. */
  readonly assignWindows: boolean;
}

export interface WriteStep extends StepBase {
  readonly kind: "write";
  readonly sink: { readonly kind: string; readonly params: Json };
}

/** The primitives: a closed union keyed by `kind`. */
export type StepNode =
  ReadStep | ParDoStep | GroupByKeyStep | CombinePerKeyStep | CombineGloballyStep | FlattenStep | WindowIntoStep | WriteStep;

export type StepKind = StepNode["kind"];

export const STEP_KINDS: readonly StepKind[] = Object.freeze([
  "read",
  "parDo",
  "groupByKey",
  "combinePerKey",
  "combineGlobally",
  "flatten",
  "windowInto",
  "write",
]);

/** A composite transform: a named scope whose steps together implement `transform`. */
export interface CompositeNode {
  readonly name: string;
  readonly derivedName: boolean;
  readonly transform: string;
  readonly params: Json;
  readonly parent: string | null;
  readonly inputs: readonly string[];
  readonly outputs: Readonly<Record<string, string>>;
}

export interface PipelineGraph {
  readonly version: typeof GRAPH_VERSION;
  readonly pipeline: string;
  /** Steps in construction order, which is a topological order. */
  readonly steps: readonly StepNode[];
  readonly collections: readonly CollectionNode[];
  readonly composites: readonly CompositeNode[];
}

/** An exhaustive visitor: adding a step kind fails to compile until every visitor handles it. */
export type StepVisitor<R> = { readonly [K in StepKind]: (step: Extract<StepNode, { kind: K }>) => R };

export function visitStep<R>(step: StepNode, visitor: StepVisitor<R>): R {
  return (visitor[step.kind] as (s: StepNode) => R)(step);
}

/** Freezes a graph (or any plain value) all the way down. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
