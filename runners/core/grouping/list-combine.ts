import { type CombineFn } from "../../../sdk/index.js";

/** groupByKey as a CombineFn: the pane's values in arrival order; retracting removes one equal value. */
export const listCombineFn = <V>(): CombineFn<V, V[], V[]> => ({
  createAccumulator: () => [],
  addInput: (acc, v) => {
    acc.push(v);
    return acc;
  },
  mergeAccumulators: (accs) => [...accs].flat(),
  extractOutput: (acc) => acc.slice(),
  retract: (acc, v) => {
    const i = acc.indexOf(v);
    if (i >= 0) acc.splice(i, 1);
    return acc;
  },
});
