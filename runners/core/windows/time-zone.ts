import { type Duration, GLOBAL_WINDOW, type Instant, Instant as I, type Window } from "../../../sdk/index.js";
import { intervalWindow } from "./interval.js";

const DAY = 86_400_000;
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
/** How many day starts a zone remembers before it starts over (a few decades of days). */
const DAY_CACHE_LIMIT = 16_384;

const floorMod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * Local calendar days of one IANA time zone, from the zone's UTC offsets as Intl reports them.
 * One instance per zone (`ZoneCalendar.of`), holding its formatter and the day starts it computed.
 */
export class ZoneCalendar {
  private static readonly zones = new Map<string, ZoneCalendar>();
  private readonly dayStarts = new Map<number, Instant>();
  /** The last window handed out per window length in days: consecutive elements mostly share it. */
  private readonly lastWindows = new Map<number, Window>();
  /** Null for UTC, whose offset is always zero. */
  private readonly format: Intl.DateTimeFormat | null;

  private constructor(readonly timeZone: string) {
    this.format = timeZone === "UTC" ? null : formatterFor(timeZone);
  }

  static of(timeZone: string): ZoneCalendar {
    let zone = ZoneCalendar.zones.get(timeZone);
    if (!zone) {
      zone = new ZoneCalendar(timeZone);
      ZoneCalendar.zones.set(timeZone, zone);
    }
    return zone;
  }

  /** Local time minus UTC at `t`, in whole seconds as milliseconds. */
  offsetAt(t: Instant): Duration {
    if (!this.format) return 0;
    // Intl cannot format outside the Date range; offsets there are the zone's oldest or newest anyway.
    const at = Math.min(Math.max(t, I.MIN), I.MAX);
    let weekday = 0;
    let localSeconds = 0;
    for (const part of this.format.formatToParts(at)) {
      if (part.type === "weekday") weekday = WEEKDAYS[part.value] ?? 0;
      else if (part.type === "hour") localSeconds += Number(part.value) * 3600;
      else if (part.type === "minute") localSeconds += Number(part.value) * 60;
      else if (part.type === "second") localSeconds += Number(part.value);
    }
    // The weekday tells the day difference (offsets stay within a day) without depending on a calendar's years.
    const utcSecond = Math.floor(at / 1000);
    const utcDays = Math.floor(utcSecond / 86_400);
    const utcWeekday = floorMod(utcDays + 4, 7); // 1970-01-01 was a Thursday
    const dayShift = [0, 1, 0, 0, 0, 0, -1][floorMod(weekday - utcWeekday, 7)] ?? 0;
    return (dayShift * 86_400 + localSeconds - floorMod(utcSecond, 86_400)) * 1000;
  }

  /** The local date of `t`, as days since 1970-01-01 in this zone. */
  localDay(t: Instant): number {
    return Math.floor((t + this.offsetAt(t)) / DAY);
  }

  /**
   * The first instant whose local date is `day` (days since 1970-01-01 local): local midnight, or,
   * when midnight is skipped by a transition, the transition itself; when midnight repeats, the first one.
   */
  startOfDay(day: number): Instant {
    let start = this.dayStarts.get(day);
    if (start === undefined) {
      start = this.computeStartOfDay(day);
      if (this.dayStarts.size >= DAY_CACHE_LIMIT) this.dayStarts.clear();
      this.dayStarts.set(day, start);
    }
    return start;
  }

  /**
   * The window of `days` local days holding `t`: windows start at local days that are multiples of
   * `days` since 1970-01-01 and run to the first instant of the day after their last day.
   */
  window(days: number, t: Instant): Window {
    const last = this.lastWindows.get(days);
    if (last && last.start <= t && t < last.end) return last;
    let first = Math.floor(this.localDay(t) / days) * days;
    let start = this.startOfDay(first);
    let end = this.startOfDay(first + days);
    // An instant after a day's first instant can read as the day before when clocks go back across
    // midnight; it belongs to the window whose interval holds it, so every window holds its elements.
    while (t >= end) {
      first += days;
      start = end;
      end = this.startOfDay(first + days);
    }
    while (t < start) {
      first -= days;
      end = start;
      start = this.startOfDay(first);
    }
    const window = intervalWindow(start, Math.min(end, GLOBAL_WINDOW.end));
    this.lastWindows.set(days, window);
    return window;
  }

  private computeStartOfDay(day: number): Instant {
    const midnight = day * DAY; // local wall-clock milliseconds
    // Assumes at most one offset change within a day either side of midnight, as in every real zone.
    const before = this.offsetAt(midnight - DAY);
    const after = this.offsetAt(midnight + DAY);
    let first = Infinity;
    for (const offset of before === after ? [before] : [before, after]) {
      const t = midnight - offset;
      if (this.offsetAt(t) === offset) first = Math.min(first, t);
    }
    if (first !== Infinity) return first;
    // Midnight was skipped: the day starts at the transition, the first instant with the later offset.
    let lo = midnight - after; // still on the earlier offset
    let hi = midnight - before; // already on the later offset
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.offsetAt(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
  } catch {
    throw new RangeError(`calendarDays time zone "${timeZone}" is not an IANA time zone`);
  }
}
