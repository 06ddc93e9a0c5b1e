import { type CombineFn, combineGlobally, combinePerKey } from "../sdk/index.js";

/** Combines with a user CombineFn; runners cannot execute it natively, so it runs as JS. */
export const combine = {
  globally: <I, A, O>(fn: CombineFn<I, A, O>, name?: string) => combineGlobally(fn, { name, kind: "combine.globally" }),
  perKey: <V, A, O>(fn: CombineFn<V, A, O>, name?: string) => combinePerKey(fn, name, "combine.perKey"),
};
