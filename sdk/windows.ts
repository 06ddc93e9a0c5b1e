import { type Duration, type Instant, Instant as I, formatDuration } from "./time.js";

/** A window: the half-open event-time interval [start, end). */
export interface Window {
  readonly start: Instant;
  readonly end: Instant;
}

/** The one window of the global window function. Its last timestamp is END_OF_GLOBAL_WINDOW. */
export const GLOBAL_WINDOW: Window = Object.freeze({
  start: I.MIN,
  end: I.END_OF_GLOBAL_WINDOW + 1,
});

/** The latest timestamp inside a window (Beam's maxTimestamp). */
export const maxTimestamp = (w: Window): Instant => w.end - 1;

/** Where in event time elements are grouped: plain data, so it can live in the graph. */
export type WindowFn =
  | { readonly kind: "global" }
  | { readonly kind: "fixed"; readonly size: Duration; readonly offset: Duration }
  | {
      readonly kind: "sliding";
      readonly size: Duration;
      readonly period: Duration;
      readonly offset: Duration;
    }
  | { readonly kind: "sessions"; readonly gap: Duration }
  | { readonly kind: "calendarDays"; readonly days: number; readonly timeZone: string };

export type WindowKind = WindowFn["kind"];

export const globalWindows = (): WindowFn => Object.freeze({ kind: "global" });

/** Tumbling windows of `size`, aligned to the epoch plus `offset`. */
export const fixedWindows = (size: Duration, offset: Duration = 0): WindowFn => Object.freeze({ kind: "fixed", size, offset });

/** Hopping windows of `size` starting every `period`; an element lands in size/period windows. */
export const slidingWindows = (size: Duration, period: Duration, offset: Duration = 0): WindowFn =>
  Object.freeze({ kind: "sliding", size, period, offset });

/** Per-key sessions: windows of activity that merge when less than `gap` apart. */
export const sessions = (gap: Duration): WindowFn => Object.freeze({ kind: "sessions", gap });

/** Windows of `n` calendar days in an IANA time zone (days shorter or longer across DST). */
export const calendarDays = (n: number, timeZone = "UTC"): WindowFn => Object.freeze({ kind: "calendarDays", days: n, timeZone });

/** Whether windows of this function merge (only sessions do). */
export const isMerging = (fn: WindowFn): boolean => fn.kind === "sessions";

export function describeWindowFn(fn: WindowFn): string {
  switch (fn.kind) {
    case "global":
      return "global";
    case "fixed":
      return `fixed(${formatDuration(fn.size)}${fn.offset ? `, offset ${formatDuration(fn.offset)}` : ""})`;
    case "sliding":
      return `sliding(${formatDuration(fn.size)} every ${formatDuration(fn.period)}${fn.offset ? `, offset ${formatDuration(fn.offset)}` : ""})`;
    case "sessions":
      return `sessions(gap ${formatDuration(fn.gap)})`;
    case "calendarDays":
      return `calendarDays(${fn.days}, ${fn.timeZone})`;
  }
}

/** Problems with a window function's parameters, each a sentence. */
export function windowFnProblems(fn: WindowFn): string[] {
  const problems: string[] = [];
  const positive = (what: string, d: number) => {
    if (!(Number.isInteger(d) && d > 0)) problems.push(`${what} must be a positive whole number of milliseconds, got ${d}`);
  };
  switch (fn.kind) {
    case "global":
      break;
    case "fixed":
      positive("fixed window size", fn.size);
      if (fn.offset < 0 || fn.offset >= fn.size) problems.push(`fixed window offset ${fn.offset} must be in [0, size)`);
      break;
    case "sliding":
      positive("sliding window size", fn.size);
      positive("sliding window period", fn.period);
      if (fn.period > fn.size)
        problems.push(
          `sliding window period ${formatDuration(fn.period)} is larger than its size ${formatDuration(fn.size)}: elements between windows would be lost`,
        );
      if (fn.offset < 0 || fn.offset >= fn.period) problems.push(`sliding window offset ${fn.offset} must be in [0, period)`);
      break;
    case "sessions":
      positive("session gap", fn.gap);
      break;
    case "calendarDays":
      if (!(Number.isInteger(fn.days) && fn.days > 0))
        problems.push(`calendarDays needs a positive whole number of days, got ${fn.days}`);
      if (!isTimeZone(fn.timeZone)) problems.push(`calendarDays time zone "${fn.timeZone}" is not an IANA time zone`);
      break;
  }
  return problems;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
