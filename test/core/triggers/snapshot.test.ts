import { describe, expect, test } from "vitest";
import { BinaryReader } from "../../../runners/core/codec.js";
import {
  type Instant,
  type Trigger,
  afterAll,
  afterAny,
  afterCount,
  afterEach,
  afterProcessingTime,
  afterWatermark,
  defaultTrigger,
  describeTrigger,
  never,
  orFinally,
  repeatedly,
} from "../../../sdk/index.js";
import { type Observation, type Step, World, type WindowRun, runSteps } from "./harness.js";
import { seededRandom as random } from "../../support/random.js";

/** A window [0, 100) and a script crossing its end, with early, on-time and late input. */
const SCRIPT: readonly Step[] = [
  { processing: 0 },
  { element: 1 },
  "fire",
  { element: 2 },
  { processing: 10 },
  "fire",
  { element: 3 },
  { element: 4 },
  "fire",
  { processing: 25 },
  { watermark: 50 },
  { element: 5 },
  "fire",
  { processing: 40 },
  "fire",
  { watermark: 100 },
  "fire",
  { element: 6 },
  "fire",
  { processing: 60 },
  { element: 7 },
  { element: 8 },
  "fire",
  { processing: 80 },
  "fire",
  { element: 9 },
  { watermark: 200 },
  "fire",
];

const TRIGGERS: readonly Trigger[] = [
  defaultTrigger(),
  never(),
  afterCount(2),
  afterProcessingTime(10),
  afterWatermark(),
  afterWatermark({ early: afterProcessingTime(10), late: afterCount(1) }),
  afterWatermark({ early: afterAny(afterCount(3), afterProcessingTime(15)) }),
  afterWatermark({ late: afterAll(afterCount(2), afterProcessingTime(10)) }),
  repeatedly(afterCount(2)),
  repeatedly(afterAny(afterProcessingTime(15), afterCount(3))),
  afterEach(afterCount(2), afterCount(1)),
  afterEach(afterCount(2), afterProcessingTime(5), repeatedly(afterCount(1))),
  afterAny(afterCount(4), afterWatermark()),
  afterAll(afterCount(2), afterProcessingTime(10)),
  orFinally(repeatedly(afterCount(1)), afterCount(3)),
  orFinally(repeatedly(afterProcessingTime(5)), afterWatermark()),
];

/** Runs the script whole, and again restoring from a snapshot after every step; all runs must agree. */
function checkRoundTrips(trigger: Trigger, script: readonly Step[], merging: boolean): void {
  const world = new World(trigger, { merging });
  const whole = runSteps(world.window(0, 100), script);
  for (let cut = 0; cut <= script.length; cut++) {
    const resumed = new World(trigger, { merging });
    const run = resumed.window(0, 100);
    const before = runSteps(run, script.slice(0, cut));
    const bytes = run.snapshot();
    run.roundTrip();
    expect(run.snapshot(), `snapshot after restore at step ${cut}`).toEqual(bytes);
    const after = runSteps(run, script.slice(cut));
    expect([...before, ...after], `${describeTrigger(trigger)} restored after step ${cut}`).toEqual(whole);
  }
}

describe("snapshot and restore", () => {
  for (const trigger of TRIGGERS)
    for (const merging of [false, true])
      test(`${describeTrigger(trigger)}${merging ? " (merging)" : ""}: restored at any step, the rest of the run is the same`, () => {
        checkRoundTrips(trigger, SCRIPT, merging);
      });

  test("the scripted runs fire panes (the round trips compare something)", () => {
    const fired = (t: Trigger): number =>
      runSteps(new World(t).window(0, 100), SCRIPT).filter((o: Observation) => o.fired).length;
    expect(TRIGGERS.filter((t) => t.kind !== "never").every((t) => fired(t) > 0)).toBe(true);
  });

  test("snapshots are a few bytes", () => {
    const world = new World(afterWatermark({ early: afterProcessingTime(10), late: afterCount(1) }));
    const run = world
      .window(0, 100)
      .processing(Date.UTC(2030, 0, 1))
      .elements(1);
    // Flag byte, early's flags and deadline (a zigzag varint of an epoch-ms instant), late's count.
    expect(run.snapshot().length).toBeLessThanOrEqual(10);
    expect(new World(afterCount(100)).window(0, 10).elements(50).snapshot().length).toBe(1);
  });

  test("restore reads exactly the machine's bytes, so snapshots can sit side by side", () => {
    const world = new World(orFinally(repeatedly(afterCount(2)), afterProcessingTime(7)));
    const a = world.window(0, 10).elements(1);
    const b = world.window(10, 20).processing(4).elements(2);
    const both = new Uint8Array([...a.snapshot(), ...b.snapshot()]);
    const r = new BinaryReader(both);
    const [ra, rb] = [world.factory.restore(r), world.factory.restore(r)];
    expect(r.done).toBe(true);
    expect([ra.shouldFire(a.ctx), ra.nextProcessingTime()]).toEqual([false, 7]);
    expect([rb.shouldFire(b.ctx), rb.nextProcessingTime()]).toEqual([true, 11]);
  });

  test("machines restored before a merge merge as the originals do", () => {
    const trigger = afterEach(afterWatermark({ early: afterCount(3), late: afterProcessingTime(5) }), repeatedly(afterCount(2)));
    const merged = (restore: boolean): Observation[] => {
      const world = new World(trigger, { merging: true });
      const a = world.window(1, 11).elements(2);
      const b = world.window(5, 15).processing(3).elements(1).watermark(11);
      a.fire();
      a.elements(1);
      if (restore) [a, b].forEach((w) => w.roundTrip());
      const m = world.merge([a, b]);
      return runSteps(m, [{ element: 6 }, "fire", { watermark: 15 }, "fire", { element: 7 }, { processing: 20 }, "fire"]);
    };
    expect(merged(true)).toEqual(merged(false));
  });
});

function randomTrigger(rand: () => number, depth: number): Trigger {
  const int = (n: number): number => Math.floor(rand() * n);
  const sub = (): Trigger => randomTrigger(rand, depth - 1);
  const subs = (): Trigger[] => Array.from({ length: 1 + int(3) }, sub);
  const leaves = [
    () => afterCount(1 + int(3)),
    () => afterProcessingTime(int(20)),
    () => afterWatermark(),
    () => defaultTrigger(),
    () => never(),
  ];
  const composites = [
    () => repeatedly(sub()),
    () => afterEach(...subs()),
    () => afterAny(...subs()),
    () => afterAll(...subs()),
    () => orFinally(sub(), sub()),
    () => afterWatermark({ early: sub(), ...(rand() < 0.7 ? { late: sub() } : {}) }),
    () => afterWatermark({ late: sub() }),
  ];
  const pool = depth > 0 && rand() < 0.7 ? composites : leaves;
  return (pool[int(pool.length)] as () => Trigger)();
}

function randomScript(rand: () => number, length: number): Step[] {
  let watermark = -10;
  let processing = 0;
  return Array.from({ length }, (): Step => {
    const r = rand();
    if (r < 0.35) return { element: Math.floor(rand() * 100) };
    if (r < 0.5) return { watermark: (watermark += Math.floor(rand() * 40)) };
    if (r < 0.65) return { processing: (processing += Math.floor(rand() * 12)) };
    return "fire";
  });
}

describe("snapshot and restore of random triggers and runs", () => {
  const rand = random(20240611);
  for (let i = 0; i < 40; i++) {
    const trigger = randomTrigger(rand, 3);
    const script = randomScript(rand, 30);
    const merging = rand() < 0.5;
    test(`#${i} ${describeTrigger(trigger)}${merging ? " (merging)" : ""}`, () => checkRoundTrips(trigger, script, merging));
  }
});

/** A step of a two-session run: input or a firing in one window, a clock moving, or the two merging. */
type SessionStep = { element: 0 | 1 } | { fire: 0 | 1 } | { watermark: Instant } | { processing: Instant } | "merge";

/** Runs two session windows that may merge, restoring every machine from its snapshot after step `restoreAfter`. */
function runSessions(trigger: Trigger, script: readonly SessionStep[], restoreAfter: number): Observation[][] {
  const world = new World(trigger, { merging: true });
  let runs: WindowRun[] = [world.window(0, 40), world.window(20, 60)];
  const pick = (i: 0 | 1): WindowRun => runs[Math.min(i, runs.length - 1)] as WindowRun;
  return script.map((step, n) => {
    if (step === "merge") runs = runs.length === 2 ? [world.merge(runs)] : runs;
    else if ("element" in step) {
      const run = pick(step.element);
      if (!run.finished) run.elements(1);
    } else if ("fire" in step) {
      const run = pick(step.fire);
      if (run.ready && !run.finished) run.fire();
    } else if ("watermark" in step) world.clocks.watermark = step.watermark;
    else world.clocks.processing = step.processing;
    if (n === restoreAfter) for (const run of runs) run.roundTrip();
    return runs.map((run) => ({ ready: run.ready, fired: false, finished: run.finished, next: run.next }));
  });
}

function randomSessionScript(rand: () => number, length: number): SessionStep[] {
  let watermark = -10;
  let processing = 0;
  const side = (): 0 | 1 => (rand() < 0.5 ? 0 : 1);
  return Array.from({ length }, (): SessionStep => {
    const r = rand();
    if (r < 0.3) return { element: side() };
    if (r < 0.4) return { watermark: (watermark += Math.floor(rand() * 25)) };
    if (r < 0.5) return { processing: (processing += Math.floor(rand() * 12)) };
    if (r < 0.55) return "merge";
    return { fire: side() };
  });
}

describe("snapshot and restore around session merges", () => {
  const rand = random(7_000_001);
  for (let i = 0; i < 25; i++) {
    const trigger = randomTrigger(rand, 3);
    const script = randomSessionScript(rand, 30);
    test(`#${i} ${describeTrigger(trigger)}`, () => {
      const whole = runSessions(trigger, script, -1);
      for (let cut = 0; cut < script.length; cut++)
        expect(runSessions(trigger, script, cut), `restored after step ${cut}`).toEqual(whole);
    });
  }
});
