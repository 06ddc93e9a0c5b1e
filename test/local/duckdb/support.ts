// Shared by the DuckDB tests: the JS combiners' answer, and DuckCombine's answer, keyed alike.
import { type DuckAggregate, type DuckCombine } from "../../../runners/local/duckdb/index.js";
import { encodeKey } from "../../../runners/core/state/keys.js";
import { type CombineFn, countDistinctFn, countFn, maxFn, meanFn, minFn, sumFn } from "../../../sdk/combine.js";

export interface Bundle {
  readonly keys: unknown[];
  readonly windows: number[];
  readonly values: unknown[];
}

/** The final value and the first-seen key of one (key, window). */
export interface Group {
  readonly key: unknown;
  readonly value: unknown;
}

const groupId = (key: unknown, window: number) => `${window}|${encodeKey(key)}`;

export const JS_COMBINERS: Record<DuckAggregate, () => CombineFn<never, unknown, unknown>> = {
  count: countFn,
  sum: sumFn,
  mean: meanFn,
  min: () => minFn<number | string>(),
  max: () => maxFn<number | string>(),
  countDistinct: () => countDistinctFn<never>(),
};

/** What the JS combiner gives: one accumulator per (key, window), inputs added in order. */
export function jsCombine(aggregate: DuckAggregate, bundles: readonly Bundle[]): Map<string, Group> {
  const fn = JS_COMBINERS[aggregate]() as unknown as CombineFn<unknown, unknown, unknown>;
  const accs = new Map<string, { key: unknown; acc: unknown }>();
  for (const b of bundles)
    b.keys.forEach((key, i) => {
      const id = groupId(key, b.windows[i]!);
      const g = accs.get(id) ?? { key, acc: fn.createAccumulator() };
      g.acc = fn.addInput(g.acc, b.values[i]);
      accs.set(id, g);
    });
  return new Map([...accs].map(([id, g]) => [id, { key: g.key, value: fn.extractOutput(g.acc) }]));
}

/** Every result of a DuckCombine, keyed as jsCombine keys them; fails on a (key, window) given twice. */
export async function collect(combine: DuckCombine): Promise<Map<string, Group>> {
  const out = new Map<string, Group>();
  for await (const batch of combine.results())
    batch.keys.forEach((key, i) => {
      const id = groupId(key, batch.windows[i]!);
      if (out.has(id)) throw new Error(`(key, window) ${id} came twice`);
      out.set(id, { key, value: batch.values[i] });
    });
  return out;
}
