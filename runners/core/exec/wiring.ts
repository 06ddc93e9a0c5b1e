import { type BuiltPipeline, type CombineFn, type StepNode, type StepVisitor, visitStep } from "../../../sdk/index.js";
import { type Clock } from "../clock.js";
import { listCombineFn } from "../grouping/list-combine.js";
import { BatchGroupOperator } from "./operators/batch-group.js";
import { GroupOperator } from "./operators/group.js";
import { type Operator, type Output, stepError } from "./operators/operator.js";
import { ParDoOperator } from "./operators/pardo.js";
import { FlattenOperator, PassOperator, WindowIntoOperator } from "./operators/simple.js";
import { WriteOperator } from "./operators/write.js";
import { type GraphIndex, groupEngine } from "./plan.js";

export interface WiringContext {
  readonly index: GraphIndex;
  readonly pipeline: BuiltPipeline;
  readonly outputOf: (collection: string) => Output;
  readonly clock: Clock;
  /** count.perElement fusion (plan.ts). */
  readonly fusion: { readonly passThrough: ReadonlySet<string>; readonly keysOnly: ReadonlySet<string> };
  /**
   * Whether groups may run on the batch engine (a JS accumulator per key and window that
   * fires once at the end of a bounded input). A runner that snapshots state says no: only
   * the shared core's window operator takes snapshots.
   */
  readonly batchEngine: boolean;
  /** A runner's own operator for a step (the local runner's DuckDB combine); null: the shared one. */
  readonly custom?: (step: StepNode) => Promise<Built> | null;
}

/** An operator and what to release when the run ends. */
export interface Built {
  readonly operator: Operator;
  readonly close?: () => Promise<void>;
}

type AnyCombine = CombineFn<unknown, unknown, unknown>;

export function runtimeOf<K extends "parDo" | "combine" | "write">(
  ctx: Pick<WiringContext, "pipeline">,
  step: StepNode,
  kind: K,
) {
  const r = ctx.pipeline.runtime.get(step.name);
  if (r?.kind !== kind) throw stepError(step.name, new Error(`internal: the pipeline's runtime has no ${kind} for this step`));
  return r as Extract<NonNullable<typeof r>, { kind: K }>;
}

/** The operator of each step kind: an exhaustive record, so a new kind fails to compile until it is handled here. */
export async function buildOperator(step: StepNode, ctx: WiringContext): Promise<Built> {
  const custom = ctx.custom?.(step);
  if (custom) return custom;
  const { index, outputOf } = ctx;
  const engine = (s: StepNode) => (ctx.batchEngine ? groupEngine(index, s) : "js");
  const inputWindowing = () => index.collection(step.inputs[0]!).windowing;
  const group = (shape: "perKey" | "globally", combineFn: AnyCombine, withDefaults = false): Built => ({
    operator: new GroupOperator({
      step: step.name,
      shape,
      strategy: inputWindowing(),
      combineFn,
      withDefaults,
      output: outputOf(step.outputs.main!),
      clock: ctx.clock,
    }),
  });
  const batch = (combineFn: AnyCombine, keysOnly = false): Built => ({
    operator: new BatchGroupOperator(step.name, inputWindowing(), combineFn, outputOf(step.outputs.main!), keysOnly),
  });
  const visitor: StepVisitor<Promise<Built>> = {
    read: () => Promise.reject(new Error(`internal: read step "${step.name}" is a source, not an operator`)),
    parDo: async (s) => {
      if (ctx.fusion.passThrough.has(s.name)) return { operator: new PassOperator(s.name, outputOf(s.outputs.main!)) };
      const r = runtimeOf(ctx, s, "parDo");
      const outputs = Object.fromEntries(Object.entries(s.outputs).map(([tag, id]) => [tag, outputOf(id)]));
      const sideInputs = s.sideInputs.map((node) => ({ node, windowFn: index.collection(node.collection).windowing.windowFn }));
      return {
        operator: new ParDoOperator({
          step: s,
          doFn: r.doFn,
          declarations: r.declarations,
          outputs,
          sideInputs,
          allowedLateness: inputWindowing().allowedLateness,
        }),
      };
    },
    groupByKey: async (s) =>
      engine(s) === "batch" ? batch(listCombineFn() as AnyCombine) : group("perKey", listCombineFn() as AnyCombine),
    combinePerKey: async (s) => {
      const fn = runtimeOf(ctx, s, "combine").combineFn;
      // "duckdb" here means no runner took the step (custom): the batch engine gives the same panes.
      return engine(s) === "js" ? group("perKey", fn) : batch(fn, ctx.fusion.keysOnly.has(s.name));
    },
    combineGlobally: async (s) => group("globally", runtimeOf(ctx, s, "combine").combineFn, s.withDefaults),
    flatten: async (s) => ({ operator: new FlattenOperator(s.name, s.inputs.length, outputOf(s.outputs.main!)) }),
    windowInto: async (s) => ({
      operator: s.assignWindows
        ? new WindowIntoOperator(s.name, s.strategy.windowFn, outputOf(s.outputs.main!))
        : new PassOperator(s.name, outputOf(s.outputs.main!)),
    }),
    write: async (s) => {
      const { sink } = runtimeOf(ctx, s, "write");
      if (!sink.writing) throw stepError(s.name, new Error(`sink kind "${sink.kind}" cannot be written: it has no writing side`));
      return { operator: new WriteOperator(s.name, sink.writing, 1) };
    },
  };
  return visitStep(step, visitor);
}
