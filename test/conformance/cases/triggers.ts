import {
  GLOBAL_WINDOW,
  Instant,
  afterAll,
  afterAny,
  afterCount,
  afterEach,
  afterProcessingTime,
  afterWatermark,
  defaultTrigger,
  fixedWindows,
  globalWindows,
  never,
  orFinally,
  repeatedly,
} from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, pt, win, wm } from "./helpers.js";

const EOGW = Instant.END_OF_GLOBAL_WINDOW; // maxTimestamp(GLOBAL_WINDOW)

// One case per trigger (docs/core.md rules 3-6), in fixed windows of 10 ms or the global window.
export const cases: ConformanceCase[] = [
  {
    name: "default-trigger-fires-once-at-window-end",
    about:
      "The default trigger fires each window once, when the watermark passes its end; with allowed lateness 0 that " +
      "end-of-window timer is also the GC timer, so the on-time pane is the last (Beam's fixed_default transcript).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger() },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 4), el("b", 5, 6), el("a", 3, 12), wm(10), end],
    expected: [
      // wm 10 > maxTimestamp 9: the end-of-window timer fires; output watermark was MIN, so ON_TIME.
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(10, 20), value: [3], timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "b", window: win(0, 10), value: [5], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "after-watermark-alone-finishes-on-time",
    about:
      "afterWatermark() without early or late firings fires once and finishes, so the on-time pane is the last even " +
      "with allowed lateness 20, and a later element for that window is dropped as closed, not late " +
      "(Beam's AfterWatermark.pastEndOfWindow; ReduceFnRunnerTest.testDropDataMultipleWindowsFinishedTrigger).",
    windowing: { windowFn: fixedWindows(10), trigger: afterWatermark(), allowedLateness: 20 },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 8), wm(10), el("a", 4, 5), end],
    expected: [
      // The trigger finished on firing (rule 5), so isLast although GC is only at 29.
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0, // 9 + 20 >= 10: not late
    droppedClosed: 1, // the element at 5 arrives after the trigger finished
  },
  {
    name: "after-watermark-with-early-count-firings",
    about:
      "afterWatermark({ early: afterCount(2) }) in discarding mode: an early pane every second element, then the " +
      "on-time pane with what came since (Beam's discarding_early_fixed transcript, one element per bundle).",
    windowing: { windowFn: fixedWindows(10), trigger: afterWatermark({ early: afterCount(2) }) },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("a", 3, 3), el("a", 4, 4), el("a", 14, 14), el("a", 6, 6), wm(20), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      // The early trigger restarts its count after each early pane.
      { key: "a", window: win(0, 10), value: [3, 4], timestamp: 9, pane: pane(1, -1, "EARLY", false, false) },
      // First non-early pane: nonSpeculativeIndex = -1 + 1 = 0; lateness 0 makes it the last.
      { key: "a", window: win(0, 10), value: [6], timestamp: 9, pane: pane(2, 0, "ON_TIME", false, true) },
      { key: "a", window: win(10, 20), value: [14], timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "after-watermark-with-late-count-firings",
    about:
      "afterWatermark({ late: afterCount(2) }) with allowed lateness 50: the on-time pane, then a late pane every " +
      "second late element, and the leftover late element in the final pane at GC (Beam's AfterWatermark.withLateFirings).",
    windowing: { windowFn: fixedWindows(10), trigger: afterWatermark({ late: afterCount(2) }), allowedLateness: 50 },
    aggregate: "sum",
    events: [el("a", 1, 3), wm(10), el("a", 2, 4), el("a", 4, 6), el("a", 8, 2), end],
    expected: [
      { key: "a", window: win(0, 10), value: 1, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, false) },
      // Late elements are behind the output watermark (10): no holds, so the timestamp is maxTimestamp (rule 8).
      { key: "a", window: win(0, 10), value: 6, timestamp: 9, pane: pane(1, 1, "LATE", false, false) },
      // end: the GC timer (59) finds one element since the last pane and emits the final pane.
      { key: "a", window: win(0, 10), value: 8, timestamp: 9, pane: pane(2, 2, "LATE", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "after-watermark-with-early-and-late-firings",
    about:
      "afterWatermark({ early: afterCount(2), late: afterCount(1) }), accumulating, lateness 30: EARLY, ON_TIME, one " +
      "LATE pane per late element, nothing at GC, then a drop past lateness (ReduceFnRunnerTest.testProcessingTime's " +
      "speculative/on-time/late sequence).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: afterWatermark({ early: afterCount(2), late: afterCount(1) }),
      accumulation: "accumulating",
      allowedLateness: 30,
    },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("a", 3, 3), wm(10), el("a", 4, 4), el("a", 5, 5), wm(50), el("a", 6, 6), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: win(0, 10), value: [1, 2, 3], timestamp: 9, pane: pane(1, 0, "ON_TIME", false, false) },
      { key: "a", window: win(0, 10), value: [1, 2, 3, 4], timestamp: 9, pane: pane(2, 1, "LATE", false, false) },
      { key: "a", window: win(0, 10), value: [1, 2, 3, 4, 5], timestamp: 9, pane: pane(3, 2, "LATE", false, false) },
      // wm 50 passes GC (39): no element since the last pane, closing fireIfNonEmpty: no final pane (rule 6).
    ],
    droppedLate: 1, // the element at 6: 9 + 30 < 50
    droppedClosed: 0,
  },
  {
    name: "after-processing-time-fires-once",
    about:
      "afterProcessingTime(5), not repeated: fires once when processing time passes the first element's arrival plus " +
      "5 ms, which finishes the trigger and closes the window (Beam's AfterProcessingTime.pastFirstElementInPane).",
    windowing: { windowFn: fixedWindows(10), trigger: afterProcessingTime(5) },
    aggregate: "list",
    events: [pt(0), el("a", 1, 1), el("a", 2, 2), pt(7), el("b", 4, 4), el("a", 3, 3), pt(20), end],
    expected: [
      // a's first element arrived at processing time 0: due at 5, fires at 7. Watermark MIN <= 9: EARLY; finished: last.
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, true) },
      // b's element arrived at processing time 7: due at 12, fires at 20.
      { key: "b", window: win(0, 10), value: [4], timestamp: 9, pane: pane(0, -1, "EARLY", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 1, // a's element at 3 after a's window closed
  },
  {
    name: "repeatedly-after-processing-time-in-global-window",
    about:
      "repeatedly(afterProcessingTime(5)) in the global window: a pane 5 ms of processing time after the first element " +
      "of each pane, then at end an empty ON_TIME pane, since the last pane was early and onTimeBehavior is fireAlways " +
      "(ReduceFnRunnerTest.fireEmptyOnDrainInGlobalWindowIfRequested).",
    windowing: { windowFn: globalWindows(), trigger: repeatedly(afterProcessingTime(5)) },
    aggregate: "list",
    events: [pt(0), el("a", 1, 1), pt(3), el("a", 2, 5), pt(6), el("a", 4, 7), pt(10), el("a", 8, 9), pt(12), end],
    expected: [
      // Due at 0 + 5; fires at 6.
      { key: "a", window: GLOBAL_WINDOW, value: [1, 2], timestamp: EOGW, pane: pane(0, -1, "EARLY", true, false) },
      // The next pane's first element arrived at 6: due at 11, fires at 12.
      { key: "a", window: GLOBAL_WINDOW, value: [4, 8], timestamp: EOGW, pane: pane(1, -1, "EARLY", false, false) },
      // end: end-of-window = GC timer; empty, but ON_TIME with fireAlways is output (rule 6).
      { key: "a", window: GLOBAL_WINDOW, value: [], timestamp: EOGW, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "after-count-fires-once-and-closes",
    about:
      "afterCount(2), not repeated: fires once at the second element and finishes, so the pane is last and the third " +
      "element is dropped as closed; another key's window fires only at end (Beam's garbage_collection transcript; " +
      "ReduceFnRunnerTest.testOnElementBufferingDiscarding).",
    windowing: { windowFn: fixedWindows(10), trigger: afterCount(2) },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 3), el("a", 3, 5), el("b", 7, 7), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, true) },
      // GC at end emits the non-empty final pane; the output watermark was MIN, so ON_TIME.
      { key: "b", window: win(0, 10), value: [7], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 1,
  },
  {
    name: "repeatedly-after-count-in-global-window",
    about:
      "repeatedly(afterCount(2)) in the global window: an early pane every two elements, the remainder on time at end " +
      "(ReduceFnRunnerTest.fireNonEmptyOnDrainInGlobalWindow).",
    windowing: { windowFn: globalWindows(), trigger: repeatedly(afterCount(2)) },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("b", 10, 2), el("a", 3, 3), el("a", 4, 4), el("a", 5, 5), end],
    expected: [
      { key: "a", window: GLOBAL_WINDOW, value: [1, 2], timestamp: EOGW, pane: pane(0, -1, "EARLY", true, false) },
      { key: "a", window: GLOBAL_WINDOW, value: [3, 4], timestamp: EOGW, pane: pane(1, -1, "EARLY", false, false) },
      { key: "a", window: GLOBAL_WINDOW, value: [5], timestamp: EOGW, pane: pane(2, 0, "ON_TIME", false, true) },
      { key: "b", window: GLOBAL_WINDOW, value: [10], timestamp: EOGW, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "after-each-runs-its-triggers-in-turn",
    about:
      "afterEach(afterCount(2), afterCount(3)): the first pane after two elements, then the second trigger counts " +
      "only elements that came after the switch, and its firing finishes the sequence and closes the window " +
      "(Beam's AfterEach.inOrder; AfterEachStateMachineTest).",
    windowing: { windowFn: globalWindows(), trigger: afterEach(afterCount(2), afterCount(3)) },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("a", 3, 3), el("a", 4, 4), el("a", 5, 5), el("a", 6, 6), end],
    expected: [
      { key: "a", window: GLOBAL_WINDOW, value: [1, 2], timestamp: EOGW, pane: pane(0, -1, "EARLY", true, false) },
      // Last subtrigger finished: afterEach finished, pane is last.
      { key: "a", window: GLOBAL_WINDOW, value: [3, 4, 5], timestamp: EOGW, pane: pane(1, -1, "EARLY", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 1, // the element at 6
  },
  {
    name: "repeatedly-after-any-count-or-processing-time",
    about:
      "repeatedly(afterAny(afterCount(3), afterProcessingTime(10))): each pane fires on whichever comes first, three " +
      "elements or 10 ms of processing time after the pane's first element; both restart after a firing " +
      "(Beam's AfterFirst; ReduceFnRunnerTest.testPaneInfoAllStatesAfterWatermark uses AfterFirst the same way).",
    windowing: { windowFn: globalWindows(), trigger: repeatedly(afterAny(afterCount(3), afterProcessingTime(10))) },
    aggregate: "list",
    events: [
      pt(0), // processing time starts at 0, explicitly
      el("a", 1, 1),
      el("a", 2, 2),
      el("a", 3, 3),
      pt(5),
      el("a", 4, 4),
      pt(16),
      pt(20),
      el("a", 5, 5),
      el("a", 6, 6),
      end,
    ],
    expected: [
      // The count fires first (at processing time 0).
      { key: "a", window: GLOBAL_WINDOW, value: [1, 2, 3], timestamp: EOGW, pane: pane(0, -1, "EARLY", true, false) },
      // The element at processing time 5 is due at 15; processing time 16 fires it.
      { key: "a", window: GLOBAL_WINDOW, value: [4], timestamp: EOGW, pane: pane(1, -1, "EARLY", false, false) },
      // Two elements (due at 30) are still pending at end: the GC pane is non-empty and ON_TIME.
      { key: "a", window: GLOBAL_WINDOW, value: [5, 6], timestamp: EOGW, pane: pane(2, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "after-all-count-and-processing-time",
    about:
      "afterAll(afterCount(2), afterProcessingTime(10)) fires once, when both hold: two elements and 10 ms of processing " +
      "time since the first; then the window is closed. Another key meets only the time condition and fires at end " +
      "(Beam's AfterAll; AfterAllStateMachineTest).",
    windowing: { windowFn: fixedWindows(10), trigger: afterAll(afterCount(2), afterProcessingTime(10)) },
    aggregate: "list",
    events: [pt(0), el("a", 1, 1), el("a", 2, 2), pt(11), el("b", 5, 5), el("a", 3, 3), pt(25), end],
    expected: [
      // Count met at the second element; time met at processing time 11 (due at 10).
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, true) },
      // b: due at 21, met at 25, but only one element; the end-of-window = GC timer at end emits it ON_TIME.
      { key: "b", window: win(0, 10), value: [5], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 1, // a's element at 3
  },
  {
    name: "or-finally-count-until-watermark",
    about:
      "orFinally(repeatedly(afterCount(2)), afterWatermark()) with lateness 100: early panes by count until the " +
      "watermark passes the end, whose firing is the final ON_TIME pane; the closed window then drops data " +
      "(ReduceFnRunnerTest.testPaneInfoFinalAndOnTime).",
    windowing: {
      windowFn: fixedWindows(10),
      trigger: orFinally(repeatedly(afterCount(2)), afterWatermark()),
      allowedLateness: 100,
    },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 2, 2), el("a", 3, 3), wm(10), el("a", 4, 4), end],
    expected: [
      { key: "a", window: win(0, 10), value: [1, 2], timestamp: 9, pane: pane(0, -1, "EARLY", true, false) },
      // The `until` trigger fires: orFinally finishes, so isLast although GC is at 109.
      { key: "a", window: win(0, 10), value: [3], timestamp: 9, pane: pane(1, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 1, // the element at 4: not late (9 + 100 >= 10) but closed
  },
  {
    name: "never-trigger-emits-only-at-gc",
    about:
      "never() with lateness 20: nothing at the end of the window, the late element joins the pane, and the GC timer " +
      "emits one final pane; it is ON_TIME because the endOfWindow hold kept the output watermark at 9 " +
      "(Beam's Never.ever(); ReduceFnRunnerTest.testFixedWindowEndOfTimeGarbageCollection).",
    windowing: { windowFn: fixedWindows(10), trigger: never(), allowedLateness: 20 },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 3, 3), wm(15), el("a", 5, 5), wm(40), end],
    expected: [
      // wm 15: end-of-window timer, never's shouldFire is false. Output watermark = min(15, hold 9) = 9.
      // wm 40 > GC 29: final pane. maxTimestamp 9 is not behind the output watermark 9, input 40 > 9: ON_TIME (rule 5).
      { key: "a", window: win(0, 10), value: [1, 3, 5], timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
];
