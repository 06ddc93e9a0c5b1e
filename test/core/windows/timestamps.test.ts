import { describe, expect, test } from "vitest";
import {
  addTimestamp,
  assignTimestamp,
  combineTimestamps,
  dependsOnlyOnEarliest,
  dependsOnlyOnWindow,
  mergeTimestamps,
  paneTimestamp,
} from "../../../runners/core/windows/timestamps.js";
import { type TimestampCombiner, type Window } from "../../../sdk/index.js";

const w = (start: number, end: number): Window => ({ start, end });
const COMBINERS: TimestampCombiner[] = ["endOfWindow", "earliest", "latest"];

describe("timestamp combiners", () => {
  test("give a pane the window's last timestamp, or the earliest or latest input", () => {
    const inputs = [7, 3, 5];
    expect(paneTimestamp("endOfWindow", w(0, 10), inputs)).toBe(9);
    expect(paneTimestamp("earliest", w(0, 10), inputs)).toBe(3);
    expect(paneTimestamp("latest", w(0, 10), inputs)).toBe(7);
    expect(paneTimestamp("earliest", w(-20, -10), [-12, -19])).toBe(-19);
  });

  test("give a pane without inputs the window's last timestamp", () => {
    for (const combiner of COMBINERS) expect(paneTimestamp(combiner, w(0, 10), [])).toBe(9);
  });

  test("assign one input as Beam's TimestampCombiner.assign", () => {
    expect(assignTimestamp("endOfWindow", w(0, 10), 4)).toBe(9);
    expect(assignTimestamp("earliest", w(0, 10), 4)).toBe(4);
    expect(assignTimestamp("latest", w(0, 10), 4)).toBe(4);
  });

  test("fold incrementally to the same result, in any order and grouping", () => {
    const window = w(100, 200);
    const inputs = [150, 101, 199, 120, 101];
    for (const combiner of COMBINERS) {
      let partial: number | undefined;
      for (const t of inputs) partial = addTimestamp(combiner, window, partial, t);
      expect(partial).toBe(paneTimestamp(combiner, window, inputs));
      const assigned = inputs.map((t) => assignTimestamp(combiner, window, t));
      const [a, b, c] = assigned as [number, number, number];
      expect(combineTimestamps(combiner, a, b)).toBe(combineTimestamps(combiner, b, a));
      expect(combineTimestamps(combiner, a, combineTimestamps(combiner, b, c))).toBe(
        combineTimestamps(combiner, combineTimestamps(combiner, a, b), c),
      );
      // Two accumulators combined equal one over all inputs.
      const left = paneTimestamp(combiner, window, inputs.slice(0, 2));
      const right = paneTimestamp(combiner, window, inputs.slice(2));
      expect(combineTimestamps(combiner, left, right)).toBe(paneTimestamp(combiner, window, inputs));
    }
  });

  test("merge the partials of merged session windows into the result window", () => {
    const into = w(0, 35);
    // Partials of [0, 15) and [20, 35).
    expect(mergeTimestamps("endOfWindow", into, [14, 34])).toBe(34);
    expect(mergeTimestamps("endOfWindow", w(0, 40), [14, 34])).toBe(39);
    expect(mergeTimestamps("earliest", into, [14, 2, 20])).toBe(2);
    expect(mergeTimestamps("latest", into, [14, 2, 20])).toBe(20);
    for (const combiner of COMBINERS) expect(mergeTimestamps(combiner, into, [])).toBeUndefined();
  });

  test("say what the result depends on, as Beam's dependsOnlyOnWindow / dependsOnlyOnEarliestTimestamp", () => {
    expect(COMBINERS.map(dependsOnlyOnWindow)).toEqual([true, false, false]);
    expect(COMBINERS.map(dependsOnlyOnEarliest)).toEqual([false, true, false]);
  });
});
