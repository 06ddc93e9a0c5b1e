import { describe, expect, test } from "vitest";
import { ManualClock, systemClock } from "../../runners/core/clock.js";
import { Instant, seconds } from "../../sdk/index.js";

describe("systemClock", () => {
  test("reads the wall clock", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe("ManualClock", () => {
  test("starts where it is told (the epoch by default) and moves only when told", () => {
    expect(new ManualClock().now()).toBe(0);
    const clock = new ManualClock(Instant.of("2024-01-01T00:00:00Z"));
    expect(clock.now()).toBe(Instant.of("2024-01-01T00:00:00Z"));
    clock.advance(seconds(5));
    expect(clock.now()).toBe(Instant.of("2024-01-01T00:00:05Z"));
    clock.set(Instant.of("2024-01-01T00:01:00Z"));
    expect(clock.now()).toBe(Instant.of("2024-01-01T00:01:00Z"));
  });

  test("may stand still", () => {
    const clock = new ManualClock(100);
    clock.set(100);
    clock.advance(0);
    expect(clock.now()).toBe(100);
  });

  test("refuses to move backwards, saying where it is", () => {
    const clock = new ManualClock(Instant.of("2024-01-01T00:00:10Z"));
    expect(() => clock.set(Instant.of("2024-01-01T00:00:09Z"))).toThrow(
      "ManualClock cannot move backwards: asked to set 2024-01-01T00:00:09.000Z, but it is already at 2024-01-01T00:00:10.000Z",
    );
    expect(() => clock.advance(-1)).toThrow(/cannot move backwards.*got -1/);
    expect(clock.now()).toBe(Instant.of("2024-01-01T00:00:10Z"));
  });

  test("refuses times that are not instants", () => {
    expect(() => new ManualClock(Number.NaN)).toThrow(RangeError);
    expect(() => new ManualClock(0).set(1.5)).toThrow(RangeError);
    expect(() => new ManualClock(Instant.MAX).advance(1)).toThrow(RangeError);
  });

  test("snapshots and restores its time", () => {
    const clock = new ManualClock(-42);
    const restored = ManualClock.restore(clock.snapshot());
    expect(restored.now()).toBe(-42);
    restored.advance(2);
    expect(restored.now()).toBe(-40);
    expect(clock.now()).toBe(-42);
    expect(() => ManualClock.restore(new Uint8Array([9, 0]))).toThrow(/format 9/);
  });
});
