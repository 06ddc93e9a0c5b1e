import { afterAny, afterCount, afterWatermark, defaultTrigger, fixedWindows, repeatedly } from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, win, wm } from "./helpers.js";

// Empty panes (rule 6): output only when ON_TIME with onTimeBehavior fireAlways, or last with closingBehavior fireAlways.
export const cases: ConformanceCase[] = [
  {
    name: "empty-on-time-pane-after-early-panes",
    about:
      "afterWatermark({ early: afterCount(2) }), discarding: after an early pane took both elements, the on-time pane " +
      "is empty but output, since onTimeBehavior defaults to fireAlways; b's on-time pane has its element " +
      "(rule 6; Beam's discarding_early_fixed transcript, ReduceFnRunnerTest.testEmptyOnTimeFromOrFinally).",
    windowing: { windowFn: fixedWindows(10), trigger: afterWatermark({ early: afterCount(2) }) },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("b", 5, 5), wm(10), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      // Empty: timestamp maxTimestamp (rule 8); lateness 0: last.
      { key: "a", window: win(0, 10), value: [], timestamp: 9, pane: pane(1, 0, "ON_TIME", false, true) },
      { key: "b", window: win(0, 10), value: [5], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "on-time-fire-if-non-empty-then-empty-final-pane",
    about:
      "onTimeBehavior fireIfNonEmpty, closingBehavior fireAlways, lateness 20, early and late count firings: a's empty " +
      "on-time pane is skipped (pane info does not advance), and at GC its empty final pane is LATE, index 1, " +
      "nonSpeculativeIndex 0; b's non-empty on-time pane is output, then its empty final pane " +
      "(rule 6; ReduceFnRunnerTest.testEmptyOnTimeWithOnTimeBehaviorFireIfNonEmpty).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: afterWatermark({ early: afterCount(2), late: afterCount(1) }),
      allowedLateness: 20,
      onTimeBehavior: "fireIfNonEmpty",
      closingBehavior: "fireAlways",
    },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("b", 5, 5), wm(10), wm(40), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      // wm 40 > GC 29: the output watermark was 10 > 9, so LATE; nonSpeculativeIndex = -1 + 1 = 0.
      { key: "a", window: win(0, 10), value: [], timestamp: 9, pane: pane(1, 0, "LATE", false, true) },
      { key: "b", window: win(0, 10), value: [5], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "b", window: win(0, 10), value: [], timestamp: 9, pane: pane(1, 1, "LATE", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "on-time-fire-if-non-empty-with-zero-lateness",
    about:
      "onTimeBehavior fireIfNonEmpty with lateness 0 and closingBehavior fireIfNonEmpty: a's end-of-window pane is " +
      "empty, ON_TIME and last, and neither behaviour asks for it, so a's window closes with no pane marked last; " +
      "b's non-empty pane is output (rule 6; Beam's ReduceFnRunner.needToEmit).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: afterWatermark({ early: afterCount(2) }),
      onTimeBehavior: "fireIfNonEmpty",
    },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("b", 5, 5), wm(10), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "b", window: win(0, 10), value: [5], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "closing-fire-always-empty-final-pane-at-gc",
    about:
      "Default trigger, lateness 20, closingBehavior fireAlways: the on-time pane (not last), then when the watermark " +
      "passes GC (29) an empty final LATE pane marks the window's end (rule 6; " +
      "ReduceFnRunnerTest.testPaneInfoAllStatesAfterWatermark's final pane).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 20, closingBehavior: "fireAlways" },
    aggregate: "list",
    events: [el("a", 3, 3), wm(15), wm(40), end],
    expected: [
      { key: "a", window: win(0, 10), value: [3], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "a", window: win(0, 10), value: [], timestamp: 9, pane: pane(1, 1, "LATE", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "closing-fire-always-when-end-passes-eow-and-gc",
    about:
      "Default trigger, lateness 20, closingBehavior fireAlways, straight to end: the end-of-window and GC timers fire " +
      "in order in the one event, giving the ON_TIME pane and then an empty final LATE pane (rules 4, 6 and 10; " +
      "Beam's ReduceFnRunnerTest.testFixedWindowsEowAndGcTogether expects a single pane marked last instead: see the report).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 20, closingBehavior: "fireAlways" },
    aggregate: "list",
    events: [el("a", 1, 1), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      // The previous pane was ON_TIME, so this one is LATE although the output watermark had not passed 9.
      { key: "a", window: win(0, 10), value: [], timestamp: 9, pane: pane(1, 1, "LATE", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "repeatedly-after-any-count-or-watermark-empty-panes",
    about:
      "repeatedly(afterAny(afterCount(2), afterWatermark())), lateness 100, earliest, closingBehavior fireAlways: an " +
      "early pane of two elements stamped 1, an empty ON_TIME pane when the watermark passes the end, and an empty " +
      "final LATE pane at GC, both stamped maxTimestamp (ReduceFnRunnerTest.testPaneInfoAllStatesAfterWatermark).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: repeatedly(afterAny(afterCount(2), afterWatermark())),
      allowedLateness: 100,
      timestampCombiner: "earliest",
      closingBehavior: "fireAlways",
    },
    aggregate: "list",
    events: [wm(0), el("a", 1, 1), el("a", 2, 2), wm(50), wm(150), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 1, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: [], timestamp: 9, pane: pane(1, 0, "ON_TIME", false, false) },
      { key: "a", window: win(0, 10), value: [], timestamp: 9, pane: pane(2, 1, "LATE", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
];
