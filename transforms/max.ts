import { type KV, type Ordered, type PCollection, combineGlobally, combinePerKey, defineTransform, maxFn } from "../sdk/index.js";

/** The largest element by natural order (null when there is none), per window or per key. */
export const max = {
  // Generic wrappers so the element type comes from the input rather than defaulting to number.
  globally: (name?: string) =>
    defineTransform(
      { kind: "max.globally", name, atomic: true },
      <T extends Ordered>(input: PCollection<T>): PCollection<T | null> => input.apply(combineGlobally(maxFn<T>())),
    ),
  perKey: (name?: string) =>
    defineTransform(
      { kind: "max.perKey", name, atomic: true },
      <K, V extends Ordered>(input: PCollection<KV<K, V>>): PCollection<KV<K, V | null>> =>
        input.apply(combinePerKey(maxFn<V>())),
    ),
};
