import { type PCollection, type PTransform, parDo } from "../sdk/index.js";

/** Zero or more outputs per element. */
export const flatMap = <I, O>(fn: (element: I) => Iterable<O>, name?: string): PTransform<PCollection<I>, PCollection<O>> =>
  parDo<I, O>(
    {
      process: (element, ctx) => {
        for (const out of fn(element)) ctx.output(out);
      },
    },
    { kind: "flatMap", name },
  );
