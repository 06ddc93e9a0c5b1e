import { describe, expect, test } from "vitest";
import {
  afterAll,
  afterAny,
  afterCount,
  afterEach,
  afterProcessingTime,
  afterWatermark,
  never,
  orFinally,
  repeatedly,
} from "../../../sdk/index.js";
import { GLOBAL_WINDOW } from "../../../sdk/index.js";
import { World } from "./harness.js";

describe("repeatedly", () => {
  test("repeatedly(afterCount(2)) fires every second element and never finishes", () => {
    const run = new World(repeatedly(afterCount(2))).window(0, 10);
    for (let i = 0; i < 3; i++) {
      run.elements(1);
      expect(run.ready).toBe(false);
      run.elements(1);
      expect(run.ready).toBe(true);
      run.fire();
      expect([run.ready, run.finished]).toEqual([false, false]);
    }
  });

  test("repeatedly(afterProcessingTime) sets a new deadline for each pane", () => {
    const world = new World(repeatedly(afterProcessingTime(15)));
    const run = world.window(GLOBAL_WINDOW.start, GLOBAL_WINDOW.end).elements(1);
    expect(run.next).toBe(15);
    run.processing(15);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.next]).toEqual([false, null]);
    run.processing(20).elements(1);
    expect(run.next).toBe(35);
  });

  test("repeatedly(afterAny(afterProcessingTime, afterCount)) resets both after either fires", () => {
    const run = new World(repeatedly(afterAny(afterProcessingTime(15), afterCount(5)))).window(0, 10);
    run.elements(1);
    expect(run.ready).toBe(false);
    run.elements(4);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.next]).toEqual([false, null]);
    run.processing(100);
    expect(run.ready).toBe(false);
  });
});

describe("afterEach", () => {
  test("afterEach(afterCount(2), afterCount(1)) fires after two elements, then after one more, then is finished", () => {
    const run = new World(afterEach(afterCount(2), afterCount(1))).window(0, 10);
    run.elements(1);
    expect(run.ready).toBe(false);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.finished]).toEqual([false, false]);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(true);
  });

  test("moves on only when the current subtrigger finishes (Beam's in-sequence case)", () => {
    const run = new World(
      afterEach(orFinally(repeatedly(afterCount(2)), afterCount(3)), orFinally(repeatedly(afterCount(5)), afterWatermark())),
    ).window(0, 10);
    run.elements(1);
    expect(run.ready).toBe(false);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(false);

    // The first subtrigger's until (three elements in all) fires and finishes it.
    run.elements(3);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.finished]).toEqual([false, false]);

    // Four elements would fire the first subtrigger, not the second.
    run.elements(4);
    expect(run.ready).toBe(false);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(false);

    run.watermark(10);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(true);
  });

  test("reports the processing-time deadline of the current subtrigger only", () => {
    const run = new World(afterEach(afterProcessingTime(10), afterProcessingTime(100)), { merging: true }).window(0, 10);
    run.elements(1);
    expect(run.next).toBe(10);
    run.processing(10).fire();
    expect(run.next).toBeNull();
    run.elements(1);
    expect(run.next).toBe(110);
  });
});

describe("afterAny", () => {
  test("fires when the first of its subtriggers is ready, then is finished", () => {
    const world = new World(afterAny(afterCount(3), afterProcessingTime(10)));
    const byCount = world.window(0, 10).elements(3);
    expect(byCount.ready).toBe(true);
    byCount.fire();
    expect(byCount.finished).toBe(true);

    const byTime = world.window(10, 20).elements(1);
    expect([byTime.ready, byTime.next]).toEqual([false, 10]);
    byTime.processing(10);
    expect(byTime.ready).toBe(true);
    byTime.fire();
    expect([byTime.finished, byTime.next]).toEqual([true, null]);
  });

  test("reports its earliest deadline", () => {
    const run = new World(afterAny(afterProcessingTime(30), afterProcessingTime(20), afterCount(9))).window(0, 10);
    run.elements(1);
    expect(run.next).toBe(20);
  });
});

describe("afterAll", () => {
  test("afterAll(afterCount(2), afterProcessingTime(10)) fires only once both hold, then is finished", () => {
    const run = new World(afterAll(afterCount(2), afterProcessingTime(10))).window(0, 100);
    run.elements(1);
    // Time alone cannot make it ready (it needs another element), though a deadline is pending.
    expect([run.ready, run.next, run.machine.nextProcessingTime()]).toEqual([false, null, 10]);
    run.processing(5).elements(1);
    expect([run.ready, run.next]).toEqual([false, 10]);
    run.processing(10);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.finished, run.next]).toEqual([true, null]);
  });

  test("the count may come first, then the deadline", () => {
    const run = new World(afterAll(afterProcessingTime(10), afterCount(1))).window(0, 100);
    run.elements(1);
    expect(run.ready).toBe(false);
    run.processing(9);
    expect(run.ready).toBe(false);
    run.processing(10);
    expect(run.ready).toBe(true);
  });

  test("waits for its latest deadline", () => {
    const run = new World(afterAll(afterProcessingTime(30), afterProcessingTime(20))).window(0, 10);
    run.elements(1);
    expect([run.next, run.machine.nextProcessingTime()]).toEqual([30, 20]);
  });

  test("never fires with a never subtrigger", () => {
    const run = new World(afterAll(afterCount(1), never())).window(0, 10).elements(5).watermark(100);
    expect(run.ready).toBe(false);
  });
});

describe("orFinally", () => {
  test("orFinally(repeatedly(afterCount(1)), afterCount(3)) fires per element and finishes at the third", () => {
    const run = new World(orFinally(repeatedly(afterCount(1)), afterCount(3))).window(0, 10);
    expect(run.ready).toBe(false);
    for (let i = 1; i <= 2; i++) {
      run.elements(1);
      expect(run.ready).toBe(true);
      run.fire();
      expect(run.finished).toBe(false);
    }
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(true);
  });

  test("finishes when the main trigger finishes", () => {
    const run = new World(orFinally(afterCount(2), afterCount(100))).window(0, 10);
    run.elements(1);
    expect([run.ready, run.finished]).toEqual([false, false]);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(true);
  });

  test("the until part keeps counting across the main trigger's firings", () => {
    const run = new World(orFinally(repeatedly(afterCount(2)), afterCount(3))).window(0, 10);
    run.elements(2).fire();
    expect(run.finished).toBe(false);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(true);
  });

  test("an until that is not a once-trigger still closes the window when it fires", () => {
    const run = new World(orFinally(never(), repeatedly(afterCount(2)))).window(0, 10);
    run.elements(2).fire();
    expect(run.finished).toBe(true);
  });

  test("reports the earlier deadline of its parts", () => {
    const run = new World(orFinally(repeatedly(afterProcessingTime(50)), afterProcessingTime(20))).window(0, 10);
    run.elements(1);
    expect(run.next).toBe(20);
  });
});
