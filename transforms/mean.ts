import { combineGlobally, combinePerKey, meanFn } from "../sdk/index.js";

/** Arithmetic mean of numbers (NaN for none), per window or per key. */
export const mean = {
  globally: (name?: string) => combineGlobally(meanFn(), { name, kind: "mean.globally" }),
  perKey: (name?: string) => combinePerKey(meanFn(), name, "mean.perKey"),
};
