import { type KV, type Ordered, type PCollection, combineGlobally, combinePerKey, defineTransform, minFn } from "../sdk/index.js";

/** The smallest element by natural order (null when there is none), per window or per key. */
export const min = {
  // Generic wrappers so the element type comes from the input rather than defaulting to number.
  globally: (name?: string) =>
    defineTransform(
      { kind: "min.globally", name, atomic: true },
      <T extends Ordered>(input: PCollection<T>): PCollection<T | null> => input.apply(combineGlobally(minFn<T>())),
    ),
  perKey: (name?: string) =>
    defineTransform(
      { kind: "min.perKey", name, atomic: true },
      <K, V extends Ordered>(input: PCollection<KV<K, V>>): PCollection<KV<K, V | null>> =>
        input.apply(combinePerKey(minFn<V>())),
    ),
};
