import { type KV, type PCollection, defineTransform, parDo } from "../sdk/index.js";

/** The key of each KV. */
export const keys = (name?: string) =>
  // A generic wrapper so K and V come from the input; the parDo becomes this transform's one step.
  defineTransform({ kind: "keys", name, atomic: true }, <K, V>(input: PCollection<KV<K, V>>): PCollection<K> =>
    input.apply(parDo<KV<K, V>, K>({ process: (element, ctx) => ctx.output(element.key) })),
  );
