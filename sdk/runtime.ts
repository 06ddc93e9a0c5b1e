import { type CombineFn } from "./combine.js";
import { type DoFn, type DoFnDeclarations } from "./dofn.js";
import { type Sink, type Source } from "./io.js";
import { type Instant } from "./time.js";

/**
 * The user code behind a step, keyed by step name. It never enters the graph: each
 * thread that runs a pipeline imports the module and builds its own runtime, and the
 * graph hash proves it built the same pipeline.
 */
export type StepRuntime =
  | { readonly kind: "read"; readonly source: Source<unknown>; readonly eventTime?: (value: unknown) => Instant }
  | { readonly kind: "parDo"; readonly doFn: DoFn<unknown, unknown>; readonly declarations: DoFnDeclarations }
  | { readonly kind: "combine"; readonly combineFn: CombineFn<unknown, unknown, unknown> }
  | { readonly kind: "write"; readonly sink: Sink<unknown> };

export type PipelineRuntime = ReadonlyMap<string, StepRuntime>;
