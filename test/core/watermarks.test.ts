import { describe, expect, test } from "vitest";
import { ManualClock } from "../../runners/core/clock.js";
import { SourceWatermarks, WatermarkGenerator, WatermarkTracker, isLate } from "../../runners/core/watermarks.js";
import { Instant } from "../../sdk/index.js";
import { seededRandom as seeded } from "../support/random.js";

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

const generator = (clock = new ManualClock(), maxDelay = 5, idleTimeout: number | null = 100) =>
  new WatermarkGenerator({ maxDelay, idleTimeout, clock });

describe("WatermarkGenerator", () => {
  test("promises nothing before the first event", () => {
    const g = generator();
    expect(g.current()).toBe(Instant.MIN);
    expect(g.isIdle()).toBe(false);
  });

  test("holds the watermark at the largest timestamp seen minus maxDelay while events arrive out of order", () => {
    const g = generator();
    const seen = [10, 30, 12, 28, 40, 35].map((t) => (g.onEvent(t), g.current()));
    expect(seen).toEqual([5, 25, 25, 25, 35, 35]);
  });

  test("follows Beam's convention: an element before the watermark is late, one at it is on time (no extra -1ms)", () => {
    const g = generator();
    g.onEvent(30);
    expect(g.current()).toBe(25);
    expect(isLate(25, g.current())).toBe(false);
    expect(isLate(24, g.current())).toBe(true);
  });

  test("never goes backwards, whatever order events come in", () => {
    const random = seeded(7);
    const g = generator(new ManualClock(), 50);
    let last = g.current();
    for (let i = 0; i < 2_000; i++) {
      g.onEvent(Math.floor(random() * 10_000));
      expect(g.current()).toBeGreaterThanOrEqual(last);
      last = g.current();
    }
  });

  test("stays at Instant.MIN for events within maxDelay of it, never below", () => {
    const g = generator(new ManualClock(), 1_000);
    g.onEvent(Instant.MIN + 10);
    expect(g.current()).toBe(Instant.MIN);
    g.onEvent(Instant.MIN + 1_500);
    expect(g.current()).toBe(Instant.MIN + 500);
  });

  test("is idle once idleTimeout of processing time passes without an event, and active again on the next event", () => {
    const clock = new ManualClock(1_000);
    const g = generator(clock);
    g.onEvent(50);
    clock.advance(99);
    expect(g.isIdle()).toBe(false);
    clock.advance(1);
    expect(g.isIdle()).toBe(true);
    g.onEvent(20);
    expect(g.isIdle()).toBe(false);
    expect(g.current()).toBe(45);
  });

  test("counts idleness from its creation when no event has come", () => {
    const clock = new ManualClock();
    const g = generator(clock);
    clock.advance(100);
    expect(g.isIdle()).toBe(true);
  });

  test("is never idle without an idleTimeout", () => {
    const clock = new ManualClock();
    const g = generator(clock, 5, null);
    clock.advance(1e12);
    expect(g.isIdle()).toBe(false);
  });

  test("goes to Instant.MAX at the end, is not idle then, and refuses later events", () => {
    const clock = new ManualClock();
    const g = generator(clock);
    g.onEvent(10);
    g.onEnd();
    clock.advance(1_000);
    expect([g.current(), g.isIdle(), g.hasEnded]).toEqual([Instant.MAX, false, true]);
    expect(() => g.onEvent(11)).toThrow(/arrived after its partition ended/);
  });

  test("refuses options and timestamps it cannot use", () => {
    const clock = new ManualClock();
    expect(() => new WatermarkGenerator({ maxDelay: -1, idleTimeout: null, clock })).toThrow(/maxDelay/);
    expect(() => new WatermarkGenerator({ maxDelay: 0, idleTimeout: 0, clock })).toThrow(/idleTimeout/);
    expect(() => generator().onEvent(Number.NaN)).toThrow(RangeError);
    expect(() => generator().onEvent(Instant.MAX + 1_000)).toThrow(RangeError);
  });
});

describe("WatermarkTracker", () => {
  test("starts at Instant.MIN", () => {
    expect(new WatermarkTracker(3).current()).toBe(Instant.MIN);
  });

  test("is the minimum over 3 inputs whatever order the updates come in, and never goes backwards", () => {
    const updates: [number, Instant][] = [
      [0, 10],
      [1, 5],
      [2, 7],
      [0, 20],
      [1, 15],
      [2, 30],
    ];
    for (const order of permutations(updates)) {
      const t = new WatermarkTracker(3);
      let last = t.current();
      for (const [input, wm] of order) {
        const advanced = t.update(input, wm);
        expect(advanced).toBe(t.current() > last);
        expect(t.current()).toBeGreaterThanOrEqual(last);
        last = t.current();
      }
      // Each input ends at its largest watermark (lower ones are ignored): min(20, 15, 30).
      expect(t.current()).toBe(15);
    }
  });

  test("ignores an input's watermark going down", () => {
    const t = new WatermarkTracker(2);
    t.update(0, 10);
    expect(t.update(1, 10)).toBe(true);
    expect(t.update(0, 4)).toBe(false);
    expect([t.inputWatermark(0), t.current()]).toEqual([10, 10]);
  });

  test("reports an advance only when the output moves", () => {
    const t = new WatermarkTracker(2);
    expect(t.update(0, 10)).toBe(false); // input 1 still at Instant.MIN
    expect(t.update(1, 5)).toBe(true);
    expect(t.update(1, 5)).toBe(false);
    expect(t.update(0, 12)).toBe(false); // input 1 still holds at 5
    expect(t.update(1, 20)).toBe(true);
    expect(t.current()).toBe(12);
  });

  test("releases an idle input; when it returns behind, the output holds (never lowers) until it catches up", () => {
    const t = new WatermarkTracker(3);
    t.update(0, 100);
    t.update(2, 120);
    expect(t.current()).toBe(Instant.MIN);
    expect(t.markIdle(1)).toBe(true);
    expect(t.current()).toBe(100);
    t.update(1, 50); // kept, but an idle input does not count
    expect(t.current()).toBe(100);
    t.markActive(1);
    expect(t.current()).toBe(100);
    expect(t.update(0, 200)).toBe(false); // input 1, at 50, holds the output at 100
    expect(t.update(1, 90)).toBe(false);
    expect(t.update(1, 150)).toBe(true);
    expect(t.current()).toBe(120);
  });

  test("holds its last value when every input is idle, and moves on when one returns", () => {
    const t = new WatermarkTracker(3);
    [10, 20, 30].forEach((wm, i) => t.update(i, wm));
    t.markIdle(0);
    t.markIdle(1);
    expect(t.current()).toBe(30);
    expect(t.isIdle()).toBe(false);
    expect(t.markIdle(2)).toBe(false);
    expect([t.current(), t.isIdle()]).toEqual([30, true]);
    t.update(1, 40);
    expect(t.current()).toBe(30);
    t.markActive(1);
    expect(t.isIdle()).toBe(false);
    expect(t.update(1, 45)).toBe(true);
    expect(t.current()).toBe(45);
  });

  test("releases inputs that go idle together at once", () => {
    const together = new WatermarkTracker(3);
    const oneByOne = new WatermarkTracker(3);
    for (const t of [together, oneByOne]) [10, 20, 30].forEach((wm, i) => t.update(i, wm));
    expect(together.markIdle(0, 1, 2)).toBe(false);
    expect(together.current()).toBe(10);
    oneByOne.markIdle(0);
    oneByOne.markIdle(1);
    oneByOne.markIdle(2);
    expect(oneByOne.current()).toBe(30);
  });

  test("goes to Instant.MAX when every input ends", () => {
    const t = new WatermarkTracker(3);
    t.update(0, 10);
    expect(t.end(1)).toBe(false);
    expect(t.end(0)).toBe(false); // input 2 still at Instant.MIN
    expect(t.end(2)).toBe(true);
    expect(t.current()).toBe(Instant.MAX);
    expect(t.update(2, 5)).toBe(false);
    expect(t.markIdle(2)).toBe(false);
  });

  test("an ended input does not release an idle one: only inputs still making progress do", () => {
    const t = new WatermarkTracker(2);
    t.update(0, 10);
    t.update(1, 20);
    t.markIdle(0);
    expect(t.current()).toBe(20);
    expect(t.end(1)).toBe(false);
    expect([t.current(), t.isIdle()]).toEqual([20, true]);
    t.markActive(0);
    expect(t.end(0)).toBe(true);
    expect(t.current()).toBe(Instant.MAX);
  });

  test("names the inputs it has", () => {
    expect(() => new WatermarkTracker(0)).toThrow(/at least one input/);
    expect(() => new WatermarkTracker(2).update(2, 1)).toThrow("no input 2: this tracker has inputs 0..1");
    expect(() => new WatermarkTracker(2).markIdle(-1)).toThrow(RangeError);
  });
});

describe("SourceWatermarks", () => {
  const source = (clock: ManualClock, partitions = 2) =>
    new SourceWatermarks({ partitions, maxDelay: 10, idleTimeout: 1_000, clock });

  test("a partition without data holds the watermark back until idleTimeout, then stops", () => {
    const clock = new ManualClock();
    const s = source(clock);
    s.onEvent(0, 100);
    expect(s.poll()).toBe(false);
    expect(s.current()).toBe(Instant.MIN);
    clock.advance(999);
    s.onEvent(0, 150);
    expect(s.poll()).toBe(false);
    clock.advance(1);
    expect(s.poll()).toBe(true);
    expect(s.current()).toBe(140);
  });

  test("a partition whose data returns holds the watermark again, but never lowers it", () => {
    const clock = new ManualClock();
    const s = source(clock);
    s.onEvent(0, 100);
    s.onEvent(1, 100);
    s.poll();
    expect(s.current()).toBe(90);
    clock.advance(500);
    s.onEvent(0, 300);
    clock.advance(500); // partition 1 has been silent for idleTimeout
    expect(s.poll()).toBe(true);
    expect(s.current()).toBe(290);
    s.onEvent(1, 150); // back, behind the output
    s.onEvent(0, 400);
    expect(s.poll()).toBe(false);
    expect(s.current()).toBe(290);
    s.onEvent(1, 350);
    expect(s.poll()).toBe(true);
    expect(s.current()).toBe(340);
  });

  test("holds when every partition is idle, and says so", () => {
    const clock = new ManualClock();
    const s = source(clock);
    s.onEvent(0, 100);
    s.onEvent(1, 200);
    s.poll();
    clock.advance(1_000);
    expect(s.poll()).toBe(false);
    expect([s.current(), s.isIdle()]).toEqual([90, true]);
  });

  test("the result does not depend on how often poll is called", () => {
    const run = (pollEvery: number) => {
      const clock = new ManualClock();
      const s = source(clock, 3);
      s.onEvent(0, 100);
      clock.advance(300);
      s.onEvent(1, 200);
      clock.advance(300);
      s.onEvent(2, 300);
      while (clock.now() < 2_000) {
        clock.advance(pollEvery);
        s.poll();
      }
      return [s.current(), s.isIdle()];
    };
    // Partitions go idle at 1000, 1300 and 1600, each releasing the watermark to the next
    // before the last one's idleness holds it: polled often or once, the same watermark.
    expect(run(1)).toEqual([290, true]);
    expect(run(7)).toEqual([290, true]);
    expect(run(1_400)).toEqual([290, true]);
  });

  test("the result of a poll does not depend on the order of partitions", () => {
    for (const [quiet, busy] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const clock = new ManualClock();
      const s = source(clock);
      s.onEvent(quiet, 50);
      s.onEvent(busy, 100);
      s.poll();
      clock.advance(1_000);
      s.onEvent(busy, 500);
      expect(s.poll()).toBe(true);
      expect(s.current()).toBe(490);
    }
  });

  test("goes to Instant.MAX when every partition ends", () => {
    const clock = new ManualClock();
    const s = source(clock);
    s.onEvent(0, 5);
    s.onEnd(0);
    s.onEnd(1);
    expect(s.poll()).toBe(true);
    expect(s.current()).toBe(Instant.MAX);
  });

  test("names the partitions it owns", () => {
    expect(() => source(new ManualClock(), 0)).toThrow(/at least one partition/);
    expect(() => source(new ManualClock()).onEvent(2, 1)).toThrow("no partition 2: this reader owns partitions 0..1");
  });
});

/**
 * Runs a scripted sequence; with `cut`, snapshots the subject (and the manual clock) before
 * step `cut` (or after the last step) and carries on with the restored copies. Returns what
 * each step saw.
 */
function runScript<S extends { snapshot(): Uint8Array }, O>(
  make: (clock: ManualClock) => S,
  restore: (bytes: Uint8Array, clock: ManualClock) => S,
  steps: readonly ((subject: S, clock: ManualClock) => O)[],
  cut: number | null,
): O[] {
  let clock = new ManualClock(1_000);
  let subject = make(clock);
  const resume = (): void => {
    const bytes = subject.snapshot();
    clock = ManualClock.restore(clock.snapshot());
    subject = restore(bytes, clock);
    expect(subject.snapshot()).toEqual(bytes);
  };
  const seen = steps.map((step, i) => {
    if (i === cut) resume();
    return step(subject, clock);
  });
  if (cut === steps.length) resume();
  return seen;
}

/** Restores from a snapshot taken at every cut point and compares with an uninterrupted run. */
function expectEveryCutMatches<S extends { snapshot(): Uint8Array }, O>(
  make: (clock: ManualClock) => S,
  restore: (bytes: Uint8Array, clock: ManualClock) => S,
  steps: readonly ((subject: S, clock: ManualClock) => O)[],
): void {
  const uninterrupted = runScript(make, restore, steps, null);
  for (let cut = 0; cut <= steps.length; cut++)
    expect(runScript(make, restore, steps, cut), `restored before step ${cut}`).toEqual(uninterrupted);
}

describe("snapshot and restore", () => {
  test("a generator restored at any step continues as if never interrupted", () => {
    type G = WatermarkGenerator;
    const seen = (g: G) => ({ wm: g.current(), idle: g.isIdle(), ended: g.hasEnded });
    const steps: ((g: G, clock: ManualClock) => ReturnType<typeof seen>)[] = [
      (g) => seen(g),
      (g) => (g.onEvent(10), seen(g)),
      (g, c) => (c.advance(50), seen(g)),
      (g) => (g.onEvent(3), seen(g)),
      (g) => (g.onEvent(30), seen(g)),
      (g, c) => (c.advance(100), seen(g)),
      (g) => (g.onEvent(20), seen(g)),
      (g, c) => (c.advance(99), seen(g)),
      (g, c) => (c.advance(1), seen(g)),
      (g) => (g.onEnd(), seen(g)),
      (g, c) => (c.advance(500), seen(g)),
    ];
    expectEveryCutMatches(
      (clock) => new WatermarkGenerator({ maxDelay: 5, idleTimeout: 100, clock }),
      (bytes, clock) => WatermarkGenerator.restore(bytes, { clock }),
      steps,
    );
    expectEveryCutMatches(
      (clock) => new WatermarkGenerator({ maxDelay: 0, idleTimeout: null, clock }),
      (bytes, clock) => WatermarkGenerator.restore(bytes, { clock }),
      steps,
    );
  });

  test("a tracker restored at any step continues as if never interrupted", () => {
    type T = WatermarkTracker;
    const seen = (t: T, advanced: boolean | null) => ({ advanced, wm: t.current(), idle: t.isIdle() });
    const steps: ((t: T) => ReturnType<typeof seen>)[] = [
      (t) => seen(t, t.update(0, 10)),
      (t) => seen(t, t.update(1, 5)),
      (t) => seen(t, t.update(2, 7)),
      (t) => seen(t, t.markIdle(1)),
      (t) => seen(t, t.update(0, 20)),
      (t) => seen(t, t.update(2, 25)),
      (t) => seen(t, t.update(1, 3)),
      (t) => seen(t, (t.markActive(1), null)),
      (t) => seen(t, t.update(1, 15)),
      (t) => seen(t, t.update(1, 30)),
      (t) => seen(t, t.markIdle(0)),
      (t) => seen(t, t.markIdle(2)),
      (t) => seen(t, t.markIdle(1)),
      (t) => seen(t, (t.markActive(2), null)),
      (t) => seen(t, t.update(2, 40)),
      (t) => seen(t, t.end(0)),
      (t) => seen(t, t.end(1)),
      (t) => seen(t, t.end(2)),
    ];
    expectEveryCutMatches(
      () => new WatermarkTracker(3),
      (bytes) => WatermarkTracker.restore(bytes),
      steps,
    );
  });

  test("a source reader's watermarks restored at any step continue as if never interrupted", () => {
    type S = SourceWatermarks;
    const poll = (s: S) => ({ advanced: s.poll(), wm: s.current(), idle: s.isIdle() });
    const steps: ((s: S, clock: ManualClock) => ReturnType<typeof poll>)[] = [
      (s) => poll(s),
      (s) => (s.onEvent(0, 100), s.onEvent(1, 80), poll(s)),
      (s, c) => (c.advance(400), s.onEvent(0, 130), s.onEvent(1, 120), poll(s)),
      (s, c) => (c.advance(600), poll(s)), // partition 2 never had data: idle now
      (s, c) => (c.advance(300), s.onEvent(0, 200), poll(s)),
      (s, c) => (c.advance(700), poll(s)), // partition 1 idle too
      (s) => (s.onEvent(2, 50), poll(s)), // partition 2 returns, far behind
      (s, c) => (c.advance(500), s.onEvent(2, 260), s.onEvent(0, 300), poll(s)),
      (s, c) => (c.advance(2_000), poll(s)), // all idle: hold
      (s) => (s.onEvent(1, 400), poll(s)),
      (s) => (s.onEnd(0), s.onEnd(1), poll(s)),
      (s) => (s.onEnd(2), poll(s)),
    ];
    const uninterrupted = runScript(
      (clock) => new SourceWatermarks({ partitions: 3, maxDelay: 10, idleTimeout: 1_000, clock }),
      (bytes, clock) => SourceWatermarks.restore(bytes, { clock }),
      steps,
      null,
    );
    expect(uninterrupted.map((o) => o.wm)).toEqual([
      Instant.MIN,
      Instant.MIN,
      Instant.MIN,
      110,
      110,
      190,
      190,
      250,
      250,
      390,
      390,
      Instant.MAX,
    ]);
    expectEveryCutMatches(
      (clock) => new SourceWatermarks({ partitions: 3, maxDelay: 10, idleTimeout: 1_000, clock }),
      (bytes, clock) => SourceWatermarks.restore(bytes, { clock }),
      steps,
    );
  });

  test("time the job spends down does not count towards idleness", () => {
    const clock = new ManualClock();
    const g = generator(clock);
    g.onEvent(10);
    clock.advance(60);
    const bytes = g.snapshot();
    const later = new ManualClock(clock.now() + 1_000_000);
    const restored = WatermarkGenerator.restore(bytes, { clock: later });
    expect(restored.isIdle()).toBe(false);
    later.advance(39);
    expect(restored.isIdle()).toBe(false);
    later.advance(1);
    expect(restored.isIdle()).toBe(true);
  });

  test("a damaged snapshot fails with a clear error", () => {
    const bytes = new WatermarkTracker(2).snapshot();
    expect(() => WatermarkTracker.restore(bytes.subarray(0, bytes.length - 1))).toThrow(/snapshot truncated/);
    expect(() => WatermarkTracker.restore(Uint8Array.of(...bytes, 0))).toThrow(/trailing bytes/);
    expect(() => WatermarkTracker.restore(Uint8Array.of(2, ...bytes.subarray(1)))).toThrow(/format 2/);
    const source = new SourceWatermarks({ partitions: 2, maxDelay: 0, idleTimeout: null, clock: new ManualClock() }).snapshot();
    expect(() => SourceWatermarks.restore(source.subarray(0, 5), { clock: new ManualClock() })).toThrow(RangeError);
  });
});
