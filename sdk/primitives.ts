import { type CombineFn, combinerRef } from "./combine.js";
import { type DoFn, type DoFnDeclarations, type OutputTag, declarationNodes } from "./dofn.js";
import { type KV } from "./kv.js";
import { type PCollection } from "./pcollection.js";
import { type Duration } from "./time.js";
import { type PTransform, defineTransform } from "./transform.js";
import { type Trigger } from "./triggers.js";
import {
  type AccumulationMode,
  type ClosingBehavior,
  type OnTimeBehavior,
  type TimestampCombiner,
  type WindowingStrategy,
} from "./windowing.js";
import { type WindowFn } from "./windows.js";

export interface ParDoOptions<O, D extends DoFnDeclarations> {
  /** The main output's element type, when it cannot be written as a type argument (with declarations). */
  readonly output?: OutputTag<O>;
  /** A stable step name; required when the DoFn declares state or timers. */
  readonly name?: string;
  /** The kind runners see (`map`, `filter`, ...); library transforms set it. */
  readonly kind?: string;
  /** For async `process`: how many elements may be in flight, and whether outputs keep input order. */
  readonly concurrency?: { readonly limit: number; readonly ordered: boolean };
  readonly declarations?: D;
}

type TaggedCollections<D extends DoFnDeclarations> = {
  readonly [K in keyof D["outputs"]]: D["outputs"][K] extends OutputTag<infer T> ? PCollection<T> : never;
};

/** Outputs of a DoFn with additional outputs: `main` plus one collection per tag. */
export type ParDoOutputs<O, D extends DoFnDeclarations> = { readonly main: PCollection<O> } & TaggedCollections<D>;

/** The main output, or `{ main, ...tags }` when the DoFn declares additional outputs. */
export type ParDoResult<O, D extends DoFnDeclarations> = D extends { readonly outputs: infer T }
  ? [keyof T] extends [never]
    ? PCollection<O>
    : ParDoOutputs<O, D>
  : PCollection<O>;

/**
 * Element-wise processing with a DoFn (Beam's ParDo). Declarations (state, timers, side
 * inputs, additional outputs) type the DoFn's context and are recorded in the graph.
 */
export function parDo<I, O, const D extends DoFnDeclarations = Record<never, never>>(
  fn: DoFn<I, O, D>,
  options: ParDoOptions<O, D> = {},
): PTransform<PCollection<I>, ParDoResult<O, D>> {
  const d: DoFnDeclarations = options.declarations ?? {};
  const tags = Object.keys(d.outputs ?? {});
  return defineTransform({ kind: options.kind ?? "parDo", name: options.name, atomic: true }, (input: PCollection<I>) => {
    const node = input._builder.collection(input.id);
    const decl = declarationNodes(d, (pc) => pc.id);
    const same = { bounded: node.bounded, windowing: node.windowing };
    const out = input._builder.addStep(
      { kind: "parDo", ...decl, concurrency: options.concurrency ?? null },
      [input as PCollection<unknown>, ...Object.values(d.sideInputs ?? {}).map((s) => s.collection)],
      [{ tag: "main", ...same, schema: null }, ...tags.map((tag) => ({ tag, ...same, schema: null }))],
      { kind: "parDo", doFn: fn as unknown as DoFn<unknown, unknown>, declarations: d },
    );
    return (tags.length === 0 ? out.main : out) as ParDoResult<O, D>;
  });
}

/** Groups values by key within each window (Beam's GroupByKey). */
export const groupByKey = (name?: string) =>
  defineTransform({ kind: "groupByKey", name, atomic: true }, <K, V>(input: PCollection<KV<K, V>>): PCollection<KV<K, V[]>> => {
    const node = input._builder.collection(input.id);
    const out = input._builder.addStep(
      { kind: "groupByKey" },
      [input as PCollection<unknown>],
      [{ tag: "main", bounded: node.bounded, windowing: node.windowing, schema: null }],
    );
    return out.main as PCollection<KV<K, V[]>>;
  });

/** Combines the values of each key within each window; `kind` and `params` let runners recognise it. */
export const combinePerKey = <V, A, O>(combineFn: CombineFn<V, A, O>, name?: string, kind = "combine.perKey") =>
  defineTransform({ kind, name, atomic: true }, <K>(input: PCollection<KV<K, V>>): PCollection<KV<K, O>> => {
    const node = input._builder.collection(input.id);
    const out = input._builder.addStep(
      { kind: "combinePerKey", combiner: combinerRef(combineFn as CombineFn<never, unknown, unknown>) },
      [input as PCollection<unknown>],
      [{ tag: "main", bounded: node.bounded, windowing: node.windowing, schema: null }],
      { kind: "combine", combineFn: combineFn as CombineFn<unknown, unknown, unknown> },
    );
    return out.main as PCollection<KV<K, O>>;
  });

/** Combines all elements of each window into one (empty global window: the empty result unless `withoutDefaults`). */
export const combineGlobally = <I, A, O>(
  combineFn: CombineFn<I, A, O>,
  options: { name?: string; kind?: string; withoutDefaults?: boolean } = {},
): PTransform<PCollection<I>, PCollection<O>> =>
  defineTransform({ kind: options.kind ?? "combine.globally", name: options.name, atomic: true }, (input: PCollection<I>) => {
    const node = input._builder.collection(input.id);
    const out = input._builder.addStep(
      {
        kind: "combineGlobally",
        combiner: combinerRef(combineFn as CombineFn<never, unknown, unknown>),
        withDefaults: !options.withoutDefaults,
      },
      [input as PCollection<unknown>],
      [{ tag: "main", bounded: node.bounded, windowing: node.windowing, schema: null }],
      { kind: "combine", combineFn: combineFn as CombineFn<unknown, unknown, unknown> },
    );
    return out.main as PCollection<O>;
  });

/** Merges collections of one element type into one (Beam's Flatten). */
export const flattenCollections = <T>(name?: string) =>
  defineTransform({ kind: "flatten", name, atomic: true }, (inputs: readonly PCollection<T>[]): PCollection<T> => {
    const first = inputs[0];
    if (!first) throw new Error("flatten needs at least one collection");
    const nodes = inputs.map((pc) => first._builder.collection(pc.id));
    const windowing = nodes[0]!.windowing;
    const out = first._builder.addStep({ kind: "flatten" }, inputs as readonly PCollection<unknown>[], [
      { tag: "main", bounded: nodes.every((n) => n.bounded), windowing, schema: sameSchema(nodes.map((n) => n.schema)) },
    ]);
    return out.main as PCollection<T>;
  });

const sameSchema = <S>(schemas: S[]): S | null => {
  const json = schemas.map((s) => JSON.stringify(s));
  return json.every((j) => j === json[0]) ? (schemas[0] ?? null) : null;
};

export interface WindowIntoOptions {
  readonly trigger?: Trigger;
  readonly accumulation?: AccumulationMode;
  readonly allowedLateness?: Duration;
  readonly timestampCombiner?: TimestampCombiner;
  readonly onTimeBehavior?: OnTimeBehavior;
  readonly closingBehavior?: ClosingBehavior;
  readonly name?: string;
}

/**
 * Sets where (window function) and when (trigger, lateness, accumulation) for grouping
 * downstream. Options left out keep the input's, as Beam's Window.into does.
 */
export const windowInto = (windowFn: WindowFn, options: WindowIntoOptions = {}) => windowingStep(windowFn, options);

/**
 * Changes only when (trigger, lateness, accumulation, ...) and keeps each element's
 * windows as they are (Beam's Window.configure()): no re-assignment, so merged sessions
 * and sliding windows survive.
 */
export const configureWindowing = (options: WindowIntoOptions) => windowingStep(null, options);

const windowingStep = (windowFn: WindowFn | null, options: WindowIntoOptions) =>
  defineTransform(
    { kind: windowFn ? "windowInto" : "configureWindowing", name: options.name, atomic: true },
    <T>(input: PCollection<T>): PCollection<T> => {
      const node = input._builder.collection(input.id);
      const { name: _name, ...given } = options;
      const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      const strategy: WindowingStrategy = Object.freeze({
        ...node.windowing,
        ...defined,
        windowFn: windowFn ?? node.windowing.windowFn,
      });
      const out = input._builder.addStep(
        { kind: "windowInto", strategy, assignWindows: windowFn !== null },
        [input as PCollection<unknown>],
        [{ tag: "main", bounded: node.bounded, windowing: strategy, schema: node.schema }],
      );
      return out.main as PCollection<T>;
    },
  );
