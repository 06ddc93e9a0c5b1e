import { type PCollection, type PTransform, parDo } from "../sdk/index.js";

/** One output per element. */
export const map = <I, O>(fn: (element: I) => O, name?: string): PTransform<PCollection<I>, PCollection<O>> =>
  parDo<I, O>({ process: (element, ctx) => ctx.output(fn(element)) }, { kind: "map", name });
