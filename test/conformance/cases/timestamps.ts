import { afterCount, afterWatermark, defaultTrigger, fixedWindows } from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, win, wm } from "./helpers.js";

// Timestamp combiners and watermark holds (rule 8). The first three cases share their input.
const ON_TIME_THEN_LATE = [el("a", 7, 3), el("a", 4, 1), wm(10), el("a", 2, 5), end];

export const cases: ConformanceCase[] = [
  {
    name: "timestamp-end-of-window-with-late-pane",
    about:
      "endOfWindow: every pane, on time or late, is stamped maxTimestamp(w) (rule 8; Beam's fixed_default_late_data " +
      "transcript, OUTPUT_AT_EOW).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 20, timestampCombiner: "endOfWindow" },
    aggregate: "list",
    events: ON_TIME_THEN_LATE,
    expected: [
      { key: "a", window: win(0, 10), value: [4, 7], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "a", window: win(0, 10), value: [2], timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "timestamp-earliest-with-late-pane",
    about:
      "earliest: the on-time pane is stamped with its earliest element (1), the late pane with maxTimestamp 9 because " +
      "its element (5) arrived behind the output watermark (10) and holds nothing (rule 8; Beam's " +
      "timestamp_combiner_earliest transcript, ReduceFnRunnerTest.testWatermarkHoldAndLateData).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 20, timestampCombiner: "earliest" },
    aggregate: "min",
    events: ON_TIME_THEN_LATE,
    expected: [
      { key: "a", window: win(0, 10), value: 4, timestamp: 1, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "a", window: win(0, 10), value: 2, timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "timestamp-latest-with-late-pane",
    about:
      "latest: the on-time pane is stamped with its latest element (3), the late pane with maxTimestamp 9 because its " +
      "element arrived behind the output watermark (rule 8; Beam's timestamp_combiner_latest transcript).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 20, timestampCombiner: "latest" },
    aggregate: "max",
    events: ON_TIME_THEN_LATE,
    expected: [
      { key: "a", window: win(0, 10), value: 7, timestamp: 3, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "a", window: win(0, 10), value: 2, timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "timestamp-earliest-skips-elements-behind-output-watermark",
    about:
      "earliest after watermark 5: elements at 2 and 3 are behind the output watermark and hold nothing, so the pane " +
      "is stamped 7, the earliest element that could hold (rule 8; Beam's known_late_data_watermark transcript).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), timestampCombiner: "earliest" },
    aggregate: "list",
    events: [wm(5), el("a", 2, 2), el("a", 3, 3), el("a", 7, 7), el("a", 8, 8), wm(11), end],
    expected: [{ key: "a", window: win(0, 10), value: [2, 3, 7, 8], timestamp: 7, pane: pane(0, 0, "ON_TIME", true, true) }],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "timestamp-earliest-no-hold-possible",
    about:
      "earliest after watermark 8: every element (2, 3, 7) is behind the output watermark, none holds, so the pane is " +
      "stamped maxTimestamp 9; still ON_TIME since the output watermark (8) is not past 9 " +
      "(rule 8; Beam's known_late_data_no_watermark_hold_possible transcript).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), timestampCombiner: "earliest" },
    aggregate: "list",
    events: [wm(8), el("a", 2, 2), el("a", 3, 3), el("a", 7, 7), wm(11), end],
    expected: [{ key: "a", window: win(0, 10), value: [2, 3, 7], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) }],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "timestamp-latest-per-pane-and-empty-pane",
    about:
      "latest with early afterCount(2), discarding count: each pane is stamped with the latest element since the " +
      "previous pane (4, then 7, not the window's latest overall), and the empty on-time pane with maxTimestamp 9 " +
      "(rule 8: holds are released by each pane; Beam's WatermarkHold.extractAndRelease).",
    windowing: { windowFn: fixedWindows(10), trigger: afterWatermark({ early: afterCount(2) }), timestampCombiner: "latest" },
    aggregate: "count",
    events: [el("a", 4, 4), el("a", 2, 2), el("a", 7, 7), el("a", 1, 1), wm(10), end],
    expected: [
      { key: "a", window: win(0, 10), value: 2, timestamp: 4, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: 2, timestamp: 7, pane: pane(1, -1, "EARLY", false, false) },
      { key: "a", window: win(0, 10), value: 0, timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
];
