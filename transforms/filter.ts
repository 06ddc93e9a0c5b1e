import { type PCollection, type PTransform, parDo } from "../sdk/index.js";

/** Keeps the elements for which `predicate` is true; a type guard narrows the element type. */
export function filter<I, O extends I>(
  predicate: (element: I) => element is O,
  name?: string,
): PTransform<PCollection<I>, PCollection<O>>;
export function filter<I>(predicate: (element: I) => boolean, name?: string): PTransform<PCollection<I>, PCollection<I>>;
export function filter<I>(predicate: (element: I) => boolean, name?: string): PTransform<PCollection<I>, PCollection<I>> {
  return parDo<I, I>(
    {
      process: (element, ctx) => {
        if (predicate(element)) ctx.output(element);
      },
    },
    { kind: "filter", name },
  );
}
