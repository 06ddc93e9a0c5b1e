import { defaultTrigger, fixedWindows } from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, pt, win, wm } from "./helpers.js";

// The input watermark: from watermark events, or from per-partition generators (max seen event time minus maxDelay;
// a partition idle after idleTimeout of processing time stops holding it back; a partition that never had data
// starts at Instant.MIN; the result is the minimum over non-idle partitions and never moves backwards).
// Processing time starts at 0, and a partition's idle countdown starts then too.
export const cases: ConformanceCase[] = [
  {
    name: "out-of-order-elements-between-watermarks",
    about:
      "Elements arrive out of order; each waits in its window until the watermark passes the window's end, one that " +
      "arrives after that (9, after watermark 10) is dropped, and earliest timestamps ignore arrival order (rules 2, 4 " +
      "and 8; Beam's fixed_default and timestamp_combiner_earliest transcripts).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger(), timestampCombiner: "earliest" },
    aggregate: "list",
    events: [
      el("a", 15, 15),
      el("a", 3, 3),
      el("a", 12, 12),
      el("a", 7, 7),
      wm(10),
      el("a", 9, 9),
      el("a", 18, 18),
      el("a", 11, 11),
      wm(20),
      end,
    ],
    expected: [
      { key: "a", window: win(0, 10), value: [3, 7], timestamp: 3, pane: pane(0, 0, "ON_TIME", true, true) },
      // 18 and 11 arrive when the output watermark is 10, so they still hold: min(15, 12, 18, 11) = 11.
      { key: "a", window: win(10, 20), value: [11, 12, 15, 18], timestamp: 11, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 1,
    droppedClosed: 0,
  },
  {
    name: "watermark-is-minimum-over-partitions",
    about:
      "Two partitions, maxDelay 2: the input watermark is the smaller partition watermark (12 and 6 give 6, so b's " +
      "element at 4 is on time); when partition 1 reaches 11 the windows [0,10) fire and a's element at 7 is dropped " +
      "late; watermark events play no part (Flink's WatermarkStrategy.forBoundedOutOfOrderness with a per-split valve; " +
      "Beam's watermark as the minimum over inputs).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger() },
    aggregate: "sum",
    partitions: { count: 2, maxDelay: 2 },
    events: [
      el("a", 1, 5, 0), // partition 0 at 3; partition 1 has no data: MIN
      el("a", 2, 14, 0), // partition 0 at 12
      el("b", 4, 8, 1), // partition 1 at 6: input 6
      el("b", 8, 4, 1), // [0,10) is open: 9 >= 6
      el("b", 16, 13, 1), // partition 1 at 11: input 11 fires [0,10)
      el("a", 32, 7, 0), // 9 < 11: dropped late
      end,
    ],
    expected: [
      { key: "a", window: win(0, 10), value: 1, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(10, 20), value: 2, timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "b", window: win(0, 10), value: 12, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "b", window: win(10, 20), value: 16, timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 1,
    droppedClosed: 0,
  },
  {
    name: "partition-without-data-holds-watermark-at-min",
    about:
      "Two partitions, data only on partition 0 and no idleTimeout: partition 1 stays at Instant.MIN, so the input " +
      "watermark never advances before end, a watermark event to 100 is ignored, and an element at 3 after one at 30 " +
      "is still on time (Flink's source watermark alignment without idleness; rule 2).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger() },
    aggregate: "sum",
    partitions: { count: 2, maxDelay: 0 },
    events: [el("a", 1, 1, 0), el("a", 2, 15, 0), el("a", 4, 30, 0), wm(100), pt(1000), el("a", 8, 3, 0), end],
    expected: [
      { key: "a", window: win(0, 10), value: 9, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(10, 20), value: 2, timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(30, 40), value: 4, timestamp: 39, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "idle-partition-stops-holding-watermark",
    about:
      "Two partitions, maxDelay 5, idleTimeout 50, data on partition 0 only: partition 1 (never had data, at MIN) " +
      "holds the input watermark at MIN until processing time 60, when it is idle and the watermark jumps to " +
      "partition 0's 12, firing [0,10); data behind it is then dropped, even data on partition 1, which becomes " +
      "active again behind the watermark without moving it back (Flink's WatermarkStrategy.withIdleness; " +
      "docs/core.md's WatermarkTracker).",
    windowing: { windowFn: fixedWindows(10), trigger: defaultTrigger() },
    aggregate: "sum",
    partitions: { count: 2, maxDelay: 5, idleTimeout: 50 },
    events: [
      wm(100), // ignored: partitions make the watermark
      el("a", 1, 2, 0), // partition 0 at -3
      el("a", 2, 12, 0), // partition 0 at 7
      pt(30),
      el("a", 4, 17, 0), // partition 0 at 12, last data at processing time 30
      pt(60), // partition 1 idle (60 - 0 >= 50), partition 0 not (60 - 30 < 50): input 12
      el("a", 8, 5, 0), // 9 < 12: dropped late
      el("b", 16, 3, 1), // partition 1 active again at -2; the watermark stays 12: dropped late
      el("a", 32, 25, 0), // partition 0 at 20, but partition 1 (-2) holds the watermark at 12 until end
      end,
    ],
    expected: [
      // Fired by the processing-time event at 60; the output watermark was still MIN: ON_TIME.
      { key: "a", window: win(0, 10), value: 1, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(10, 20), value: 6, timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(20, 30), value: 32, timestamp: 29, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 2,
    droppedClosed: 0,
  },
];
