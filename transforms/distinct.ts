import { type PCollection, anyFn, combinePerKey, defineTransform, kv } from "../sdk/index.js";
import { keys } from "./keys.js";
import { map } from "./map.js";

/** Each distinct element once per window; runners may run it as `SELECT DISTINCT`. */
export const distinct = (name?: string) =>
  defineTransform({ kind: "distinct", name }, <T>(input: PCollection<T>): PCollection<T> =>
    // Grouping by the element itself collapses duplicates; anyFn keeps no more than one null per key.
    input.pipe(
      map((element: T) => kv(element, null), "Pair"),
      combinePerKey(anyFn<null>(), "Combine"),
      keys("Keys"),
    ),
  );
