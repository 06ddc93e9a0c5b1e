import { describe, expect, test } from "vitest";
import { type MachineFactoryFor, triggerMachines } from "../../../runners/core/triggers/index.js";
import { afterAll, afterCount, afterProcessingTime, afterWatermark, defaultTrigger, never } from "../../../sdk/index.js";
import { World } from "./harness.js";

describe("trigger machines: the factory", () => {
  test("is a MachineFactoryFor, the options argument being optional", () => {
    const f: MachineFactoryFor = triggerMachines;
    expect(f(afterCount(1)).create().isFinished).toBe(false);
  });

  test("stateless roots (default, never) share one machine with an empty snapshot", () => {
    for (const t of [defaultTrigger(), never()]) {
      const world = new World(t);
      const a = world.window(0, 10);
      expect(world.window(10, 20).machine).toBe(a.machine);
      expect(a.snapshot().length).toBe(0);
    }
  });
});

describe("nextProcessingTime", () => {
  const trigger = afterAll(afterCount(2), afterProcessingTime(10));

  test("given now, is the first later time at which the machine is ready if only time moves", () => {
    const run = new World(trigger).window(0, 10).elements(2);
    expect(run.next).toBe(10);
    run.processing(9);
    expect(run.next).toBe(10);
    run.processing(10);
    expect([run.ready, run.next]).toEqual([true, null]);
  });

  test("given now, is null when time alone cannot make the machine ready", () => {
    const run = new World(trigger).window(0, 10).elements(1).processing(10);
    expect([run.ready, run.next]).toEqual([false, null]);
  });

  test("without now, is the earliest pending deadline, even one passed without making the machine ready", () => {
    const run = new World(trigger).window(0, 10).elements(1).processing(50);
    expect(run.machine.nextProcessingTime()).toBe(10);
  });

  test("is null once the machine is finished", () => {
    const run = new World(afterProcessingTime(5)).window(0, 10).elements(1).processing(5).fire();
    expect([run.next, run.machine.nextProcessingTime()]).toEqual([null, null]);
  });
});

describe("default trigger", () => {
  test("fires once the watermark passes the window's last timestamp, and again after each firing; never finishes", () => {
    const world = new World(defaultTrigger());
    const first = world.window(0, 100).elements(1, 1);
    const second = world.window(100, 200).elements(1, 101);

    first.watermark(99);
    expect([first.ready, second.ready]).toEqual([false, false]);

    // 100 is past 99, the first window's last timestamp.
    first.watermark(100);
    expect([first.ready, second.ready]).toEqual([true, false]);
    first.fire();
    expect(first.ready).toBe(true);

    second.watermark(200);
    expect([first.ready, second.ready, first.finished, second.finished]).toEqual([true, true, false, false]);
    expect(first.next).toBeNull();
  });
});

describe("never", () => {
  test("is never ready, whatever happens", () => {
    const run = new World(never()).window(0, 10).elements(5).watermark(1_000).processing(1_000_000);
    expect([run.ready, run.finished, run.next]).toEqual([false, false, null]);
  });
});

describe("afterCount", () => {
  test("fires at the count, then is finished; other windows keep their own counts", () => {
    const world = new World(afterCount(2));
    const first = world.window(0, 10).elements(1);
    expect(first.ready).toBe(false);
    first.elements(1);
    const second = world.window(10, 20).elements(1);
    expect(first.ready).toBe(true);
    first.fire();
    expect([first.finished, second.finished, second.ready]).toEqual([true, false, false]);
  });

  test("stays ready past the count until fired", () => {
    const run = new World(afterCount(2)).window(0, 10).elements(5);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.ready, run.finished]).toEqual([false, true]);
  });
});

describe("afterProcessingTime", () => {
  test("the pane's first element sets the deadline; ready once processing time reaches it; then finished", () => {
    const world = new World(afterProcessingTime(5));
    const first = world.window(0, 10).processing(10).elements(1);
    expect(first.next).toBe(15);
    first.processing(12);
    expect(first.ready).toBe(false);

    // The second window's deadline is 17.
    const second = world.window(10, 20).elements(3);
    expect(second.next).toBe(17);
    first.processing(14);
    expect([first.ready, second.ready]).toEqual([false, false]);

    // Later elements of the first pane do not move its deadline.
    first.elements(2);
    expect(first.next).toBe(15);

    first.processing(15);
    expect([first.ready, second.ready]).toEqual([true, false]);
    first.fire();
    expect([first.finished, first.next]).toEqual([true, null]);

    second.processing(18);
    expect(second.ready).toBe(true);
    second.fire();
    expect(second.finished).toBe(true);
  });

  test("has no deadline before an element arrives", () => {
    const run = new World(afterProcessingTime(5)).window(0, 10).processing(100);
    expect([run.ready, run.next]).toEqual([false, null]);
  });

  test("a zero delay is ready at once, so there is nothing to wake up for", () => {
    const run = new World(afterProcessingTime(0)).window(0, 10).processing(7).elements(1);
    expect([run.ready, run.next]).toEqual([true, null]);
  });
});

describe("afterWatermark without early or late firings", () => {
  test("fires once when the watermark passes the end of the window, then is finished", () => {
    const run = new World(afterWatermark()).window(0, 100).elements(1);
    run.watermark(99);
    expect(run.ready).toBe(false);
    run.watermark(100);
    expect(run.ready).toBe(true);
    run.fire();
    expect([run.finished, run.next]).toEqual([true, null]);
  });
});
