import { type KV, type PCollection, combineGlobally, combinePerKey, countFn, defineTransform, kv } from "../sdk/index.js";
import { map } from "./map.js";

const perKey = (name?: string) => combinePerKey(countFn(), name, "count.perKey");

/** Number of elements: of the whole collection per window, per key, or per distinct element. */
export const count = {
  globally: (name?: string) => combineGlobally(countFn(), { name, kind: "count.globally" }),
  perKey,
  perElement: (name?: string) =>
    defineTransform({ kind: "count.perElement", name }, <T>(input: PCollection<T>): PCollection<KV<T, number>> =>
      // The element is the key; null keeps the shuffled value as small as it can be.
      input.pipe(
        map((element: T) => kv(element, null), "Pair"),
        perKey("Count"),
      ),
    ),
};
