import { describe, expect, test } from "vitest";
import {
  assignFixedStart,
  assignWindows,
  assignerFor,
  lastSlidingStart,
  windowEnd,
} from "../../../runners/core/windows/assign.js";
import {
  GLOBAL_WINDOW,
  Instant,
  type Window,
  calendarDays,
  fixedWindows,
  globalWindows,
  minutes,
  seconds,
  sessions,
  slidingWindows,
} from "../../../sdk/index.js";

const w = (start: number, end: number): Window => ({ start, end });

describe("global windows", () => {
  test("put every timestamp, even the extremes, in the global window", () => {
    for (const t of [Instant.MIN, -1, 0, 1, Instant.END_OF_GLOBAL_WINDOW])
      expect(assignWindows(globalWindows(), t)).toEqual([GLOBAL_WINDOW]);
  });

  test("share one frozen array through an assigner", () => {
    const assign = assignerFor(globalWindows());
    expect(assign(5)).toBe(assign(-5));
    expect(Object.isFrozen(assign(5))).toBe(true);
  });
});

describe("fixed windows", () => {
  const fixed10 = fixedWindows(10);

  test("cover [N * size, (N + 1) * size), a start inclusive and an end exclusive", () => {
    expect(assignWindows(fixed10, 0)).toEqual([w(0, 10)]);
    expect(assignWindows(fixed10, 9)).toEqual([w(0, 10)]);
    expect(assignWindows(fixed10, 10)).toEqual([w(10, 20)]);
    expect(assignWindows(fixedWindows(minutes(1)), Instant.of("2024-05-01T10:42:30.5Z"))).toEqual([
      w(Instant.of("2024-05-01T10:42:00Z"), Instant.of("2024-05-01T10:43:00Z")),
    ]);
  });

  test("align negative timestamps like positive ones (a floor modulo, unlike Java's %)", () => {
    expect(assignWindows(fixed10, -1)).toEqual([w(-10, 0)]);
    expect(assignWindows(fixed10, -10)).toEqual([w(-10, 0)]);
    expect(assignWindows(fixed10, -11)).toEqual([w(-20, -10)]);
    expect(assignWindows(fixedWindows(seconds(1)), Instant.of("1969-12-31T23:59:59.250Z"))).toEqual([w(-1000, 0)]);
  });

  test("shift by the offset", () => {
    const shifted = fixedWindows(10, 3);
    expect(assignWindows(shifted, 3)).toEqual([w(3, 13)]);
    expect(assignWindows(shifted, 2)).toEqual([w(-7, 3)]);
    expect(assignWindows(shifted, 12)).toEqual([w(3, 13)]);
    expect(assignWindows(shifted, 13)).toEqual([w(13, 23)]);
    expect(assignWindows(shifted, -7)).toEqual([w(-7, 3)]);
    expect(assignWindows(shifted, -8)).toEqual([w(-17, -7)]);
  });

  test("hold their timestamp and agree with the columnar start function", () => {
    for (const [size, offset] of [
      [10, 0],
      [10, 9],
      [7, 3],
      [1, 0],
    ] as const)
      for (let t = -40; t <= 40; t++) {
        const [window] = assignWindows(fixedWindows(size, offset), t);
        expect(window).toEqual(w(assignFixedStart(size, offset, t), assignFixedStart(size, offset, t) + size));
        expect(window!.start <= t && t < window!.end).toBe(true);
        expect((((window!.start - offset) % size) + size) % size).toBe(0);
      }
  });

  test("end at the end of the global window at the far end of time (as Beam's FixedWindows)", () => {
    const [last] = assignWindows(fixedWindows(minutes(7)), Instant.END_OF_GLOBAL_WINDOW);
    expect(last!.end).toBe(GLOBAL_WINDOW.end);
    expect(windowEnd(0, 10)).toBe(10);
  });
});

describe("sliding windows", () => {
  /** Every window of the function holding t, enumerated the slow way, latest start first. */
  function bruteForce(size: number, period: number, offset: number, t: number): Window[] {
    const windows: Window[] = [];
    for (let start = t + period; start > t - size - period; start--)
      if ((((start - offset) % period) + period) % period === 0 && start <= t && t < start + size)
        windows.push(w(start, start + size));
    return windows;
  }

  test("give every window holding the timestamp, latest start first (Beam's order)", () => {
    const fn = slidingWindows(10, 5);
    expect(assignWindows(fn, 7)).toEqual([w(5, 15), w(0, 10)]);
    expect(assignWindows(fn, 5)).toEqual([w(5, 15), w(0, 10)]);
    expect(assignWindows(fn, 4)).toEqual([w(0, 10), w(-5, 5)]);
    expect(assignWindows(fn, 10)).toEqual([w(10, 20), w(5, 15)]);
    expect(assignWindows(fn, -1)).toEqual([w(-5, 5), w(-10, 0)]);
  });

  test("give a varying number of windows when the size is not a multiple of the period", () => {
    const fn = slidingWindows(10, 3);
    expect(assignWindows(fn, 0)).toEqual([w(0, 10), w(-3, 7), w(-6, 4), w(-9, 1)]);
    expect(assignWindows(fn, 1)).toEqual([w(0, 10), w(-3, 7), w(-6, 4)]);
    expect(assignWindows(fn, 2)).toEqual([w(0, 10), w(-3, 7), w(-6, 4)]);
    expect(assignWindows(fn, 3)).toEqual([w(3, 13), w(0, 10), w(-3, 7), w(-6, 4)]);
  });

  test("shift by the offset", () => {
    const fn = slidingWindows(10, 5, 2);
    expect(assignWindows(fn, 7)).toEqual([w(7, 17), w(2, 12)]);
    expect(assignWindows(fn, 6)).toEqual([w(2, 12), w(-3, 7)]);
    expect(assignWindows(fn, 1)).toEqual([w(-3, 7), w(-8, 2)]);
    expect(lastSlidingStart(5, 2, -4)).toBe(-8);
  });

  test("match the slow enumeration for every timestamp, positive or negative", () => {
    for (const [size, period, offset] of [
      [10, 5, 0],
      [10, 3, 0],
      [10, 3, 2],
      [7, 7, 1],
      [9, 2, 1],
      [5, 1, 0],
    ] as const)
      for (let t = -30; t <= 30; t++)
        expect(assignWindows(slidingWindows(size, period, offset), t)).toEqual(bruteForce(size, period, offset, t));
  });

  test("equal fixed windows when the period is the size", () => {
    for (let t = -12; t <= 12; t++)
      expect(assignWindows(slidingWindows(4, 4, 1), t)).toEqual(assignWindows(fixedWindows(4, 1), t));
  });
});

describe("session windows", () => {
  test("assign the proto-window [t, t + gap)", () => {
    expect(assignWindows(sessions(minutes(10)), 1_000)).toEqual([w(1_000, 1_000 + minutes(10))]);
    expect(assignWindows(sessions(10), -25)).toEqual([w(-25, -15)]);
  });
});

describe("assigners", () => {
  test("agree with assignWindows for every kind", () => {
    for (const fn of [fixedWindows(10, 3), slidingWindows(10, 3, 1), sessions(4), calendarDays(2, "Europe/Berlin")]) {
      const assign = assignerFor(fn);
      for (const t of [-86_400_001, -5, 0, 7, 1_711_846_800_000]) expect(assign(t)).toEqual(assignWindows(fn, t));
    }
  });

  test("refuse an invalid window function once, naming every problem", () => {
    expect(() => assignerFor(slidingWindows(5, 10, 12))).toThrow(
      /cannot assign windows of sliding\(5ms every 10ms, offset 12ms\): sliding window period .* larger than its size.*; sliding window offset 12 must be in \[0, period\)/,
    );
    expect(() => assignerFor(calendarDays(1, "Mars/Olympus"))).toThrow(/"Mars\/Olympus" is not an IANA time zone/);
  });
});
