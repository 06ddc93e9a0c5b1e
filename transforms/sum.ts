import { combineGlobally, combinePerKey, sumFn } from "../sdk/index.js";

/** Sum of numbers: of the whole collection per window, or per key. */
export const sum = {
  globally: (name?: string) => combineGlobally(sumFn(), { name, kind: "sum.globally" }),
  perKey: (name?: string) => combinePerKey(sumFn(), name, "sum.perKey"),
};
