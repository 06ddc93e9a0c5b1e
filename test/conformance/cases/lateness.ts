import { afterCount, defaultTrigger, fixedWindows } from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, win, wm } from "./helpers.js";

// Allowed lateness, dropping and garbage collection (rules 2, 4 and 10).
export const cases: ConformanceCase[] = [
  {
    name: "late-data-within-and-beyond-allowed-lateness",
    about:
      "Default trigger, lateness 10: each late element within lateness fires its own LATE pane (the default trigger " +
      "stays ready after the end of the window); at watermark 19 an element is still accepted (9 + 10 < 19 is false), " +
      "at 20 the GC timer has fired and later elements are dropped late (ReduceFnRunnerTest.testOnlyOneOnTimePane; " +
      "LateDataDroppingDoFnRunner).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 10 },
    aggregate: "sum",
    events: [
      el("a", 1, 2),
      el("a", 2, 5),
      wm(12),
      el("a", 4, 3),
      wm(19),
      el("a", 8, 7),
      wm(20),
      el("a", 16, 1),
      el("b", 32, 4),
      end,
    ],
    expected: [
      // GC is at 19, so the on-time pane is not the last.
      { key: "a", window: win(0, 10), value: 3, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      { key: "a", window: win(0, 10), value: 4, timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
      { key: "a", window: win(0, 10), value: 8, timestamp: 9, pane: pane(2, 2, "LATE", false, false) },
      // wm 20 > 19: GC; nothing since the last pane, closing fireIfNonEmpty: no final pane.
    ],
    droppedLate: 2, // a's 1 and b's 4, both in [0,10) after its GC
    droppedClosed: 0,
  },
  {
    name: "zero-lateness-drop-boundary",
    about:
      "Lateness 0: at watermark 9 an element at 9 is on time (maxTimestamp 9 is not behind 9) and joins the pane; " +
      "after watermark 10 fires the window, another element at 9 is dropped late, one at 10 opens the next window " +
      "(rule 2; Beam's LateDataUtils / LateDataDroppingDoFnRunner).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger() },
    aggregate: "list",
    events: [el("a", 1, 1), wm(9), el("a", 2, 9), wm(10), el("a", 4, 9), el("a", 8, 10), end],
    expected: [
      // wm 9 does not pass the timer at 9 (9 > 9 is false); wm 10 does.
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(10, 20), value: [8], timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 1,
    droppedClosed: 0,
  },
  {
    name: "late-first-pane-and-no-hold-behind-output-watermark",
    about:
      "Default trigger, lateness 20, earliest timestamps, watermark already 15: a's first element for [0,10) makes a " +
      "LATE pane that is index 0 and isFirst; b's element at 12 is in an open window but behind the output watermark, " +
      "so it holds nothing and its pane is stamped maxTimestamp 19 (rules 5 and 8; " +
      "ReduceFnRunnerTest.testPaneInfoSkipToNonSpeculativeAndFinish, known_late_data_no_watermark_hold_possible).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: defaultTrigger(),
      allowedLateness: 20,
      timestampCombiner: "earliest",
    },
    aggregate: "list",
    events: [wm(15), el("a", 3, 3), el("a", 6, 6), el("b", 12, 12), end],
    expected: [
      // maxTimestamp 9 is behind the output watermark 15: LATE though nothing was emitted before.
      { key: "a", window: win(0, 10), value: [3], timestamp: 9, pane: pane(0, 0, "LATE", true, false) },
      { key: "a", window: win(0, 10), value: [6], timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
      // end: the output watermark was 15 <= 19 and the input passes 19: ON_TIME; GC at 39 is a separate timer, and
      // finds nothing new (closing fireIfNonEmpty), so this pane is not marked last.
      { key: "b", window: win(10, 20), value: [12], timestamp: 19, pane: pane(0, 0, "ON_TIME", true, false) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "closed-window-drops-counted-apart-from-late-drops",
    about:
      "afterCount(1), not repeated, lateness 10: the first element fires and closes the window, so the next is dropped " +
      "as closed; once the watermark passes GC (19) the window's state is gone and a further element is dropped as " +
      "late instead (rule 2; ReduceFnRunner's droppedDueToClosedWindow vs LateDataDroppingDoFnRunner's droppedDueToLateness).",
    windowing: { windowFn: fixedWindows(10), trigger: afterCount(1), allowedLateness: 10 },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), wm(25), el("a", 3, 3), end],
    expected: [{ key: "a", window: win(0, 10), value: [1], timestamp: 9, pane: pane(0, -1, "EARLY", true, true) }],
    droppedLate: 1,
    droppedClosed: 1,
  },
  {
    name: "end-passes-end-of-window-and-gc-separately",
    about:
      "Default trigger, lateness 20, straight to end: the end-of-window timer emits the ON_TIME pane (not last, the " +
      "trigger has not finished), then the GC timer finds nothing new and closing fireIfNonEmpty emits nothing, so no " +
      "pane is marked last (rules 4, 6 and 10; Beam's ReduceFnRunnerTest.testFixedWindowsEowAndGcTogetherFireIfNonEmpty " +
      "expects one pane marked last instead: see the report).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), allowedLateness: 20 },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), end],
    expected: [{ key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) }],
    droppedLate: 0,
    droppedClosed: 0,
  },
];
