// The user's view of the model: pipelines, collections, time, windows, triggers, primitives.
export { Pipeline, isPipelineDefinition, type BuiltPipeline, type PipelineDefinition } from "./pipeline.js";
export { PCollection, Root, type PDone } from "./pcollection.js";
export { type PTransform, type TransformMeta, defineTransform, metaOf, withName } from "./transform.js";
export { type KV, kv, isKV } from "./kv.js";
export * from "./time.js";
export * from "./windows.js";
export * from "./triggers.js";
export * from "./windowing.js";
export * from "./combine.js";
export * from "./dofn.js";
export * from "./primitives.js";
export * from "./graph.js";
export {
  type Source,
  type Sink,
  type ReadOptions,
  type DeadLetter,
  BadRecordError,
  type ReadContext,
  type SourceSplit,
  type ReadChunk,
  type SourceReading,
  type WriteContext,
  type ShardWriter,
  type SinkWriting,
} from "./io.js";
export { type RecordSchema, type SchemaDescriptor, type FieldDescriptor, type ArrowFieldType, describeSchema } from "./schema.js";
export { type GraphProblem, GraphBuilder, type StepBody, type OutputSpec, type ReadWithDeadLetters } from "./builder.js";
export { validateGraph, PipelineValidationError } from "./validate.js";
export { loadGraph, graphToJson, pipelineGraphSchema } from "./graph-schema.js";
export { graphHash, canonicalJson } from "./hash.js";
export { OptionsError, resolveOptions, parseFlags, type OptionsSchema } from "./options.js";
export { type StepRuntime, type PipelineRuntime } from "./runtime.js";
