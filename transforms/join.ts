import { type KV, type PCollection, defineTransform, kv } from "../sdk/index.js";
import { coGroupByKey } from "./co-group-by-key.js";
import { flatMap } from "./flat-map.js";

/** Which sides keep their unmatched values (paired with null). */
interface Keep {
  readonly left: boolean;
  readonly right: boolean;
}

/** The pairs of one key's values: the cross product, or the unmatched side's values with null. */
function joinPairs<L, R>(ls: readonly L[], rs: readonly R[], keep: Keep): [L | null, R | null][] {
  if (rs.length === 0) return keep.left ? ls.map((l): [L, null] => [l, null]) : [];
  if (ls.length === 0) return keep.right ? rs.map((r): [null, R] => [null, r]) : [];
  return ls.flatMap((l) => rs.map((r): [L, R] => [l, r]));
}

const joinOf =
  <P>(kind: string, keep: Keep) =>
  <K, L, R>(left: PCollection<KV<K, L>>, right: PCollection<KV<K, R>>, name?: string): PCollection<KV<K, P>> => {
    // A composite of its own kind, so a runner can run it natively (a DuckDB join) instead of expanding it.
    const t = defineTransform({ kind, name }, (inputs: { left: PCollection<KV<K, L>>; right: PCollection<KV<K, R>> }) =>
      coGroupByKey(inputs, "CoGroupByKey").apply(
        flatMap(({ key, value }) => joinPairs(value.left, value.right, keep).map((pair) => kv(key, pair as P)), "Pair"),
      ),
    );
    return left._builder.apply({ left, right }, t);
  };

/** Joins two keyed collections on their keys, per window; values pair up as [left, right]. */
export const join = {
  /** Only keys on both sides: every left value with every right value. */
  inner: <K, L, R>(left: PCollection<KV<K, L>>, right: PCollection<KV<K, R>>, name?: string) =>
    joinOf<[L, R]>("join.inner", { left: false, right: false })(left, right, name),
  /** Every left value; right is null where the key has no right values. */
  left: <K, L, R>(left: PCollection<KV<K, L>>, right: PCollection<KV<K, R>>, name?: string) =>
    joinOf<[L, R | null]>("join.left", { left: true, right: false })(left, right, name),
  /** Every value of both sides; the missing side is null. */
  full: <K, L, R>(left: PCollection<KV<K, L>>, right: PCollection<KV<K, R>>, name?: string) =>
    joinOf<[L | null, R | null]>("join.full", { left: true, right: true })(left, right, name),
};
