import { afterCount, afterWatermark, defaultTrigger, sessions } from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, win, wm } from "./helpers.js";

// Session merging with triggers (rule 1): merged contents, holds and trigger state; fresh pane info for a new window.
export const cases: ConformanceCase[] = [
  {
    name: "sessions-merge-chain-bridged-on-time",
    about:
      "sessions(5) with the earliest timestamp: [1,6) and [4,9) merge into [1,9); [12,17) stays apart until an " +
      "element at 8 ([8,13)) overlaps both and bridges them into [1,17), whose sum and earliest timestamp cover all " +
      "four elements (rule 1; Beam's Sessions merging, ReduceFnRunnerTest.testMergeBeforeFinalizing).",
    windowing: { windowFn: sessions(5), trigger: defaultTrigger(), timestampCombiner: "earliest" },
    aggregate: "sum",
    events: [el("a", 1, 1), el("a", 2, 4), el("a", 4, 12), el("a", 8, 8), el("b", 16, 20), wm(30), end],
    expected: [
      // Holds merge with the windows: min(1, 4, 12, 8) = 1.
      { key: "a", window: win(1, 17), value: 15, timestamp: 1, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "b", window: win(20, 25), value: 16, timestamp: 20, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "sessions-merged-window-starts-fresh-pane-info",
    about:
      "sessions(10) with early afterCount(2), accumulating: after [1,13) fires early, later elements merge it into " +
      "new windows [1,22) then [1,24); the merged counts fire again, and the new window's first pane is index 0, " +
      "isFirst again (rule 1, as Beam's ReduceFnRunner clears the pane info of merged-away windows).",
    windowing: {
      windowFn: sessions(10),
      trigger: afterWatermark({ early: afterCount(2) }),
      accumulation: "accumulating",
    },
    aggregate: "list",
    // 1 -> [1,11); 3 -> [3,13) merges: [1,13), count 2, fires. 12 -> [1,22), count 0 + 1. 14 -> [1,24), count 2, fires.
    events: [el("a", 1, 1), el("a", 3, 3), el("a", 12, 12), el("a", 14, 14), wm(30), end],
    expected: [
      { key: "a", window: win(1, 13), value: [1, 3], timestamp: 12, pane: pane(0, -1, "EARLY", true, false) },
      // [1,24) is a new merge result, not one of the merged windows: fresh pane info (rule 1). Accumulated contents merge.
      { key: "a", window: win(1, 24), value: [1, 3, 12, 14], timestamp: 23, pane: pane(0, -1, "EARLY", true, false) },
      // wm 30 > 23: on-time pane, empty but fireAlways; accumulating keeps the contents; lateness 0: last.
      { key: "a", window: win(1, 24), value: [1, 3, 12, 14], timestamp: 23, pane: pane(1, 0, "ON_TIME", false, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "sessions-early-on-time-and-late-firings",
    about:
      "sessions(10) with afterWatermark({ early: afterCount(2), late: afterCount(2) }), accumulating, lateness 100: " +
      "early panes in windows that later merge away, the ON_TIME pane as the first pane of the final session, late " +
      "elements that merge into it keep its pane info, and the leftover late element fires at GC " +
      "(Beam's early_late_sessions transcript, with Java's fresh pane info for new merge results).",
    windowing: {
      windowFn: sessions(10),
      trigger: afterWatermark({ early: afterCount(2), late: afterCount(2) }),
      accumulation: "accumulating",
      allowedLateness: 100,
    },
    aggregate: "list",
    events: [
      el("a", 1, 1), // [1,11)
      el("a", 2, 2), // [1,12), count 2: early
      el("a", 3, 3), // [1,13), count 1
      el("a", 4, 4), // [1,14), count 2: early
      el("a", 5, 5), // [1,15), count 1
      wm(100),
      el("a", 1, 1), // [1,11) merges into [1,15): same window; late count 1
      el("a", 3, 3), // late count 2: late pane
      el("a", 4, 4), // late count 1, pending
      end,
    ],
    expected: [
      { key: "a", window: win(1, 12), value: [1, 2], timestamp: 11, pane: pane(0, -1, "EARLY", true, false) },
      // New merge result [1,14): fresh pane info, so index 0 again (rule 1).
      { key: "a", window: win(1, 14), value: [1, 2, 3, 4], timestamp: 13, pane: pane(0, -1, "EARLY", true, false) },
      // [1,15) never emitted before: its on-time pane is its first.
      { key: "a", window: win(1, 15), value: [1, 2, 3, 4, 5], timestamp: 14, pane: pane(0, 0, "ON_TIME", true, false) },
      // The merge result is [1,15) itself, so it keeps its pane info. Late elements hold nothing: timestamp 14.
      {
        key: "a",
        window: win(1, 15),
        value: [1, 1, 2, 3, 3, 4, 5],
        timestamp: 14,
        pane: pane(1, 1, "LATE", false, false),
      },
      // end: GC (114) with one element since the last pane: the final pane.
      {
        key: "a",
        window: win(1, 15),
        value: [1, 1, 2, 3, 3, 4, 4, 5],
        timestamp: 14,
        pane: pane(2, 2, "LATE", false, true),
      },
    ],
    droppedLate: 0, // each late element's own window [t, t+10) has maxTimestamp + 100 >= 100
    droppedClosed: 0,
  },
  {
    name: "sessions-late-element-bridges-two-sessions",
    about:
      "sessions(10), afterWatermark({ late: afterCount(1) }), accumulating, lateness 30: [1,11) and [18,28) each fire " +
      "on time; a late element at 9 ([9,19)) overlaps both and merges them into the new window [1,28), whose first " +
      "pane is index 0, isFirst, and LATE because its maxTimestamp 27 is behind the output watermark 40 " +
      "(rules 1 and 5; Beam's ReduceFnRunner merging, PaneInfoTracker's isLateForOutput).",
    windowing: {
      windowFn: sessions(10),
      trigger: afterWatermark({ late: afterCount(1) }),
      accumulation: "accumulating",
      allowedLateness: 30,
    },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 18, 18), wm(40), el("a", 9, 9), end],
    expected: [
      { key: "a", window: win(1, 11), value: [1], timestamp: 10, pane: pane(0, 0, "ON_TIME", true, false) },
      // Fresh pane info (rule 1); contents of both sessions merge (accumulating); no hold for 9 < 40: timestamp 27.
      { key: "a", window: win(1, 28), value: [1, 9, 18], timestamp: 27, pane: pane(0, 0, "LATE", true, false) },
      { key: "a", window: win(18, 28), value: [18], timestamp: 27, pane: pane(0, 0, "ON_TIME", true, false) },
      // end: GC of [1,28) at 57 finds nothing new; closing fireIfNonEmpty: no final pane.
    ],
    droppedLate: 0, // [9,19): 18 + 30 >= 40, and the merged [1,28): 27 + 30 >= 40
    droppedClosed: 0,
  },
];
