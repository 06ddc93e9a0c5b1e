import {
  GLOBAL_WINDOW,
  Instant,
  calendarDays,
  defaultTrigger,
  fixedWindows,
  globalWindows,
  sessions,
  slidingWindows,
} from "../../../sdk/index.js";
import { type ConformanceCase } from "../case.js";
import { el, end, pane, win, wm } from "./helpers.js";

const at = (iso: string): Instant => Instant.of(iso);
const DAY = 86_400_000;
const HOUR = 3_600_000;

// One case per window function (rule 1, assignment), all with the default trigger.
export const cases: ConformanceCase[] = [
  {
    name: "global-window-fires-only-at-end",
    about:
      "The global window with the default trigger: no watermark short of the end passes END_OF_GLOBAL_WINDOW, so each " +
      "key gets one ON_TIME pane at end, stamped END_OF_GLOBAL_WINDOW (Beam's GlobalWindows with DefaultTrigger).",
    windowing: { windowFn: globalWindows(), trigger: defaultTrigger() },
    aggregate: "list",
    events: [el("a", 1, 5), el("b", 2, 7), el("a", 3, 100), wm(1000), end],
    expected: [
      {
        key: "a",
        window: GLOBAL_WINDOW,
        value: [1, 3],
        timestamp: Instant.END_OF_GLOBAL_WINDOW,
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        key: "b",
        window: GLOBAL_WINDOW,
        value: [2],
        timestamp: Instant.END_OF_GLOBAL_WINDOW,
        pane: pane(0, 0, "ON_TIME", true, true),
      },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "fixed-windows-with-offset",
    about:
      "fixedWindows(10, 3): windows [-7,3), [3,13), [13,23); an element at 3 opens [3,13), one at 13 opens [13,23), and " +
      "watermark 13 passes maxTimestamp 12 (Beam's FixedWindows.of(size).withOffset).",
    windowing: { windowFn: fixedWindows(10, 3), trigger: defaultTrigger() },
    aggregate: "sum",
    events: [el("a", 1, 2), el("a", 2, 3), el("a", 4, 12), el("a", 8, 13), wm(13), end],
    expected: [
      { key: "a", window: win(-7, 3), value: 1, timestamp: 2, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(3, 13), value: 6, timestamp: 12, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(13, 23), value: 8, timestamp: 22, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "sliding-windows-element-in-several-windows",
    about:
      "slidingWindows(10, 5): each element lands in two windows and counts in each one's sum; the watermark at 10 " +
      "fires [-5,5) and [0,10), end fires the rest (Beam's SlidingWindows.of(size).every(period)).",
    windowing: { windowFn: slidingWindows(10, 5), trigger: defaultTrigger() },
    aggregate: "sum",
    // 7 -> [0,10), [5,15); 12 -> [5,15), [10,20); 3 -> [-5,5), [0,10).
    events: [el("a", 1, 7), el("a", 2, 12), el("a", 4, 3), wm(10), end],
    expected: [
      { key: "a", window: win(-5, 5), value: 4, timestamp: 4, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(0, 10), value: 5, timestamp: 9, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(5, 15), value: 3, timestamp: 14, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(10, 20), value: 2, timestamp: 19, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "sessions-merge-overlapping-not-touching",
    about:
      "sessions(10) per key: [1,11) and [5,15) overlap and merge into [1,15); [15,25) only touches it and stays apart; " +
      "key b's session is its own (rule 1; Beam's Sessions with MergeOverlappingIntervalWindows, " +
      "ReduceFnRunnerTest.testMergeBeforeFinalizing).",
    windowing: { windowFn: sessions(10), trigger: defaultTrigger() },
    aggregate: "list",
    events: [el("a", 1, 1), el("a", 5, 5), el("a", 15, 15), el("b", 3, 3), end],
    expected: [
      { key: "a", window: win(1, 15), value: [1, 5], timestamp: 14, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "a", window: win(15, 25), value: [15], timestamp: 24, pane: pane(0, 0, "ON_TIME", true, true) },
      { key: "b", window: win(3, 13), value: [3], timestamp: 12, pane: pane(0, 0, "ON_TIME", true, true) },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "calendar-days-utc",
    about:
      "calendarDays(1, 'UTC'): a window per UTC day, [midnight, next midnight); the day's first and last millisecond " +
      "fall in it, the next midnight opens the next day (Beam's CalendarWindows.days(1)).",
    windowing: { windowFn: calendarDays(1, "UTC"), trigger: defaultTrigger() },
    aggregate: "sum",
    events: [
      el("a", 1, at("2024-01-15T00:00:00.000Z")),
      el("a", 2, at("2024-01-15T23:59:59.999Z")),
      el("a", 4, at("2024-01-16T00:00:00.000Z")),
      el("b", 8, at("2024-01-14T23:59:59.999Z")),
      wm(at("2024-01-16T00:00:00.000Z")),
      end,
    ],
    expected: [
      {
        key: "a",
        window: win(at("2024-01-15T00:00:00Z"), at("2024-01-16T00:00:00Z")),
        value: 3,
        timestamp: at("2024-01-15T23:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        key: "a",
        window: win(at("2024-01-16T00:00:00Z"), at("2024-01-16T00:00:00Z") + DAY),
        value: 4,
        timestamp: at("2024-01-16T23:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        key: "b",
        window: win(at("2024-01-14T00:00:00Z"), at("2024-01-15T00:00:00Z")),
        value: 8,
        timestamp: at("2024-01-14T23:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
  {
    name: "calendar-days-berlin-across-dst-changes",
    about:
      "calendarDays(1, 'Europe/Berlin') over both 2024 DST changes: 31 March is a 23-hour day (CET midnight to CEST " +
      "midnight), 27 October a 25-hour day; each window runs from local midnight to local midnight " +
      "(Beam's CalendarWindows.days(1).withTimeZone).",
    windowing: { windowFn: calendarDays(1, "Europe/Berlin"), trigger: defaultTrigger() },
    aggregate: "sum",
    events: [
      el("a", 1, at("2024-03-30T22:30:00Z")), // 30 March 23:30 CET
      el("a", 2, at("2024-03-30T23:30:00Z")), // 31 March 00:30 CET
      el("a", 4, at("2024-03-31T21:59:59.999Z")), // 31 March 23:59:59.999 CEST
      el("a", 8, at("2024-03-31T22:00:00Z")), // 1 April 00:00 CEST
      el("b", 16, at("2024-10-27T22:30:00Z")), // 27 October 23:30 CET
      el("b", 32, at("2024-10-27T23:00:00Z")), // 28 October 00:00 CET
      wm(at("2024-03-31T22:00:00Z")),
      end,
    ],
    expected: [
      {
        key: "a",
        window: win(at("2024-03-29T23:00:00Z"), at("2024-03-30T23:00:00Z")),
        value: 1,
        timestamp: at("2024-03-30T22:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        // 23 hours: 00:00 CET (23:00Z) to 00:00 CEST (22:00Z).
        key: "a",
        window: win(at("2024-03-30T23:00:00Z"), at("2024-03-30T23:00:00Z") + 23 * HOUR),
        value: 6,
        timestamp: at("2024-03-31T21:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        key: "a",
        window: win(at("2024-03-31T22:00:00Z"), at("2024-04-01T22:00:00Z")),
        value: 8,
        timestamp: at("2024-04-01T21:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        // 25 hours: 00:00 CEST (22:00Z) to 00:00 CET (23:00Z the next day).
        key: "b",
        window: win(at("2024-10-26T22:00:00Z"), at("2024-10-26T22:00:00Z") + 25 * HOUR),
        value: 16,
        timestamp: at("2024-10-27T22:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
      {
        key: "b",
        window: win(at("2024-10-27T23:00:00Z"), at("2024-10-28T23:00:00Z")),
        value: 32,
        timestamp: at("2024-10-28T22:59:59.999Z"),
        pane: pane(0, 0, "ON_TIME", true, true),
      },
    ],
    droppedLate: 0,
    droppedClosed: 0,
  },
];
