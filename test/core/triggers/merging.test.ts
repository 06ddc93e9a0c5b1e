import { describe, expect, test } from "vitest";
import { triggerMachines } from "../../../runners/core/triggers/index.js";
import {
  afterAll,
  afterAny,
  afterCount,
  afterEach,
  afterProcessingTime,
  afterWatermark,
  defaultTrigger,
  orFinally,
  repeatedly,
} from "../../../sdk/index.js";
import { World } from "./harness.js";

const merging = { merging: true } as const;

describe("merging: the contract", () => {
  test("a machine built for non-merging windows refuses to merge", () => {
    const world = new World(afterCount(2));
    const a = world.window(0, 10);
    expect(() => world.merge([a, world.window(5, 15)])).toThrow(/merging: true/);
  });

  test("machines of another trigger cannot be merged in", () => {
    const world = new World(afterCount(2), merging);
    const other = triggerMachines(afterProcessingTime(5), merging).create();
    const a = world.window(0, 10);
    expect(() => a.machine.onMerge(a.ctx, [other])).toThrow(TypeError);
  });

  test("merging into one of the merged machines counts its own state once", () => {
    const world = new World(afterCount(3), merging);
    const a = world.window(1, 20).elements(1);
    const b = world.window(5, 15).elements(1);
    world.absorb(a, [b]);
    expect(a.ready).toBe(false);
    a.elements(1);
    expect(a.ready).toBe(true);
  });

  test("merging nothing changes nothing", () => {
    const a = new World(afterCount(1), merging).window(0, 10).elements(1);
    a.machine.onMerge(a.ctx, []);
    expect(a.ready).toBe(true);
  });
});

describe("merging afterCount", () => {
  test("sums the counts of the merged windows", () => {
    const world = new World(afterCount(2), merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(2, 12).elements(1);
    expect([a.ready, b.ready]).toEqual([false, false]);
    const m = world.merge([a, b]);
    expect(m.ready).toBe(true);
    m.fire();
    expect(m.finished).toBe(true);

    // A later session starts from nothing.
    const c = world.window(7, 17).elements(1);
    const d = world.window(9, 19).elements(1);
    const n = world.merge([c, d]);
    expect(n.ready).toBe(true);
  });

  test("is finished in the merged window if it was in any merged window (Beam's AfterPane)", () => {
    const world = new World(afterCount(1), merging);
    const a = world.window(1, 11).elements(1).fire();
    const b = world.window(5, 15);
    const m = world.merge([a, b]);
    expect([m.finished, m.ready]).toEqual([true, false]);
  });
});

describe("merging afterProcessingTime", () => {
  test("keeps the earliest deadline of the merged windows", () => {
    const world = new World(afterProcessingTime(5), merging);
    const a = world.window(1, 11).processing(10).elements(1);
    const b = world.window(3, 13).processing(12).elements(1);
    expect([a.next, b.next]).toEqual([15, 17]);
    const m = world.merge([a, b]);
    expect(m.next).toBe(15);
    m.processing(14);
    expect(m.ready).toBe(false);
    m.processing(15);
    expect(m.ready).toBe(true);
  });

  test("a merged window with no deadline anywhere has none", () => {
    const world = new World(afterProcessingTime(5), merging);
    const m = world.merge([world.window(1, 11), world.window(3, 13)]);
    expect(m.next).toBeNull();
  });

  test("stays done when merged into a window whose own machine has fired (Beam looks at the result's bit)", () => {
    const world = new World(afterProcessingTime(5), merging);
    const a = world.window(1, 20).elements(1).processing(5).fire();
    const b = world.window(3, 13).elements(1);
    world.absorb(a, [b]);
    expect([a.finished, a.next]).toEqual([true, null]);
  });
});

describe("merging afterWatermark()", () => {
  const trigger = afterEach(afterWatermark(), repeatedly(afterCount(1)));

  test("stays finished when finished in every merged window and the merged window's end has passed", () => {
    const world = new World(trigger, merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    a.watermark(15);
    expect([a.ready, b.ready]).toEqual([true, true]);
    a.fire();
    b.fire();
    // Now on the repeated count in both.
    expect([a.ready, b.ready]).toEqual([false, false]);
    a.elements(1).fire();
    b.elements(1).fire();

    const m = world.merge([a, b]);
    expect(m.ready).toBe(false);
    m.elements(1);
    expect(m.ready).toBe(true);
  });

  test("rewinds to waiting for the watermark when some merged window had not reached its end", () => {
    const world = new World(trigger, merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    a.watermark(11);
    expect([a.ready, b.ready]).toEqual([true, false]);
    a.fire();
    a.elements(1);
    expect(a.ready).toBe(true);
    a.fire();

    const m = world.merge([a, b]);
    expect(m.ready).toBe(false);
    m.elements(1);
    expect(m.ready).toBe(false);
    m.watermark(15);
    expect(m.ready).toBe(true);
  });

  test("a bare afterWatermark() rewinds too", () => {
    const world = new World(afterWatermark(), merging);
    const a = world.window(1, 11).elements(1).watermark(11).fire();
    const b = world.window(5, 15).elements(1);
    const m = world.merge([a, b]);
    expect([m.finished, m.ready]).toEqual([false, false]);
    m.watermark(15);
    expect(m.ready).toBe(true);
    m.fire();
    expect(m.finished).toBe(true);
  });
});

describe("merging afterWatermark with early and late firings", () => {
  const trigger = afterWatermark({ early: afterCount(100), late: afterCount(1) });

  test("stays on late firings when every merged window was past its end", () => {
    const world = new World(trigger, merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    a.watermark(15);
    a.fire();
    b.fire();
    expect([a.ready, b.ready]).toEqual([false, false]);
    a.elements(1).fire();
    b.elements(1).fire();

    const m = world.merge([a, b]);
    expect(m.ready).toBe(false);
    m.elements(1);
    expect(m.ready).toBe(true);
  });

  test("rewinds to early firings when some merged window was not", () => {
    const world = new World(trigger, merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    a.watermark(11);
    expect([a.ready, b.ready]).toEqual([true, false]);
    a.fire();
    a.elements(1);
    expect(a.ready).toBe(true);
    a.fire();

    const m = world.merge([a, b]);
    expect(m.ready).toBe(false);
    m.elements(1);
    expect(m.ready).toBe(false);
    m.watermark(15);
    expect(m.ready).toBe(true);
  });

  test("early processing-time deadlines merge to the earliest", () => {
    const world = new World(afterWatermark({ early: afterProcessingTime(10), late: afterCount(1) }), merging);
    const a = world.window(1, 11).processing(4).elements(1);
    const b = world.window(5, 15).processing(2).elements(1);
    const m = world.merge([a, b]);
    expect(m.next).toBe(12);
  });

  test("without a late part, a merge of windows all past their on-time firing is finished", () => {
    const world = new World(afterEach(afterWatermark({ early: afterCount(100) }), repeatedly(afterCount(1))), merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    a.watermark(15).fire();
    b.fire();
    const m = world.merge([a, b]);
    m.elements(1);
    expect(m.ready).toBe(true);
  });
});

describe("merging composites", () => {
  test("afterAll becomes unfinished again when a merged window had not finished it", () => {
    const world = new World(afterEach(afterAll(afterWatermark(), afterCount(1)), repeatedly(afterCount(1))), merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    a.watermark(11);
    expect([a.ready, b.ready]).toEqual([true, false]);
    a.fire();

    const m = world.merge([a, b]);
    expect(m.finished).toBe(false);
    // Back on the afterAll: an element alone does not fire it.
    world.absorb(m, [world.window(3, 13).elements(1)]);
    expect(m.ready).toBe(false);
    m.watermark(15);
    expect(m.ready).toBe(true);
    m.fire();

    world.absorb(m, [world.window(2, 12).elements(1)]);
    expect(m.ready).toBe(true);
  });

  test("afterAny becomes the current subtrigger again after a merge", () => {
    const world = new World(afterEach(afterAny(afterCount(5), afterWatermark()), repeatedly(afterCount(1))), merging);
    const a = world.window(1, 11).elements(1);
    expect(a.ready).toBe(false);
    a.watermark(11);
    expect(a.ready).toBe(true);
    a.fire();
    const b = world.window(5, 15).elements(1);
    expect(b.ready).toBe(false);

    // Were the merged window on the repeated count, it would be ready.
    const m = world.merge([a, b]);
    expect(m.ready).toBe(false);
    world.absorb(m, [world.window(1, 11).elements(5)]);
    expect(m.ready).toBe(true);
  });

  test("orFinally becomes the current subtrigger again after a merge", () => {
    const world = new World(afterEach(orFinally(afterCount(5), afterWatermark()), repeatedly(afterCount(1))), merging);
    const a = world.window(1, 11).elements(1).watermark(11);
    expect(a.ready).toBe(true);
    a.fire();
    const b = world.window(5, 15).elements(1);
    const m = world.merge([a, b]);
    expect(m.ready).toBe(false);
    world.absorb(m, [world.window(1, 11).elements(5)]);
    expect(m.ready).toBe(true);
  });

  test("repeatedly merges its subtrigger's state", () => {
    const world = new World(repeatedly(afterCount(2)), merging);
    const a = world.window(1, 11).elements(1);
    const b = world.window(5, 15).elements(1);
    expect([a.ready, b.ready]).toEqual([false, false]);
    expect(world.merge([a, b]).ready).toBe(true);
  });

  test("default is ready in a merged window once the watermark passes the merged end", () => {
    const world = new World(defaultTrigger(), merging);
    const m = world.merge([world.window(1, 101).elements(1), world.window(50, 150).elements(1)]);
    m.watermark(149);
    expect(m.ready).toBe(false);
    m.watermark(150);
    expect(m.ready).toBe(true);
    m.fire();
    expect([m.ready, m.finished]).toEqual([true, false]);
  });

  test("afterEach clears the subtriggers after the first unfinished one", () => {
    const world = new World(afterEach(afterCount(1), afterCount(2)), merging);
    // Both subtriggers count in parallel; firing the first clears the second's count.
    const a = world.window(1, 11).elements(1).fire();
    a.elements(1);
    expect(a.ready).toBe(false);
    const b = world.window(5, 15).elements(1);
    const m = world.merge([a, b]);
    // Back on the first subtrigger (unfinished in b), with b's element.
    expect(m.ready).toBe(true);
  });
});
