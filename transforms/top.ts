import {
  type CombineFn,
  type KV,
  type Ordered,
  type PCollection,
  combineGlobally,
  combinePerKey,
  defineTransform,
  topFn,
} from "../sdk/index.js";

type Order = "largest" | "smallest";

// Checked when the pipeline is written, where a bad n is easiest to find.
const checkN = (kind: string, n: number): void => {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${kind} needs a positive whole number n, got ${n}`);
};

const globally = (order: Order) => (n: number, name?: string) => {
  checkN(`top.${order}`, n);
  // A wrapper to record params {n} and infer T from the input; the combine is its one step.
  return defineTransform(
    { kind: `top.${order}`, name, params: { n }, atomic: true },
    <T extends Ordered>(input: PCollection<T>): PCollection<T[]> => input.apply(combineGlobally(topFn<T>(n, order))),
  );
};

const perKey = (order: Order) => (n: number, name?: string) => {
  const kind = `top.${order}PerKey`;
  checkN(kind, n);
  return defineTransform(
    { kind, name, params: { n }, atomic: true },
    <K, V extends Ordered>(input: PCollection<KV<K, V>>): PCollection<KV<K, V[]>> =>
      input.apply(combinePerKey(topFn<V>(n, order))),
  );
};

/** The n largest by a user comparator (compare(a, b) > 0 when a is larger), largest first. */
const topOfFn = <T>(n: number, compare: (a: T, b: T) => number): CombineFn<T, T[], T[]> => {
  const trim = (xs: T[]): T[] => xs.sort((a, b) => compare(b, a)).slice(0, n);
  return {
    createAccumulator: () => [],
    // Accumulators are never mutated: runners may share them between panes.
    addInput: (acc, x) => trim([...acc, x]),
    mergeAccumulators: (accs) => trim([...accs].flat()),
    extractOutput: (acc) => trim([...acc]),
  };
};

/** The n largest or smallest elements, best first, of the whole collection per window or per key. */
export const top = {
  largest: globally("largest"),
  smallest: globally("smallest"),
  largestPerKey: perKey("largest"),
  smallestPerKey: perKey("smallest"),
  of: <T>(n: number, compare: (a: T, b: T) => number, name?: string) => {
    checkN("top.of", n);
    return defineTransform({ kind: "top.of", name, params: { n }, atomic: true }, (input: PCollection<T>): PCollection<T[]> =>
      input.apply(combineGlobally(topOfFn(n, compare))),
    );
  },
};
