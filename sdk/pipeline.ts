import { type z } from "zod";
import { GraphBuilder } from "./builder.js";
import { type PipelineGraph } from "./graph.js";
import { graphHash } from "./hash.js";
import { type OptionsSchema, resolveOptions } from "./options.js";
import { type Root } from "./pcollection.js";
import { type PipelineRuntime } from "./runtime.js";
import { PipelineValidationError, validateGraph } from "./validate.js";

const BRAND = Symbol.for("beamline.pipeline");

/** A built pipeline: the portable graph, its hash, and the user code behind its steps. */
export interface BuiltPipeline<O = unknown> {
  readonly graph: PipelineGraph;
  readonly hash: string;
  readonly runtime: PipelineRuntime;
  readonly options: O;
}

/** What a pipeline module exports as default: a name, an options schema and a build function. */
export interface PipelineDefinition<S extends OptionsSchema = OptionsSchema> {
  readonly [BRAND]: true;
  readonly name: string;
  readonly optionsSchema: S;
  /** Validates options from CLI flags (`--input=x`) or an object; lists every problem at once. */
  parseOptions(input: readonly string[] | Record<string, unknown>): z.output<S>;
  /** Builds the graph; throws PipelineValidationError listing every problem, each naming its step. */
  build(options: z.output<S>): BuiltPipeline<z.output<S>>;
  /** parseOptions, then build. */
  buildFromArgs(input: readonly string[] | Record<string, unknown>): BuiltPipeline<z.output<S>>;
}

/**
 * Defines a pipeline. `build` must be deterministic: every worker imports the module and
 * builds the graph again, and runners compare hashes instead of shipping closures.
 */
function define<S extends OptionsSchema>(
  name: string,
  optionsSchema: S,
  build: (p: Root, options: z.output<S>) => unknown,
): PipelineDefinition<S> {
  const def: PipelineDefinition<S> = {
    [BRAND]: true,
    name,
    optionsSchema,
    parseOptions: (input) => resolveOptions(name, optionsSchema, input),
    build(options) {
      const builder = new GraphBuilder(name);
      build(builder.root, options);
      const { graph, runtime, problems } = builder.finish();
      const all = [
        ...problems,
        ...validateGraph(graph).filter((p) => !problems.some((q) => q.step === p.step && q.message === p.message)),
      ];
      if (all.length > 0) throw new PipelineValidationError(name, all);
      return Object.freeze({ graph, hash: graphHash(graph), runtime, options });
    },
    buildFromArgs: (input) => def.build(def.parseOptions(input)),
  };
  return Object.freeze(def);
}

/** Whether a module's default export is a pipeline definition (from any copy of beamline). */
export const isPipelineDefinition = (x: unknown): x is PipelineDefinition =>
  typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;

export const Pipeline = Object.freeze({ define });
