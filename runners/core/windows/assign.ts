import {
  type Duration,
  GLOBAL_WINDOW,
  type Instant,
  type Window,
  type WindowFn,
  describeWindowFn,
  windowFnProblems,
} from "../../../sdk/index.js";
import { ZoneCalendar } from "./time-zone.js";

/** The windows one element belongs to, given its timestamp. */
export type WindowAssigner = (timestamp: Instant) => readonly Window[];

const ONLY_GLOBAL: readonly Window[] = Object.freeze([GLOBAL_WINDOW]);

/** Mathematical modulo: never negative for a positive divisor, so pre-1970 timestamps align like later ones. */
const floorMod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * The start of the fixed window of `size` (aligned to the epoch plus `offset`) holding `t`:
 * a plain number, for columnar code that assigns a whole column without allocating windows.
 */
export const assignFixedStart = (size: Duration, offset: Duration, t: Instant): Instant => t - floorMod(t - offset, size);

/**
 * The end of a window starting at `start` and lasting `size`, cut at the end of the global window
 * so its last timestamp stays one a timer can fire at (as Beam's FixedWindows does).
 */
export const windowEnd = (start: Instant, size: Duration): Instant => Math.min(start + size, GLOBAL_WINDOW.end);

/** The latest start of a sliding window (every `period`, plus `offset`) that holds `t`. */
export const lastSlidingStart = (period: Duration, offset: Duration, t: Instant): Instant => t - floorMod(t - offset, period);

/** The calendar-day window holding `t` (see `assignWindows`). */
export const calendarDayWindow = (days: number, timeZone: string, t: Instant): Window =>
  ZoneCalendar.of(timeZone).window(days, t);

/**
 * The windows of `fn` holding an element at `timestamp`, with Beam's semantics:
 * - global: the global window;
 * - fixed: the one window [start, start + size) with start = timestamp - mod(timestamp - offset, size);
 * - sliding: every window of `size` starting at a multiple of `period` plus `offset` that holds the
 *   timestamp, latest start first (the order of Beam's SlidingWindows.assignWindows);
 * - sessions: the proto-window [timestamp, timestamp + gap), merged later by a MergingWindowSet;
 * - calendarDays: `days` local days in the time zone, counted from 1970-01-01 local, from the first
 *   instant of the first day to the first instant of the day after the last (so 23 or 25 hours per
 *   day across a DST change).
 * `fn` is assumed valid (`windowFnProblems(fn)` empty); `assignerFor` checks that once.
 */
export function assignWindows(fn: WindowFn, timestamp: Instant): Window[] {
  switch (fn.kind) {
    case "global":
      return [GLOBAL_WINDOW];
    case "fixed": {
      const start = assignFixedStart(fn.size, fn.offset, timestamp);
      return [{ start, end: windowEnd(start, fn.size) }];
    }
    case "sliding":
      return slidingWindowsAt(fn.size, fn.period, fn.offset, timestamp);
    case "sessions":
      return [{ start: timestamp, end: windowEnd(timestamp, fn.gap) }];
    case "calendarDays":
      return [calendarDayWindow(fn.days, fn.timeZone, timestamp)];
  }
}

/**
 * A per-element assigner for `fn`, checked once: the global window comes back as one shared
 * array and calendar zones are looked up once. The arrays it returns must not be changed.
 */
export function assignerFor(fn: WindowFn): WindowAssigner {
  const problems = windowFnProblems(fn);
  if (problems.length > 0) throw new RangeError(`cannot assign windows of ${describeWindowFn(fn)}: ${problems.join("; ")}`);
  switch (fn.kind) {
    case "global":
      return () => ONLY_GLOBAL;
    case "calendarDays": {
      const zone = ZoneCalendar.of(fn.timeZone);
      return (t) => [zone.window(fn.days, t)];
    }
    default:
      return (t) => assignWindows(fn, t);
  }
}

function slidingWindowsAt(size: Duration, period: Duration, offset: Duration, t: Instant): Window[] {
  const windows: Window[] = [];
  for (let start = lastSlidingStart(period, offset, t); start > t - size; start -= period)
    windows.push({ start, end: windowEnd(start, size) });
  return windows;
}
