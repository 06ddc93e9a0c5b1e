import { type KV, type PCollection, type PTransform, kv, parDo } from "../sdk/index.js";

/** Pairs each element with a key computed from it. */
export const withKeys = <T, K>(fn: (element: T) => K, name?: string): PTransform<PCollection<T>, PCollection<KV<K, T>>> =>
  parDo<T, KV<K, T>>({ process: (element, ctx) => ctx.output(kv(fn(element), element)) }, { kind: "withKeys", name });
