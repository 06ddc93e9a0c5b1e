import { type KV, type PCollection, defineTransform, parDo } from "../sdk/index.js";

/** The value of each KV. */
export const values = (name?: string) =>
  // A generic wrapper so K and V come from the input; the parDo becomes this transform's one step.
  defineTransform({ kind: "values", name, atomic: true }, <K, V>(input: PCollection<KV<K, V>>): PCollection<V> =>
    input.apply(parDo<KV<K, V>, V>({ process: (element, ctx) => ctx.output(element.value) })),
  );
