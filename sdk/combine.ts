import { type BuiltinCombiner, type CombinerRef, type Json } from "./graph.js";

/**
 * Combines many inputs into one output through an accumulator (Beam's CombineFn).
 * Runners call addInput on partial accumulators before a shuffle and merge them after,
 * so mergeAccumulators must be associative and commutative.
 */
export interface CombineFn<I, A, O> {
  createAccumulator(): A;
  addInput(accumulator: A, input: I): A;
  mergeAccumulators(accumulators: Iterable<A>): A;
  extractOutput(accumulator: A): O;
  /** Undoes one earlier addInput (retracting accumulation); without it, retractions fail the step. */
  retract?(accumulator: A, input: I): A;
}

/** A combiner that runners may execute natively: its identity is data in the graph. */
export interface BuiltinCombineFn<I, A, O> extends CombineFn<I, A, O> {
  readonly builtin: BuiltinCombiner;
  readonly params: Json;
}

/** The graph's description of a combiner. */
export function combinerRef(fn: CombineFn<never, unknown, unknown>): CombinerRef {
  const builtin = (fn as Partial<BuiltinCombineFn<never, unknown, unknown>>).builtin;
  if (builtin) return { kind: "builtin", name: builtin, params: (fn as BuiltinCombineFn<never, unknown, unknown>).params };
  return { kind: "user", canRetract: typeof fn.retract === "function" };
}

const builtin = <I, A, O>(name: BuiltinCombiner, params: Json, fn: CombineFn<I, A, O>): BuiltinCombineFn<I, A, O> =>
  Object.freeze({ ...fn, builtin: name, params });

const sumOf = (xs: Iterable<number>): number => {
  let s = 0;
  for (const x of xs) s += x;
  return s;
};

export const countFn = (): BuiltinCombineFn<unknown, number, number> =>
  builtin("count", null, {
    createAccumulator: () => 0,
    addInput: (a) => a + 1,
    mergeAccumulators: sumOf,
    extractOutput: (a) => a,
    retract: (a) => a - 1,
  });

export const sumFn = (): BuiltinCombineFn<number, number, number> =>
  builtin("sum", null, {
    createAccumulator: () => 0,
    addInput: (a, x) => a + x,
    mergeAccumulators: sumOf,
    extractOutput: (a) => a,
    retract: (a, x) => a - x,
  });

/** Mean as [sum, count]; the mean of nothing is NaN. */
export const meanFn = (): BuiltinCombineFn<number, readonly [number, number], number> =>
  builtin<number, readonly [number, number], number>("mean", null, {
    createAccumulator: () => [0, 0] as const,
    addInput: ([s, n], x) => [s + x, n + 1] as const,
    mergeAccumulators: (accs) => {
      let s = 0;
      let n = 0;
      for (const [as, an] of accs) {
        s += as;
        n += an;
      }
      return [s, n] as const;
    },
    extractOutput: ([s, n]) => (n === 0 ? NaN : s / n),
    retract: ([s, n], x) => [s - x, n - 1] as const,
  });

/** Values with a natural order (`<`), which min, max and top compare. */
export type Ordered = number | string | bigint;

/** The extreme so far, and how many times each value was added, so a retraction can withdraw any input. */
export interface ExtremeAccumulator<T> {
  best: T | null;
  readonly counts: Map<T, number>;
}

/** The extreme of the inputs by natural order; empty gives null. */
const extremeFn = <T extends Ordered>(name: "min" | "max"): BuiltinCombineFn<T, ExtremeAccumulator<T>, T | null> => {
  const better = name === "min" ? (a: T, b: T) => b < a : (a: T, b: T) => b > a;
  const pick = (a: T | null, b: T | null): T | null => (a === null ? b : b === null ? a : better(a, b) ? b : a);
  const add = (acc: ExtremeAccumulator<T>, x: T, n: number) => {
    acc.counts.set(x, (acc.counts.get(x) ?? 0) + n);
    acc.best = pick(acc.best, x);
    return acc;
  };
  return builtin<T, ExtremeAccumulator<T>, T | null>(name, null, {
    createAccumulator: () => ({ best: null, counts: new Map() }),
    addInput: (acc, x) => add(acc, x, 1),
    mergeAccumulators: (accs) => {
      const out: ExtremeAccumulator<T> = { best: null, counts: new Map() };
      for (const a of accs) for (const [x, n] of a.counts) add(out, x, n);
      return out;
    },
    extractOutput: (acc) => acc.best,
    retract: (acc, x) => {
      const n = (acc.counts.get(x) ?? 0) - 1;
      if (n > 0) acc.counts.set(x, n);
      else acc.counts.delete(x);
      // Only withdrawing the last copy of the extreme needs a scan for the next one.
      if (n <= 0 && acc.best === x) acc.best = [...acc.counts.keys()].reduce<T | null>(pick, null);
      return acc;
    },
  });
};

export const minFn = <T extends Ordered = number>() => extremeFn<T>("min");
export const maxFn = <T extends Ordered = number>() => extremeFn<T>("max");

/** Number of distinct inputs; counts per value so that retractions can undo inputs. */
export const countDistinctFn = <T extends Ordered | boolean>(): BuiltinCombineFn<T, Map<T, number>, number> =>
  builtin("countDistinct", null, {
    createAccumulator: () => new Map<T, number>(),
    addInput: (m, x) => m.set(x, (m.get(x) ?? 0) + 1),
    mergeAccumulators: (accs) => {
      const out = new Map<T, number>();
      for (const m of accs) for (const [x, n] of m) out.set(x, (out.get(x) ?? 0) + n);
      return out;
    },
    extractOutput: (m) => m.size,
    retract: (m, x) => {
      const n = (m.get(x) ?? 0) - 1;
      if (n > 0) m.set(x, n);
      else m.delete(x);
      return m;
    },
  });

/** The n largest (or smallest) inputs by natural order, best first. */
export const topFn = <T extends Ordered>(n: number, order: "largest" | "smallest" = "largest"): BuiltinCombineFn<T, T[], T[]> => {
  const cmp = order === "largest" ? (a: T, b: T) => (a > b ? -1 : a < b ? 1 : 0) : (a: T, b: T) => (a < b ? -1 : a > b ? 1 : 0);
  const trim = (xs: T[]) => xs.sort(cmp).slice(0, n);
  return builtin<T, T[], T[]>(
    "top",
    { n, order },
    {
      createAccumulator: () => [],
      addInput: (acc, x) => (acc.length < n ? [...acc, x] : trim([...acc, x])),
      mergeAccumulators: (accs) => trim([...accs].flat()),
      extractOutput: (acc) => trim([...acc]),
    },
  );
};

/** Some one of the inputs (the first seen): what `distinct` keeps per key. */
export const anyFn = <T>(): BuiltinCombineFn<T, { has: boolean; value: T | undefined }, T | undefined> =>
  builtin<T, { has: boolean; value: T | undefined }, T | undefined>("any", null, {
    createAccumulator: () => ({ has: false, value: undefined }),
    addInput: (a, x) => (a.has ? a : { has: true, value: x }),
    mergeAccumulators: (accs) => {
      for (const a of accs) if (a.has) return a;
      return { has: false, value: undefined };
    },
    extractOutput: (a) => a.value,
  });

/** A multiset of inputs (value → copies): what a combiner must keep to retract any input exactly. */
const multisetFn = <T, O>(
  name: BuiltinCombiner,
  params: Json,
  extract: (counts: ReadonlyMap<T, number>) => O,
): BuiltinCombineFn<T, Map<T, number>, O> =>
  builtin<T, Map<T, number>, O>(name, params, {
    createAccumulator: () => new Map(),
    addInput: (m, x) => m.set(x, (m.get(x) ?? 0) + 1),
    mergeAccumulators: (accs) => {
      const out = new Map<T, number>();
      for (const m of accs) for (const [x, n] of m) out.set(x, (out.get(x) ?? 0) + n);
      return out;
    },
    extractOutput: extract,
    retract: (m, x) => {
      const n = (m.get(x) ?? 0) - 1;
      if (n > 0) m.set(x, n);
      else m.delete(x);
      return m;
    },
  });

/**
 * The variant of a built-in combiner that can retract, for steps whose input carries
 * retractions (downstream of retracting accumulation). Those that retract already are
 * returned as they are; top and any keep every input instead of a bounded summary, as
 * Flink's retractable Top-N does, so they cost memory only where retractions need it.
 */
export function retractable<I, A, O>(fn: BuiltinCombineFn<I, A, O>): BuiltinCombineFn<I, unknown, O> {
  if (fn.retract) return fn as BuiltinCombineFn<I, unknown, O>;
  switch (fn.builtin) {
    case "top": {
      const { n, order } = fn.params as { n: number; order: "largest" | "smallest" };
      const best = topFn<Ordered>(n, order);
      return multisetFn<Ordered, Ordered[]>("top", fn.params, (counts) =>
        best.extractOutput([...counts].flatMap(([x, k]) => Array<Ordered>(Math.min(k, n)).fill(x))),
      ) as unknown as BuiltinCombineFn<I, unknown, O>;
    }
    case "any":
      return multisetFn<I, I | undefined>("any", null, (counts) => counts.keys().next().value) as unknown as BuiltinCombineFn<
        I,
        unknown,
        O
      >;
    default:
      throw new Error(`internal: built-in combiner "${fn.builtin}" has no retracting variant`);
  }
}
