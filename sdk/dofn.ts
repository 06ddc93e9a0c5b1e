import { type CombineFn, combinerRef } from "./combine.js";
import { type SideInputNode, type StateSpecNode, type TimerSpecNode } from "./graph.js";
import { type KV } from "./kv.js";
import { type PCollection } from "./pcollection.js";
import { type Instant } from "./time.js";
import { type PaneInfo } from "./windowing.js";
import { type Window } from "./windows.js";

// ---- State declarations: data for the graph, typed handles for the DoFn ----

export interface StateSpec<H> {
  readonly kind: StateSpecNode["kind"];
  readonly combiner?: CombineFn<never, unknown, unknown>;
  /** Phantom: the handle type a DoFn sees. */
  readonly __handle?: H;
}

export interface ValueState<T> {
  read(): T | undefined;
  write(value: T): void;
  clear(): void;
}
export interface BagState<T> {
  add(value: T): void;
  read(): readonly T[];
  isEmpty(): boolean;
  clear(): void;
}
export interface CombiningState<I, O> {
  add(value: I): void;
  read(): O;
  clear(): void;
}
export interface MapState<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): void;
  entries(): Iterable<[K, V]>;
  clear(): void;
}

export const valueState = <T>(): StateSpec<ValueState<T>> => Object.freeze({ kind: "value" as const });
export const bagState = <T>(): StateSpec<BagState<T>> => Object.freeze({ kind: "bag" as const });
export const combiningState = <I, A, O>(combiner: CombineFn<I, A, O>): StateSpec<CombiningState<I, O>> =>
  Object.freeze({ kind: "combining" as const, combiner: combiner as unknown as CombineFn<never, unknown, unknown> });
export const mapState = <K, V>(): StateSpec<MapState<K, V>> => Object.freeze({ kind: "map" as const });

export interface TimerSpec {
  readonly domain: TimerSpecNode["domain"];
}
export interface Timer {
  /** Sets (or moves) the timer; event-time timers fire when the watermark passes `at`. */
  set(at: Instant): void;
  clear(): void;
}
export const eventTimer = (): TimerSpec => Object.freeze({ domain: "eventTime" as const });
export const processingTimer = (): TimerSpec => Object.freeze({ domain: "processingTime" as const });

// ---- Side inputs ----

export interface SideInput<V> {
  readonly collection: PCollection<unknown>;
  readonly view: SideInputNode["view"];
  readonly __view?: V;
}

export const sideInput = {
  /** The single element of the matching window (an error if there are more). */
  singleton: <T>(pc: PCollection<T>): SideInput<T> => ({ collection: pc as PCollection<unknown>, view: "singleton" }),
  /** All elements of the matching window. */
  list: <T>(pc: PCollection<T>): SideInput<readonly T[]> => ({ collection: pc as PCollection<unknown>, view: "list" }),
  /** The matching window's KVs as a map (an error on duplicate keys). */
  map: <K, V>(pc: PCollection<KV<K, V>>): SideInput<ReadonlyMap<K, V>> => ({
    collection: pc as PCollection<unknown>,
    view: "map",
  }),
  /** The matching window's KVs grouped by key. */
  multimap: <K, V>(pc: PCollection<KV<K, V>>): SideInput<ReadonlyMap<K, readonly V[]>> => ({
    collection: pc as PCollection<unknown>,
    view: "multimap",
  }),
};

/** A tag for an additional output of a DoFn; the type is its element type. */
export interface OutputTag<T> {
  readonly __element?: T;
}
export const outputTag = <T>(): OutputTag<T> => Object.freeze({});

// ---- The DoFn and its contexts ----

/** What a DoFn declares beyond its main output; each part becomes typed members of its context. */
export interface DoFnDeclarations {
  readonly state?: Readonly<Record<string, StateSpec<unknown>>>;
  readonly timers?: Readonly<Record<string, TimerSpec>>;
  readonly sideInputs?: Readonly<Record<string, SideInput<unknown>>>;
  readonly outputs?: Readonly<Record<string, OutputTag<unknown>>>;
}

type Handles<S> = { readonly [K in keyof S]: S[K] extends StateSpec<infer H> ? H : never };
type Views<S> = { readonly [K in keyof S]: S[K] extends SideInput<infer V> ? V : never };
type Tagged<S> = { readonly [K in keyof S]: S[K] extends OutputTag<infer T> ? T : never };

interface OutputContext<O, D extends DoFnDeclarations> {
  /** Emits to the main output with the input's timestamp and windows. */
  output(value: O): void;
  /** Emits with another timestamp (not earlier than the input's minus the allowed skew). */
  outputWithTimestamp(value: O, timestamp: Instant): void;
  /** Emits to an additional output declared in `outputs`. */
  outputTo<K extends keyof Tagged<D["outputs"]>>(tag: K, value: Tagged<D["outputs"]>[K]): void;
}

export interface ProcessContext<O, D extends DoFnDeclarations = DoFnDeclarations> extends OutputContext<O, D> {
  readonly timestamp: Instant;
  readonly window: Window;
  readonly pane: PaneInfo;
  /** True when the element withdraws an earlier pane's result (retracting accumulation). */
  readonly retraction: boolean;
  readonly state: Handles<D["state"]>;
  readonly timers: { readonly [K in keyof D["timers"]]: Timer };
  readonly side: Views<D["sideInputs"]>;
}

export interface TimerContext<O, D extends DoFnDeclarations = DoFnDeclarations> extends OutputContext<O, D> {
  /** The key whose timer fired (stateful DoFns run on KV input). */
  readonly key: unknown;
  /** When the timer was set to fire. */
  readonly timestamp: Instant;
  readonly window: Window;
  readonly domain: TimerSpecNode["domain"];
  readonly state: Handles<D["state"]>;
  readonly timers: { readonly [K in keyof D["timers"]]: Timer };
}

export interface FinishBundleContext<O> {
  /** Emits at the end of a bundle, into the window and timestamp given. */
  output(value: O, timestamp: Instant, window: Window): void;
}

/**
 * Per-element processing (Beam's DoFn). Lifecycle: setup once per instance, then per
 * bundle startBundle, process for each element, finishBundle; teardown at the end.
 * `process` may be async; the runner awaits it before counting the element done.
 */
export interface DoFn<I, O, D extends DoFnDeclarations = DoFnDeclarations> {
  setup?(): void | Promise<void>;
  startBundle?(): void | Promise<void>;
  process(element: I, ctx: ProcessContext<O, D>): void | Promise<void>;
  finishBundle?(ctx: FinishBundleContext<O>): void | Promise<void>;
  teardown?(): void | Promise<void>;
  /** Timer callbacks by timer name. */
  onTimer?: { readonly [K in keyof D["timers"]]?: (ctx: TimerContext<O, D>) => void | Promise<void> };
}

/** The graph's view of a DoFn's declarations. */
export function declarationNodes(d: DoFnDeclarations, collectionId: (pc: PCollection<unknown>) => string) {
  const state: StateSpecNode[] = Object.entries(d.state ?? {}).map(([name, s]) => ({
    name,
    kind: s.kind,
    combiner: s.combiner ? combinerRef(s.combiner) : null,
  }));
  const timers: TimerSpecNode[] = Object.entries(d.timers ?? {}).map(([name, t]) => ({ name, domain: t.domain }));
  const sideInputs: SideInputNode[] = Object.entries(d.sideInputs ?? {}).map(([tag, s]) => ({
    tag,
    collection: collectionId(s.collection),
    view: s.view,
  }));
  return { state, timers, sideInputs };
}
