import { describe, expect, test } from "vitest";
import { formatCount, formatDuration, formatSummary, shortSteps } from "../../runners/cli/summary.js";
import { STAGES, SUMMARY } from "./support.js";

describe("formatSummary", () => {
  test("one aligned line per stage with its steps, rows in → rows out and time, then the totals", () => {
    expect(formatSummary(SUMMARY, STAGES)).toBe(
      [
        "stage-1  ReadLines → Split → Pair   1,200 in → 34,567 out  250 ms",
        "stage-2  Count → Format → Write    34,567 in →    890 out   1.5 s",
        "total: 1.8 s, 3 late elements dropped, 2 elements dropped after their window closed, 1 dead letter",
        "",
      ].join("\n"),
    );
  });

  test("without the plan, stages are shown by id only", () => {
    expect(
      formatSummary({
        stages: [{ stage: "stage-1", rowsIn: 5, rowsOut: 5, ms: 3 }],
        ms: 12,
        droppedLate: 1,
        droppedClosed: 1,
        deadLetters: 0,
      }),
    ).toBe(
      "stage-1  5 in → 5 out  3 ms\ntotal: 12 ms, 1 late element dropped, 1 element dropped after its window closed, 0 dead letters\n",
    );
  });

  test("a run without stages still has its total line", () => {
    expect(formatSummary({ stages: [], ms: 0, droppedLate: 0, droppedClosed: 0, deadLetters: 2 })).toBe(
      "total: 0 ms, 0 late elements dropped, 0 elements dropped after their window closed, 2 dead letters\n",
    );
  });
});

describe("formatting helpers", () => {
  test("durations in ms, seconds, then minutes", () => {
    expect([0, 999.4, 1000, 12_345, 59_949, 59_960, 245_000].map(formatDuration)).toEqual([
      "0 ms",
      "999 ms",
      "1.0 s",
      "12.3 s",
      "59.9 s",
      "1m 00s",
      "4m 05s",
    ]);
  });

  test("counts with thousands separators", () => {
    expect([0, 999, 1000, 1_234_567].map(formatCount)).toEqual(["0", "999", "1,000", "1,234,567"]);
  });

  test("steps by the last segment of their names, cut to a width", () => {
    expect(shortSteps(["Read", "Words/Split", "A/B/C"])).toBe("Read → Split → C");
    expect(shortSteps(["Alpha", "Beta", "Gamma"], 12)).toBe("Alpha → Bet…");
    expect(shortSteps([])).toBe("");
  });
});
