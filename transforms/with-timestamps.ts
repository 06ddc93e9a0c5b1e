import { type Instant, type PCollection, type PTransform, parDo } from "../sdk/index.js";

/** Sets each element's event time from its content (runners reject moves too far into the past). */
export const withTimestamps = <T>(fn: (element: T) => Instant, name?: string): PTransform<PCollection<T>, PCollection<T>> =>
  parDo<T, T>({ process: (element, ctx) => ctx.outputWithTimestamp(element, fn(element)) }, { kind: "withTimestamps", name });
