import { type PCollection, type PTransform, parDo } from "../sdk/index.js";

export interface AsyncMapOptions {
  /** How many elements may be awaited at once (default 16). */
  readonly concurrency?: number;
  /** Whether outputs keep input order (default true); unordered lets a slow call not hold back others. */
  readonly ordered?: boolean;
  readonly name?: string;
}

/** One output per element from an async function (a lookup, an HTTP call), with bounded concurrency. */
export const asyncMap = <I, O>(
  fn: (element: I) => Promise<O>,
  options: AsyncMapOptions = {},
): PTransform<PCollection<I>, PCollection<O>> =>
  parDo<I, O>(
    { process: async (element, ctx) => ctx.output(await fn(element)) },
    {
      kind: "asyncMap",
      name: options.name,
      // Recorded in the graph: the runner, not this DoFn, keeps the calls in flight.
      concurrency: { limit: options.concurrency ?? 16, ordered: options.ordered ?? true },
    },
  );
