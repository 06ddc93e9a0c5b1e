// Test support: build small pipelines and run their pure user code without a runner.
import { z } from "zod";
import {
  type BuiltPipeline,
  type CombineFn,
  type CompositeNode,
  type DoFn,
  GLOBAL_WINDOW,
  type Instant,
  NO_FIRING,
  Pipeline,
  type ProcessContext,
  type Root,
  type Source,
  type StepNode,
} from "../../sdk/index.js";

/** An in-memory source as the graph sees it; no runner reads it here. */
export const memory = <T>(bounded = true): Source<T> => ({ kind: "memory", bounded, params: null });

export const build = (fn: (p: Root) => unknown): BuiltPipeline => Pipeline.define("t", z.object({}), fn).build({});

export function step(built: BuiltPipeline, name: string): StepNode {
  const s = built.graph.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}; steps: ${built.graph.steps.map((x) => x.name).join(", ")}`);
  return s;
}

export function composite(built: BuiltPipeline, name: string): CompositeNode {
  const c = built.graph.composites.find((x) => x.name === name);
  if (!c) throw new Error(`no composite ${name}; composites: ${built.graph.composites.map((x) => x.name).join(", ")}`);
  return c;
}

/** Step name, step kind and transform kind of every step, in order: the shape of a graph at a glance. */
export const shape = (built: BuiltPipeline) => built.graph.steps.map((s) => [s.name, s.kind, s.transform]);

export function doFnOf(built: BuiltPipeline, name: string): DoFn<unknown, unknown> {
  const r = built.runtime.get(name);
  if (r?.kind !== "parDo") throw new Error(`step ${name} has no DoFn`);
  return r.doFn;
}

export function combineFnOf(built: BuiltPipeline, name: string): CombineFn<unknown, unknown, unknown> {
  const r = built.runtime.get(name);
  if (r?.kind !== "combine") throw new Error(`step ${name} has no CombineFn`);
  return r.combineFn;
}

export interface Emitted {
  readonly value: unknown;
  /** The timestamp given with outputWithTimestamp, else the input's. */
  readonly timestamp: Instant;
  /** "main" or the additional output's tag. */
  readonly tag: string;
}

/** Runs a DoFn over elements in one bundle with a context that records what it emits. */
export async function runDoFn(
  fn: DoFn<unknown, unknown>,
  elements: readonly unknown[],
  timestampOf: (element: unknown, i: number) => Instant = () => 0,
): Promise<Emitted[]> {
  const out: Emitted[] = [];
  await fn.startBundle?.();
  for (const [i, element] of elements.entries()) {
    const timestamp = timestampOf(element, i);
    const ctx = {
      timestamp,
      window: GLOBAL_WINDOW,
      pane: NO_FIRING,
      state: {},
      timers: {},
      side: {},
      output: (value: unknown) => out.push({ value, timestamp, tag: "main" }),
      outputWithTimestamp: (value: unknown, at: Instant) => out.push({ value, timestamp: at, tag: "main" }),
      outputTo: (tag: string, value: unknown) => out.push({ value, timestamp, tag }),
    } as unknown as ProcessContext<unknown>;
    await fn.process(element, ctx);
  }
  return out;
}

/** The main outputs' values of a DoFn run. */
export const outputs = async (fn: DoFn<unknown, unknown>, elements: readonly unknown[]) =>
  (await runDoFn(fn, elements)).map((e) => e.value);

/** Combines inputs the way a runner may: two partial accumulators, then a merge. */
export function runCombine(fn: CombineFn<unknown, unknown, unknown>, inputs: readonly unknown[]): unknown {
  const half = Math.ceil(inputs.length / 2);
  const partial = (xs: readonly unknown[]) => xs.reduce((acc, x) => fn.addInput(acc, x), fn.createAccumulator());
  return fn.extractOutput(fn.mergeAccumulators([partial(inputs.slice(0, half)), partial(inputs.slice(half))]));
}

/** Groups KVs by key (compared as JSON) in first-seen order, as a groupByKey would within one window. */
export function groupKVs(elements: readonly unknown[]): { key: unknown; value: unknown[] }[] {
  const groups = new Map<string, { key: unknown; value: unknown[] }>();
  for (const e of elements as { key: unknown; value: unknown }[]) {
    const id = JSON.stringify(e.key);
    const g = groups.get(id) ?? { key: e.key, value: [] };
    g.value.push(e.value);
    groups.set(id, g);
  }
  return [...groups.values()];
}
