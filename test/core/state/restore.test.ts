import { describe, expect, test } from "vitest";
import { KeyedStateBackend } from "../../../runners/core/state/backend.js";
import {
  type KeyGroupRange,
  encodeKey,
  inKeyGroupRange,
  keyGroupOf,
  keyGroupRange,
  windowNamespace,
  workerForKeyGroup,
} from "../../../runners/core/state/keys.js";
import { type FiredTimer, TimerService } from "../../../runners/core/state/timers.js";
import {
  Instant,
  bagState,
  combiningState,
  countFn,
  eventTimer,
  mapState,
  maxTimestamp,
  processingTimer,
  sumFn,
  valueState,
} from "../../../sdk/index.js";
import { seededRandom } from "./random.js";

// A small stateful step driven by a scripted sequence of events: per (key, 10 ms window) it
// sums, buffers, remembers the last value and counts parities; per key it counts elements.
// An event-time timer closes each window (reporting and clearing its state), a processing-time
// timer pokes it. Runs that snapshot and restore must report what an uninterrupted run does.

type Event =
  | { readonly kind: "element"; readonly key: unknown; readonly value: number; readonly ts: Instant }
  | { readonly kind: "forget"; readonly key: unknown }
  | { readonly kind: "watermark"; readonly t: Instant }
  | { readonly kind: "processingTime"; readonly t: Instant };

interface Output {
  readonly keyGroup: number;
  readonly text: string;
}

interface Snapshot {
  readonly state: Uint8Array;
  readonly timers: Uint8Array;
}

const STEP = "Windowed";
const WINDOW = 10;
const ALL = keyGroupRange(0, 1);
const windowSpecs = {
  sum: combiningState(sumFn()),
  items: bagState<number>(),
  last: valueState<number>(),
  parity: mapState<string, number>(),
};
const keySpecs = { seen: combiningState(countFn()), firstAt: valueState<Instant>() };
const timerSpecs = { close: eventTimer(), poke: processingTimer() };

class Worker {
  constructor(
    readonly state = new KeyedStateBackend(),
    readonly timers = new TimerService(),
  ) {}

  static restore(snapshots: readonly Snapshot[], owned: KeyGroupRange): Worker {
    return new Worker(
      KeyedStateBackend.restore(
        snapshots.map((s) => s.state),
        owned,
      ),
      TimerService.restore(
        snapshots.map((s) => s.timers),
        owned,
      ),
    );
  }

  snapshot(): Snapshot {
    return { state: this.state.snapshot(), timers: this.timers.snapshot() };
  }

  handle(e: Event): Output[] {
    switch (e.kind) {
      case "element": {
        const key = encodeKey(e.key);
        const g = keyGroupOf(key);
        const start = Math.floor(e.ts / WINDOW) * WINDOW;
        const window = { start, end: start + WINDOW };
        const ns = windowNamespace(window);
        const s = this.state.handles(STEP, windowSpecs, key, g, ns);
        s.sum.add(e.value);
        s.items.add(e.value);
        s.last.write(e.value);
        const parity = e.value % 2 ? "odd" : "even";
        s.parity.set(parity, (s.parity.get(parity) ?? 0) + 1);
        const k = this.state.handles(STEP, keySpecs, key, g);
        k.seen.add(e.value);
        if (k.firstAt.read() === undefined) k.firstAt.write(e.ts);
        const t = this.timers.timers(STEP, timerSpecs, key, g, ns);
        t.close.set(maxTimestamp(window));
        t.poke.set(Math.max(this.timers.currentProcessingTime, 0) + 5);
        return [];
      }
      case "forget": {
        const key = encodeKey(e.key);
        const k = this.state.handles(STEP, keySpecs, key, keyGroupOf(key));
        k.seen.clear();
        k.firstAt.clear();
        return [];
      }
      case "watermark":
        return this.timers.advanceWatermark(e.t).map((t) => this.fire(t));
      case "processingTime":
        return this.timers.advanceProcessingTime(e.t).map((t) => this.fire(t));
    }
  }

  private fire(t: FiredTimer): Output {
    const s = this.state.handles(STEP, windowSpecs, t.key, t.keyGroup, t.namespace);
    const k = this.state.handles(STEP, keySpecs, t.key, t.keyGroup);
    const parity = JSON.stringify([...s.parity.entries()]);
    const text =
      `${t.name}@${t.time} ${t.key} [${t.namespace}] sum=${s.sum.read()} items=${s.items.read().join(",")} ` +
      `last=${s.last.read()} parity=${parity} seen=${k.seen.read()} first=${k.firstAt.read()}`;
    if (t.name === "close") {
      this.state.clearNamespace(STEP, t.key, t.keyGroup, t.namespace);
      this.timers.timers(STEP, timerSpecs, t.key, t.keyGroup, t.namespace).poke.clear();
    }
    return { keyGroup: t.keyGroup, text };
  }
}

/** A reproducible script: elements (some late) for mixed keys, forgets, and both clocks advancing. */
function script(seed: number, length: number): Event[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const keys: unknown[] = [];
  for (let i = 0; i < 24; i++) keys.push(i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? i : { region: `r${i % 2}`, id: i });
  const events: Event[] = [];
  let eventTime = 0;
  let watermark = Instant.MIN;
  let processingTime = 0;
  for (let i = 0; i < length; i++) {
    const r = pick(100);
    if (r < 65) {
      eventTime += pick(3);
      events.push({ kind: "element", key: keys[pick(keys.length)], value: pick(20), ts: eventTime - pick(8) });
    } else if (r < 70) events.push({ kind: "forget", key: keys[pick(keys.length)] });
    else if (r < 85) events.push({ kind: "watermark", t: (watermark = Math.max(watermark, eventTime - pick(6))) });
    else events.push({ kind: "processingTime", t: (processingTime += pick(5)) });
  }
  events.push({ kind: "watermark", t: Instant.MAX }, { kind: "processingTime", t: processingTime + 1000 });
  return events;
}

const run = (worker: Worker, events: readonly Event[]): Output[][] => events.map((e) => worker.handle(e));
const sorted = (outputs: readonly Output[]) => outputs.map((o) => o.text).sort();
const pendingTimers = (timers: TimerService) =>
  (["eventTime", "processingTime"] as const).flatMap((d) => timers.pending(d).map((t) => JSON.stringify(t))).sort();

describe("snapshot and restore of state and timers together", () => {
  const events = script(11, 150);

  test("the script exercises every path", () => {
    const outputs = run(new Worker(), events).flat();
    expect(outputs.filter((o) => o.text.startsWith("close")).length).toBeGreaterThan(20);
    expect(outputs.filter((o) => o.text.startsWith("poke")).length).toBeGreaterThan(10);
    expect(new Set(outputs.map((o) => o.keyGroup)).size).toBeGreaterThan(10);
  });

  test("restoring from a snapshot taken after any step and going on equals the uninterrupted run", () => {
    const whole = new Worker();
    const expected: Output[][] = [];
    const snapshots: Snapshot[] = [];
    for (const e of events) {
      snapshots.push(whole.snapshot());
      expected.push(whole.handle(e));
    }
    snapshots.forEach((snap, cut) => {
      const restored = Worker.restore([snap], ALL);
      const tail = run(restored, events.slice(cut));
      expect(tail, `restored before event ${cut}`).toEqual(expected.slice(cut));
      expect([...restored.state.entries()]).toEqual([...whole.state.entries()]);
      expect(restored.timers.snapshot()).toEqual(whole.timers.snapshot());
    });
    // The script ends with both clocks at the end: only per-key (global namespace) state is left.
    expect([...whole.state.entries()].every((e) => e.namespace === "")).toBe(true);
    expect(whole.timers.size).toBe(0);
  });

  test("the state part of a mid-run snapshot round-trips exactly", () => {
    const worker = new Worker();
    run(worker, events.slice(0, 60));
    const restored = Worker.restore([worker.snapshot()], ALL);
    expect(restored.state.size).toBeGreaterThan(10);
    expect([...restored.state.entries()]).toEqual([...worker.state.entries()]);
    expect(pendingTimers(restored.timers)).toEqual(pendingTimers(worker.timers));
    expect(restored.timers.currentWatermark).toBe(worker.timers.currentWatermark);
    expect(restored.timers.currentProcessingTime).toBe(worker.timers.currentProcessingTime);
  });

  test("rescaling 1 → 2 → 1 workers gives what one worker gives throughout", () => {
    const [a, b] = [50, 100];
    const whole = new Worker();
    const expected = run(whole, events.slice(0, b));

    const single = new Worker();
    const phaseA = run(single, events.slice(0, a));
    const one = single.snapshot();
    const two = [0, 1].map((w) => Worker.restore([one], keyGroupRange(w, 2)));
    two.forEach((worker, w) => {
      const range = keyGroupRange(w, 2);
      expect(worker.state.keyGroups().every((g) => inKeyGroupRange(range, g))).toBe(true);
      expect(worker.timers.keyGroups().every((g) => inKeyGroupRange(range, g))).toBe(true);
    });
    expect(two[0]!.state.size + two[1]!.state.size).toBe(single.state.size);
    expect(two[0]!.timers.size + two[1]!.timers.size).toBe(single.timers.size);

    const phaseB = events.slice(a, b).map((e, i) => {
      const perWorker = two.map((worker, w) => {
        if (e.kind === "element" || e.kind === "forget")
          return workerForKeyGroup(keyGroupOf(encodeKey(e.key)), 2) === w ? worker.handle(e) : [];
        return worker.handle(e);
      });
      // Each worker reports its own key groups' outputs, in the order the single worker would.
      perWorker.forEach((outputs, w) => {
        const range = keyGroupRange(w, 2);
        expect(outputs).toEqual(expected[a + i]!.filter((o) => inKeyGroupRange(range, o.keyGroup)));
      });
      return perWorker.flat();
    });

    const entries = (ws: readonly Worker[]) => ws.flatMap((w) => [...w.state.entries()]).sort((x, y) => x.keyGroup - y.keyGroup);
    expect(entries(two)).toEqual(entries([whole]));
    expect(two.flatMap((w) => pendingTimers(w.timers)).sort()).toEqual(pendingTimers(whole.timers));
    expected.push(...run(whole, events.slice(b)));

    const back = Worker.restore(
      two.map((w) => w.snapshot()),
      ALL,
    );
    // Timers set on different workers may tie differently, so compare each step's outputs as a set.
    const phaseC = run(back, events.slice(b));
    expect([...phaseA, ...phaseB, ...phaseC].map(sorted)).toEqual(expected.map(sorted));
    expect(phaseA).toEqual(expected.slice(0, a));
    expect([...back.state.entries()]).toEqual([...whole.state.entries()]);
    expect(pendingTimers(back.timers)).toEqual(pendingTimers(whole.timers));
  });

  test("keys that UTF-8 cannot carry (lone surrogates) survive a snapshot exactly", () => {
    const worker = new Worker();
    const keys = ["\uD800", "a\uDC00b", "\uD83D\uDE00", { name: "\uDBFF" }];
    const elements = keys.map((key, i): Event => ({ kind: "element", key, value: i, ts: 5 }));
    run(worker, elements);
    const restored = Worker.restore([worker.snapshot()], ALL);
    expect([...restored.state.entries()]).toEqual([...worker.state.entries()]);
    expect(pendingTimers(restored.timers)).toEqual(pendingTimers(worker.timers));
    expect(run(restored, [{ kind: "watermark", t: 10 }])).toEqual(run(worker, [{ kind: "watermark", t: 10 }]));
  });

  test("two restored halves, snapshotted and restored together, equal the snapshot they came from", () => {
    const worker = new Worker();
    run(worker, events.slice(0, 80));
    const snap = worker.snapshot();
    const halves = [0, 1].map((w) => Worker.restore([snap], keyGroupRange(w, 2)).snapshot());
    const whole = Worker.restore(halves, ALL);
    expect(whole.timers.snapshot()).toEqual(snap.timers);
    expect([...whole.state.entries()]).toEqual([...worker.state.entries()]);
  });
});
