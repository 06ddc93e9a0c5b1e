import { describe, expect, test } from "vitest";
import { afterAny, afterCount, afterProcessingTime, afterWatermark, repeatedly } from "../../../sdk/index.js";
import { World } from "./harness.js";

describe("afterWatermark with early firings", () => {
  test("the early trigger repeats before the end of the window; the on-time firing finishes a trigger with no late part", () => {
    const run = new World(afterWatermark({ early: afterCount(2) })).window(0, 100);
    run.elements(1);
    expect(run.ready).toBe(false);
    run.elements(1);
    expect(run.ready).toBe(true);
    run.fire();
    // Reset, not finished: two more elements fire it again.
    expect([run.ready, run.finished]).toEqual([false, false]);
    run.elements(2);
    expect(run.ready).toBe(true);
    run.fire();

    run.elements(1).watermark(100);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.finished).toBe(true);
  });

  test("an early trigger ready at the end of the window fires once, with the on-time pane", () => {
    const run = new World(afterWatermark({ early: afterCount(1), late: afterCount(1) })).window(0, 100);
    run.elements(1).watermark(100);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.finished]).toEqual([false, false]);
  });

  test("a composite early trigger starts over after each firing (Beam would leave afterAny ready for good)", () => {
    const run = new World(afterWatermark({ early: afterAny(afterCount(2), afterProcessingTime(10)) })).window(0, 100);
    run.elements(2);
    expect(run.ready).toBe(true);
    run.fire();
    expect(run.ready).toBe(false);
    run.elements(1);
    expect([run.ready, run.next]).toEqual([false, 10]);
    run.processing(10);
    expect(run.ready).toBe(true);
  });

  test("a repeated early trigger keeps its rhythm", () => {
    const run = new World(afterWatermark({ early: repeatedly(afterCount(2)) })).window(0, 100);
    for (let i = 0; i < 3; i++) {
      run.elements(1);
      expect(run.ready).toBe(false);
      run.elements(1);
      expect(run.ready).toBe(true);
      run.fire();
    }
    expect(run.finished).toBe(false);
  });
});

describe("afterWatermark with late firings", () => {
  test("fires nothing early, on time at the end of the window, then for each late firing; never finishes", () => {
    const run = new World(afterWatermark({ late: afterCount(1) })).window(0, 100);
    run.elements(3);
    expect(run.ready).toBe(false);

    run.watermark(100);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.finished]).toEqual([false, false]);

    for (let i = 0; i < 2; i++) {
      run.elements(1);
      expect(run.ready).toBe(true);
      run.fire();
      expect([run.ready, run.finished]).toEqual([false, false]);
    }
  });

  for (const merging of [false, true])
    test(`the late trigger starts afresh after the on-time firing (merging: ${merging})`, () => {
      const run = new World(afterWatermark({ late: afterCount(2) }), { merging }).window(0, 100);
      // With merging windows the late trigger counts this element too, in parallel; the transition forgets it.
      run.elements(1).watermark(100).fire();
      run.elements(1);
      expect(run.ready).toBe(false);
      run.elements(1);
      expect(run.ready).toBe(true);
    });
});

describe("afterWatermark with early processing-time and late count firings", () => {
  test("runs early, on-time and late panes in order, with processing-time deadlines only while early", () => {
    const run = new World(afterWatermark({ early: afterProcessingTime(10), late: afterCount(1) })).window(0, 100);
    run.processing(0).elements(1, 5);
    expect([run.ready, run.next]).toEqual([false, 10]);

    run.processing(10);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.next, run.finished]).toEqual([false, null, false]);

    // A new early pane: its first element sets a new deadline.
    run.processing(12).elements(1, 50);
    expect(run.next).toBe(22);

    // The watermark passes before that deadline: the on-time pane, and the early deadline is gone.
    run.watermark(100);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.next, run.finished]).toEqual([false, null, false]);
    run.processing(30);
    expect(run.ready).toBe(false);

    // Late elements each fire a pane.
    run.elements(1, 60);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.finished]).toEqual([false, false]);
    run.elements(1, 61);
    expect(run.ready).toBe(true);
  });
});
