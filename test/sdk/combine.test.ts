import { describe, expect, test } from "vitest";
import {
  type CombineFn,
  anyFn,
  countDistinctFn,
  countFn,
  maxFn,
  meanFn,
  minFn,
  retractable,
  sumFn,
  topFn,
} from "../../sdk/index.js";

/** Adds the inputs, retracts some, and extracts: what a combiner downstream of retracting panes does. */
function run<I, A, O>(fn: CombineFn<I, A, O>, inputs: I[], retractions: I[]): O {
  let acc = fn.createAccumulator();
  const half = Math.floor(inputs.length / 2);
  // Two partial accumulators merged, as runners combine before and after a shuffle.
  let other = fn.createAccumulator();
  inputs.forEach((x, i) => (i < half ? (acc = fn.addInput(acc, x)) : (other = fn.addInput(other, x))));
  acc = fn.mergeAccumulators([acc, other]);
  for (const x of retractions) acc = (fn.retract as NonNullable<CombineFn<I, A, O>["retract"]>)(acc, x);
  return fn.extractOutput(acc);
}

describe("built-in combiners retract exactly", () => {
  const inputs = [5, 3, 9, 3, 7, 9];
  const withdrawn = [9, 3, 9];
  const remaining = [5, 3, 7];

  test.each([
    ["count", countFn() as CombineFn<number, unknown, unknown>, 3],
    ["sum", sumFn() as CombineFn<number, unknown, unknown>, 15],
    ["mean", meanFn() as CombineFn<number, unknown, unknown>, 5],
    ["min", minFn() as CombineFn<number, unknown, unknown>, 3],
    ["max", maxFn() as CombineFn<number, unknown, unknown>, 7],
    ["countDistinct", countDistinctFn<number>() as CombineFn<number, unknown, unknown>, 3],
    ["top.largest(2)", retractable(topFn<number>(2)) as CombineFn<number, unknown, unknown>, [7, 5]],
    ["top.smallest(2)", retractable(topFn<number>(2, "smallest")) as CombineFn<number, unknown, unknown>, [3, 5]],
  ])("%s", (_name, fn, expected) => {
    expect(run(fn, inputs, withdrawn)).toEqual(expected);
    // The same as never having added the withdrawn inputs.
    expect(run(fn, remaining, [])).toEqual(expected);
  });

  test("any gives one of the remaining inputs, and nothing once all are withdrawn", () => {
    const fn = retractable(anyFn<number>()) as CombineFn<number, unknown, number | undefined>;
    expect(remaining).toContain(run(fn, inputs, withdrawn));
    expect(run(fn, [1, 2], [1, 2])).toBeUndefined();
  });

  test("the bounded top and any keep their small accumulators and cannot retract", () => {
    expect(topFn(2).retract).toBeUndefined();
    expect(anyFn().retract).toBeUndefined();
    const sum = sumFn();
    expect(retractable(sum)).toBe(sum);
  });
});
