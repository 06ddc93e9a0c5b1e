import { describe, expect, test } from "vitest";
import { assignWindows, calendarDayWindow } from "../../../runners/core/windows/assign.js";
import { ZoneCalendar } from "../../../runners/core/windows/time-zone.js";
import { GLOBAL_WINDOW, Instant, type Window, calendarDays, hours } from "../../../sdk/index.js";

const at = (iso: string): Instant => Instant.of(iso);
const window = (start: string, end: string): Window => ({ start: at(start), end: at(end) });
const day = (n: number, tz: string, iso: string): Window => calendarDayWindow(n, tz, at(iso));
const lengthInHours = (w: Window): number => (w.end - w.start) / hours(1);

describe("calendar days in UTC", () => {
  test("run from midnight to midnight, midnight belonging to the day it starts", () => {
    expect(day(1, "UTC", "2024-03-10T12:00:00Z")).toEqual(window("2024-03-10T00:00:00Z", "2024-03-11T00:00:00Z"));
    expect(day(1, "UTC", "2024-03-10T00:00:00Z")).toEqual(window("2024-03-10T00:00:00Z", "2024-03-11T00:00:00Z"));
    expect(day(1, "UTC", "2024-03-09T23:59:59.999Z")).toEqual(window("2024-03-09T00:00:00Z", "2024-03-10T00:00:00Z"));
    expect(assignWindows(calendarDays(1), at("2024-03-10T12:00:00Z"))).toEqual([day(1, "UTC", "2024-03-10T00:00:00Z")]);
  });

  test("count n days from 1970-01-01, before the epoch too (by floor, where Beam truncates)", () => {
    expect(day(7, "UTC", "1970-01-07T23:59:59.999Z")).toEqual(window("1970-01-01T00:00:00Z", "1970-01-08T00:00:00Z"));
    expect(day(7, "UTC", "1970-01-08T00:00:00Z")).toEqual(window("1970-01-08T00:00:00Z", "1970-01-15T00:00:00Z"));
    expect(day(7, "UTC", "1969-12-31T23:59:59.999Z")).toEqual(window("1969-12-25T00:00:00Z", "1970-01-01T00:00:00Z"));
    expect(day(3, "UTC", "2024-03-10T12:00:00Z")).toEqual(window("2024-03-09T00:00:00Z", "2024-03-12T00:00:00Z"));
  });

  test("end at the end of the global window at the far end of time", () => {
    expect(calendarDayWindow(1, "UTC", Instant.END_OF_GLOBAL_WINDOW).end).toBe(GLOBAL_WINDOW.end);
  });
});

describe("calendar days in Europe/Berlin", () => {
  const tz = "Europe/Berlin";

  test("start at local midnight: 23:00 UTC in winter, 22:00 UTC in summer", () => {
    expect(day(1, tz, "2024-01-15T12:00:00Z")).toEqual(window("2024-01-14T23:00:00Z", "2024-01-15T23:00:00Z"));
    expect(day(1, tz, "2024-07-15T12:00:00Z")).toEqual(window("2024-07-14T22:00:00Z", "2024-07-15T22:00:00Z"));
    // 23:30 UTC on the 14th is already the 15th in Berlin.
    expect(day(1, tz, "2024-01-14T23:30:00Z")).toEqual(window("2024-01-14T23:00:00Z", "2024-01-15T23:00:00Z"));
    expect(day(1, tz, "2024-01-14T22:59:59.999Z")).toEqual(window("2024-01-13T23:00:00Z", "2024-01-14T23:00:00Z"));
  });

  test("make the spring-forward day 23 hours long", () => {
    const spring = day(1, tz, "2024-03-31T12:00:00Z");
    expect(spring).toEqual(window("2024-03-30T23:00:00Z", "2024-03-31T22:00:00Z"));
    expect(lengthInHours(spring)).toBe(23);
    // Just before and after the skipped hour (02:00 local becomes 03:00).
    expect(day(1, tz, "2024-03-31T00:59:59.999Z")).toEqual(spring);
    expect(day(1, tz, "2024-03-31T01:00:00Z")).toEqual(spring);
  });

  test("make the fall-back day 25 hours long, both 02:30s inside it", () => {
    const fall = day(1, tz, "2024-10-27T12:00:00Z");
    expect(fall).toEqual(window("2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"));
    expect(lengthInHours(fall)).toBe(25);
    expect(day(1, tz, "2024-10-27T00:30:00Z")).toEqual(fall); // 02:30 summer time
    expect(day(1, tz, "2024-10-27T01:30:00Z")).toEqual(fall); // 02:30 winter time
    expect(day(1, tz, "2024-10-27T22:59:59.999Z")).toEqual(fall);
    expect(day(1, tz, "2024-10-27T23:00:00Z")).toEqual(window("2024-10-27T23:00:00Z", "2024-10-28T23:00:00Z"));
  });

  test("span several days across a change, from local midnights counted from 1970-01-01", () => {
    // 2024-03-31 is day 19813 since 1970-01-01, so two-day windows start on the 30th.
    const twoDays = day(2, tz, "2024-03-31T12:00:00Z");
    expect(twoDays).toEqual(window("2024-03-29T23:00:00Z", "2024-03-31T22:00:00Z"));
    expect(lengthInHours(twoDays)).toBe(47);
    expect(day(2, tz, "2024-03-29T23:00:00Z")).toEqual(twoDays);
    expect(day(2, tz, "2024-03-29T22:59:59.999Z")).toEqual(window("2024-03-27T23:00:00Z", "2024-03-29T23:00:00Z"));
  });
});

describe("calendar days in America/New_York", () => {
  const tz = "America/New_York";

  test("make the spring-forward day 23 hours long", () => {
    const spring = day(1, tz, "2024-03-10T12:00:00Z");
    expect(spring).toEqual(window("2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"));
    expect(lengthInHours(spring)).toBe(23);
    expect(day(1, tz, "2024-03-10T04:59:59.999Z")).toEqual(window("2024-03-09T05:00:00Z", "2024-03-10T05:00:00Z"));
  });

  test("make the fall-back day 25 hours long, both 01:30s inside it", () => {
    const fall = day(1, tz, "2024-11-03T12:00:00Z");
    expect(fall).toEqual(window("2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z"));
    expect(lengthInHours(fall)).toBe(25);
    expect(day(1, tz, "2024-11-03T05:30:00Z")).toEqual(fall); // 01:30 EDT
    expect(day(1, tz, "2024-11-03T06:30:00Z")).toEqual(fall); // 01:30 EST
  });

  test("span three days across the fall-back day", () => {
    // 2024-11-03 is day 20030; three-day windows start on day 20028, November 1st.
    const threeDays = day(3, tz, "2024-11-03T12:00:00Z");
    expect(threeDays).toEqual(window("2024-11-01T04:00:00Z", "2024-11-04T05:00:00Z"));
    expect(lengthInHours(threeDays)).toBe(73);
  });
});

describe("calendar days in unusual zones", () => {
  test("start at the transition when midnight itself is skipped (America/Santiago)", () => {
    // 2024-09-08 00:00 -04 became 01:00 -03: the day's first instant is 01:00 local.
    expect(day(1, "America/Santiago", "2024-09-08T12:00:00Z")).toEqual(window("2024-09-08T04:00:00Z", "2024-09-09T03:00:00Z"));
    // 2024-04-07 00:00 -03 went back to 23:00 -04 on the 6th, which grew to 25 hours.
    expect(day(1, "America/Santiago", "2024-04-06T12:00:00Z")).toEqual(window("2024-04-06T03:00:00Z", "2024-04-07T04:00:00Z"));
    expect(day(1, "America/Santiago", "2024-04-07T03:30:00Z")).toEqual(window("2024-04-06T03:00:00Z", "2024-04-07T04:00:00Z"));
  });

  test("start at the first of two midnights, and at the skipped one's transition (America/Havana)", () => {
    // 2024-11-03 01:00 -04 went back to 00:00 -05: midnight happened at 04:00 and 05:00 UTC.
    const fall = window("2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z");
    expect(day(1, "America/Havana", "2024-11-03T04:30:00Z")).toEqual(fall);
    expect(day(1, "America/Havana", "2024-11-03T05:30:00Z")).toEqual(fall);
    expect(day(1, "America/Havana", "2024-11-03T03:59:59.999Z")).toEqual(window("2024-11-02T04:00:00Z", "2024-11-03T04:00:00Z"));
    // 2024-03-10 00:00 -05 became 01:00 -04.
    expect(day(1, "America/Havana", "2024-03-10T12:00:00Z")).toEqual(window("2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"));
  });

  test("skip a day that never happened (Pacific/Apia, 2011-12-30)", () => {
    const jump = at("2011-12-30T10:00:00Z"); // 2011-12-29 24:00 -10 became 2011-12-31 00:00 +14
    expect(calendarDayWindow(1, "Pacific/Apia", jump - 1)).toEqual(window("2011-12-29T10:00:00Z", "2011-12-30T10:00:00Z"));
    expect(calendarDayWindow(1, "Pacific/Apia", jump)).toEqual(window("2011-12-30T10:00:00Z", "2011-12-31T10:00:00Z"));
    expect(calendarDayWindow(2, "Pacific/Apia", jump - 1)).toEqual(window("2011-12-28T10:00:00Z", "2011-12-30T10:00:00Z"));
  });

  test("use historical offsets in whole seconds (Berlin's local mean time before 1893)", () => {
    expect(ZoneCalendar.of("Europe/Berlin").offsetAt(at("1880-01-01T12:00:00Z"))).toBe((53 * 60 + 28) * 1000);
    expect(day(1, "Europe/Berlin", "1880-01-01T12:00:00Z")).toEqual(window("1879-12-31T23:06:32Z", "1880-01-01T23:06:32Z"));
  });

  test("refuse a zone that does not exist", () => {
    expect(() => calendarDayWindow(1, "Europe/Atlantis", 0)).toThrow(/"Europe\/Atlantis" is not an IANA time zone/);
  });
});

describe("a year of calendar days", () => {
  test.each(["Europe/Berlin", "America/New_York", "Australia/Sydney"])(
    "in %s tiles time, holds each timestamp, and has one 23-hour and one 25-hour day",
    (tz) => {
      const lengths = new Map<number, number>();
      let previous: Window | undefined;
      for (let t = at("2024-01-01T00:30:00Z"); t < at("2025-01-01T00:00:00Z"); t += hours(1) - 7) {
        const w = calendarDayWindow(1, tz, t);
        expect(w.start <= t && t < w.end).toBe(true);
        if (previous && previous.start !== w.start) {
          expect(w.start).toBe(previous.end);
          lengths.set(lengthInHours(previous), (lengths.get(lengthInHours(previous)) ?? 0) + 1);
        }
        previous = w;
      }
      expect(lengths.get(23)).toBe(1);
      expect(lengths.get(25)).toBe(1);
      expect([...lengths.keys()].sort()).toEqual([23, 24, 25]);
    },
  );

  test("gives the same windows however the timestamps arrive", () => {
    const times = [
      at("2024-10-27T12:00:00Z"),
      at("2024-03-31T01:00:00Z"),
      at("1969-07-20T20:17:00Z"),
      at("2024-10-27T01:30:00Z"),
    ];
    const forwards = times.map((t) => calendarDayWindow(2, "Europe/Paris", t));
    const backwards = [...times].reverse().map((t) => calendarDayWindow(2, "Europe/Paris", t));
    expect(backwards.reverse()).toEqual(forwards);
    forwards.forEach((w, i) => expect(w.start <= times[i]! && times[i]! < w.end).toBe(true));
  });
});
