import { describe, expect, test } from "vitest";
import {
  GLOBAL_WINDOW,
  Instant,
  afterAll,
  afterAny,
  afterCount,
  afterEach,
  afterProcessingTime,
  afterWatermark,
  calendarDays,
  days,
  describeTrigger,
  describeWindowFn,
  fixedWindows,
  formatDuration,
  hours,
  maxTimestamp,
  minutes,
  never,
  orFinally,
  repeatedly,
  seconds,
  sessions,
  slidingWindows,
  triggerProblems,
  windowFnProblems,
} from "../../sdk/index.js";

describe("time", () => {
  test("instants are epoch milliseconds with named bounds inside the Date range", () => {
    expect(Instant.of("2015-05-17T00:00:00Z")).toBe(1431820800000);
    expect(new Date(Instant.MIN).getTime()).toBe(Instant.MIN);
    expect(new Date(Instant.MAX).getTime()).toBe(Instant.MAX);
    expect(Instant.END_OF_GLOBAL_WINDOW).toBe(Instant.MAX - days(1));
    expect(maxTimestamp(GLOBAL_WINDOW)).toBe(Instant.END_OF_GLOBAL_WINDOW);
    expect(Instant.format(Instant.MAX)).toBe("+inf");
    expect(() => Instant.of("yesterday-ish")).toThrow(/not an instant/);
  });

  test("durations", () => {
    expect([seconds(1), minutes(1), hours(1), days(1)]).toEqual([1000, 60_000, 3_600_000, 86_400_000]);
    expect([formatDuration(minutes(90)), formatDuration(1500), formatDuration(days(2))]).toEqual(["90m", "1500ms", "2d"]);
  });
});

describe("windows", () => {
  test("describe themselves and check their parameters", () => {
    expect(describeWindowFn(slidingWindows(minutes(10), minutes(5)))).toBe("sliding(10m every 5m)");
    expect(describeWindowFn(calendarDays(1, "Europe/Berlin"))).toBe("calendarDays(1, Europe/Berlin)");
    expect(windowFnProblems(fixedWindows(minutes(1), minutes(2)))).toEqual([expect.stringContaining("offset")]);
    expect(windowFnProblems(sessions(0))).toEqual([expect.stringContaining("session gap must be a positive")]);
    expect(windowFnProblems(calendarDays(1, "Europe/Berlin"))).toEqual([]);
  });
});

describe("triggers", () => {
  test("are plain data that describes itself", () => {
    const t = orFinally(
      afterWatermark({ early: afterProcessingTime(seconds(10)), late: afterCount(1) }),
      afterAny(afterCount(1000), afterEach(afterCount(1), never())),
    );
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
    expect(describeTrigger(t)).toBe(
      "orFinally(afterWatermark(early=afterProcessingTime(10s), late=afterCount(1)), afterAny(afterCount(1000), afterEach(afterCount(1), never)))",
    );
  });

  test("report bad parameters anywhere in the tree", () => {
    expect(triggerProblems(repeatedly(afterAll(afterCount(0), afterProcessingTime(-1))))).toEqual([
      "afterCount needs a positive whole count, got 0",
      "afterProcessingTime needs a delay of at least 0 ms, got -1",
    ]);
    expect(triggerProblems(afterAny())).toEqual(["afterAny needs at least one trigger"]);
  });
});
