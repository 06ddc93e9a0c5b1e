import { type OutputTag, type PCollection, type PTransform, defineTransform, outputTag, parDo } from "../sdk/index.js";

/** Splits a collection into n by `fn(element, n)`, in one step with one output per partition. */
export const partition = <T>(
  n: number,
  fn: (element: T, n: number) => number,
  name?: string,
): PTransform<PCollection<T>, readonly PCollection<T>[]> => {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`partition needs a positive whole number of partitions, got ${n}`);
  // Output tags are the partition indexes, so the graph shows which output is which.
  const tags = Array.from({ length: n }, (_, i) => String(i));
  const outputs: Record<string, OutputTag<T>> = Object.fromEntries(tags.map((tag) => [tag, outputTag<T>()]));
  const route = parDo<T, never, { outputs: Record<string, OutputTag<T>> }>(
    {
      process: (element, ctx) => {
        const i = fn(element, n);
        // A wrong index is a bug in fn: fail loudly instead of dropping the element.
        if (!Number.isInteger(i) || i < 0 || i >= n)
          throw new Error(`partition function returned ${i}, but there are ${n} partitions (indexes 0 to ${n - 1})`);
        ctx.outputTo(String(i), element);
      },
    },
    { declarations: { outputs } },
  );
  // A wrapper to record params {n}; the parDo is its one step.
  return defineTransform({ kind: "partition", name, params: { n }, atomic: true }, (input: PCollection<T>) => {
    const out = input.apply(route);
    return tags.map((tag) => out[tag]!);
  });
};
