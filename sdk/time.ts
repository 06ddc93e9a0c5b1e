/**
 * Event time. An instant is a number of milliseconds since the Unix epoch (UTC);
 * a duration is a number of milliseconds. Both are plain numbers so they cross
 * threads, JSON and Arrow int64/timestamp columns without conversion.
 */
export type Instant = number;
export type Duration = number;

const DAY = 86_400_000;

/** Named bounds of event time: the range of a JS `Date`, so every instant formats. */
export const Instant = Object.freeze({
  /** Before every timestamp; the watermark of a source that has not started. */
  MIN: -8_640_000_000_000_000 as Instant,
  /** After every timestamp; the watermark of a finished (bounded) input. */
  MAX: 8_640_000_000_000_000 as Instant,
  /** The last timestamp of the global window, one day before MAX (as in Beam) so
   *  that end-of-window timers of the global window can still fire before MAX. */
  END_OF_GLOBAL_WINDOW: (8_640_000_000_000_000 - DAY) as Instant,
  of(date: Date | string | number): Instant {
    const ms = typeof date === "number" ? date : new Date(date).getTime();
    if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(date)}`);
    return ms;
  },
  format(t: Instant): string {
    if (t <= Instant.MIN) return "-inf";
    if (t >= Instant.MAX) return "+inf";
    return new Date(t).toISOString();
  },
});

export const millis = (n: number): Duration => n;
export const seconds = (n: number): Duration => n * 1000;
export const minutes = (n: number): Duration => n * 60_000;
export const hours = (n: number): Duration => n * 3_600_000;
export const days = (n: number): Duration => n * DAY;

/** Formats a duration for plans and messages: `90s`, `5m`, `1d`, `250ms`. */
export function formatDuration(d: Duration): string {
  const units: [number, string][] = [
    [DAY, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) if (d !== 0 && d % size === 0) return `${d / size}${unit}`;
  return `${d}ms`;
}
