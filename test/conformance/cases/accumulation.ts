import { afterCount, afterWatermark, defaultTrigger, fixedWindows, repeatedly } from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, win, wm } from "./helpers.js";

// Accumulation modes (rule 7). The first three cases share their input so the modes can be compared pane by pane.
const COUNT_PANES = [el("a", 1, 1), el("a", 2, 2), el("a", 4, 3), el("a", 8, 4), el("a", 16, 5), end];

export const cases: ConformanceCase[] = [
  {
    name: "discarding-clears-contents-after-each-pane",
    about:
      "repeatedly(afterCount(2)), discarding: each pane sums only the elements since the previous pane; the leftover " +
      "element is the ON_TIME pane at end (rule 7; Beam's DISCARDING_FIRED_PANES, " +
      "ReduceFnRunnerTest.testOnElementCombiningDiscarding).",
    windowing: { windowFn: fixedWindows(10), trigger: repeatedly(afterCount(2)), accumulation: "discarding" },
    aggregate: "sum",
    events: COUNT_PANES,
    expected: [
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: 12, timestamp: 9, pane: pane(1, -1, "EARLY", false, false) },
      { key: "a", window: win(0, 10), value: 16, timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "accumulating-keeps-contents-across-panes",
    about:
      "The same input accumulating: each pane sums everything so far in the window (rule 7; Beam's " +
      "ACCUMULATING_FIRED_PANES, ReduceFnRunnerTest.testOnElementCombiningAccumulating).",
    windowing: { windowFn: fixedWindows(10), trigger: repeatedly(afterCount(2)), accumulation: "accumulating" },
    aggregate: "sum",
    events: COUNT_PANES,
    expected: [
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: 15, timestamp: 9, pane: pane(1, -1, "EARLY", false, false) },
      { key: "a", window: win(0, 10), value: 31, timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "retracting-combiner-retracts-previous-sum",
    about:
      "The same input retracting: contents accumulate, and before every pane after the first the previous pane's sum " +
      "is emitted again marked retraction, with the new pane's info; nothing follows the final pane (rule 7; Beam's " +
      "retraction design, never released in Beam, so this follows docs/core.md only).",
    windowing: { windowFn: fixedWindows(10), trigger: repeatedly(afterCount(2)), accumulation: "retracting" },
    aggregate: "sum",
    events: COUNT_PANES,
    expected: [
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(1, -1, "EARLY", false, false), retraction: true },
      { key: "a", window: win(0, 10), value: 15, timestamp: 9, pane: pane(1, -1, "EARLY", false, false) },
      { key: "a", window: win(0, 10), value: 15, timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true), retraction: true },
      { key: "a", window: win(0, 10), value: 31, timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "retracting-list-through-early-on-time-and-late",
    about:
      "Retracting with list values, afterWatermark({ early: afterCount(2), late: afterCount(1) }), lateness 20: each " +
      "ON_TIME and LATE pane is preceded by the previous pane's list marked retraction; at GC nothing new, so neither " +
      "a pane nor a retraction (rule 7; docs/core.md's retracting mode, Beam's early/on-time/late sequence).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: afterWatermark({ early: afterCount(2), late: afterCount(1) }),
      accumulation: "retracting",
      allowedLateness: 20,
    },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("a", 3, 3), wm(10), el("a", 4, 4), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(1, 0, "ON_TIME", false, false), retraction: true },
      { key: "a", window: win(0, 10), value: [1, 2, 3], timestamp: 9, pane: pane(1, 0, "ON_TIME", false, false) },
      { key: "a", window: win(0, 10), value: [1, 2, 3], timestamp: 9, pane: pane(2, 1, "LATE", false, false), retraction: true },
      { key: "a", window: win(0, 10), value: [1, 2, 3, 4], timestamp: 9, pane: pane(2, 1, "LATE", false, false) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "accumulating-mean-with-empty-on-time-pane",
    about:
      "repeatedly(afterCount(2)), accumulating mean: two early panes, then at end the on-time pane has no new element " +
      "but is output (ON_TIME, fireAlways) with the accumulated mean (rules 6 and 7; " +
      "ReduceFnRunnerTest.noEmptyPanesFinalIfNonEmpty shows the accumulated contents on the empty on-time pane).",
    windowing: { windowFn: fixedWindows(10), trigger: repeatedly(afterCount(2)), accumulation: "accumulating" },
    aggregate: "mean",
    events: [el("a", 1, 1), el("a", 2, 2), el("a", 3, 3), el("a", 6, 4), end],
    expected: [
      { key: "a", window: win(0, 10), value: 1.5, timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(1, -1, "EARLY", false, false) },
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "accumulating-count-distinct-with-late-panes",
    about:
      "Default trigger, accumulating countDistinct, lateness 20: the ON_TIME pane counts x and y, each late element " +
      "fires a LATE pane over everything so far, and a repeated value does not raise the count " +
      "(rule 7; ReduceFnRunnerTest.testOnlyOneOnTimePane in accumulating mode).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), accumulation: "accumulating", allowedLateness: 20 },
    aggregate: "countDistinct",
    events: [el("a", "x", 1), el("a", "y", 2), el("a", "x", 3), wm(10), el("a", "z", 4), el("a", "y", 5), end],
    expected: [
      { key: "a", window: win(0, 10), value: 2, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(2, 2, "LATE", false, false) },
      // end: GC at 29 with nothing since the last pane: no final pane.
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
];
