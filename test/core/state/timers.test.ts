import { describe, expect, test } from "vitest";
import { BinaryHeap } from "../../../runners/core/state/heap.js";
import { keyGroupRange, windowNamespace } from "../../../runners/core/state/keys.js";
import { type FiredTimer, type TimeDomain, type TimerAddress, TimerService } from "../../../runners/core/state/timers.js";
import { Instant, eventTimer, maxTimestamp, processingTimer } from "../../../sdk/index.js";
import { seededRandom } from "./random.js";

const ALL = keyGroupRange(0, 1);
const addr = (name: string, key = "sk", keyGroup = 0, namespace = "", step = "Step"): TimerAddress => ({
  step,
  keyGroup,
  key,
  namespace,
  name,
});
const names = (fired: readonly FiredTimer[]) => fired.map((t) => t.name);

describe("the binary heap", () => {
  test("pops in order and re-heapifies after retain", () => {
    const random = seededRandom(1);
    const heap = new BinaryHeap<number>((a, b) => a < b);
    const xs = Array.from({ length: 1000 }, () => Math.floor(random() * 100));
    for (const x of xs) heap.push(x);
    heap.retain((x) => x % 2 === 0);
    const out: number[] = [];
    for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
    expect(out).toEqual(xs.filter((x) => x % 2 === 0).sort((a, b) => a - b));
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });
});

describe("event-time timers", () => {
  test("fire when the watermark passes them: a timer at t fires once the watermark is > t (Beam)", () => {
    const timers = new TimerService();
    timers.setTimer(addr("at10"), 10, "eventTime");
    expect(timers.advanceWatermark(9)).toEqual([]);
    expect(timers.advanceWatermark(10)).toEqual([]);
    expect(timers.advanceWatermark(11)).toEqual([
      { step: "Step", keyGroup: 0, key: "sk", namespace: "", name: "at10", domain: "eventTime", time: 10 },
    ]);
    expect(timers.size).toBe(0);
  });

  test("an end-of-window timer at maxTimestamp fires when the watermark reaches the window's end", () => {
    const timers = new TimerService();
    const w = { start: 0, end: 60_000 };
    timers.setTimer(addr("end", "sk", 0, windowNamespace(w)), maxTimestamp(w), "eventTime");
    expect(timers.advanceWatermark(w.end - 1)).toEqual([]);
    expect(names(timers.advanceWatermark(w.end))).toEqual(["end"]);
  });

  test("the watermark at Instant.MAX fires every timer, even at END_OF_GLOBAL_WINDOW", () => {
    const timers = new TimerService();
    timers.setTimer(addr("gc"), Instant.END_OF_GLOBAL_WINDOW, "eventTime");
    timers.setTimer(addr("min"), Instant.MIN, "eventTime");
    expect(names(timers.advanceWatermark(Instant.MAX))).toEqual(["min", "gc"]);
  });

  test("fire in time order, ties in the order they were set", () => {
    const timers = new TimerService();
    const plan: [string, number][] = [
      ["c", 30],
      ["a1", 10],
      ["b1", 20],
      ["a2", 10],
      ["b2", 20],
      ["a3", 10],
    ];
    plan.forEach(([name, t], i) => timers.setTimer(addr(name, `k${i}`, i % 3), t, "eventTime"));
    expect(names(timers.advanceWatermark(25))).toEqual(["a1", "a2", "a3", "b1", "b2"]);
    expect(names(timers.advanceWatermark(100))).toEqual(["c"]);
  });

  test("setting a timer again replaces it; the same time again keeps its place", () => {
    const timers = new TimerService();
    timers.setTimer(addr("x"), 5, "eventTime");
    timers.setTimer(addr("y"), 10, "eventTime");
    timers.setTimer(addr("x"), 20, "eventTime");
    expect(timers.size).toBe(2);
    expect(timers.getTimer(addr("x"))).toEqual({ time: 20, domain: "eventTime" });
    expect(names(timers.advanceWatermark(11))).toEqual(["y"]);
    timers.setTimer(addr("p"), 30, "eventTime");
    timers.setTimer(addr("q"), 30, "eventTime");
    timers.setTimer(addr("p"), 30, "eventTime");
    expect(names(timers.advanceWatermark(31))).toEqual(["x", "p", "q"]);
  });

  test("the identity is (step, key group, key, namespace, name)", () => {
    const timers = new TimerService();
    const variants = [
      addr("t"),
      addr("t", "sother"),
      addr("t", "sk", 1),
      addr("t", "sk", 0, "0,10"),
      addr("t", "sk", 0, "", "Other"),
    ];
    variants.forEach((a, i) => timers.setTimer(a, i, "eventTime"));
    expect(timers.size).toBe(5);
    expect(timers.advanceWatermark(10).map((t) => t.time)).toEqual([0, 1, 2, 3, 4]);
  });

  test("delete removes a pending timer", () => {
    const timers = new TimerService();
    timers.setTimer(addr("x"), 5, "eventTime");
    timers.setTimer(addr("y"), 6, "eventTime");
    expect(timers.deleteTimer(addr("x"))).toBe(true);
    expect(timers.deleteTimer(addr("x"))).toBe(false);
    expect(timers.getTimer(addr("x"))).toBeUndefined();
    expect(timers.nextEventTime()).toBe(6);
    expect(names(timers.advanceWatermark(100))).toEqual(["y"]);
    expect(timers.deleteTimer(addr("y"))).toBe(false);
    expect(timers.keyGroups()).toEqual([]);
  });

  test("a timer set at or before the watermark fires on the next advance or poll", () => {
    const timers = new TimerService();
    timers.advanceWatermark(50);
    timers.setTimer(addr("late"), 40, "eventTime");
    timers.setTimer(addr("now"), 50, "eventTime");
    expect(names(timers.advanceWatermark(50))).toEqual(["late"]);
    timers.setTimer(addr("late2"), 10, "eventTime");
    expect(timers.pollEventTimer()?.name).toBe("late2");
    expect(timers.pollEventTimer()).toBeUndefined();
    expect(names(timers.advanceWatermark(51))).toEqual(["now"]);
  });

  test("polling one at a time lets a callback's new timer fire in order", () => {
    const timers = new TimerService();
    timers.setTimer(addr("a"), 10, "eventTime");
    timers.setTimer(addr("c"), 30, "eventTime");
    timers.setWatermark(100);
    const order: string[] = [];
    for (let t = timers.pollEventTimer(); t; t = timers.pollEventTimer()) {
      order.push(t.name);
      if (t.name === "a") timers.setTimer(addr("b"), 20, "eventTime");
    }
    expect(order).toEqual(["a", "b", "c"]);
  });

  test("the watermark never moves back, and timers need an instant before Instant.MAX", () => {
    const timers = new TimerService();
    timers.advanceWatermark(10);
    expect(() => timers.advanceWatermark(9)).toThrow(/watermark cannot move back from 10 to 9/);
    expect(() => timers.setTimer(addr("x"), Instant.MAX, "eventTime")).toThrow(/nothing passes Instant.MAX/);
    expect(() => timers.setTimer(addr("x"), 1.5, "eventTime")).toThrow(RangeError);
    expect(() => timers.setTimer(addr("x"), NaN, "eventTime")).toThrow(RangeError);
    expect(timers.currentWatermark).toBe(10);
  });

  test("a timer cannot change domain", () => {
    const timers = new TimerService();
    timers.setTimer(addr("x"), 5, "eventTime");
    expect(() => timers.setTimer(addr("x"), 5, "processingTime")).toThrow(/set in eventTime, not processingTime/);
  });
});

describe("processing-time timers", () => {
  test("fire when processing time passes them, apart from event time", () => {
    const timers = new TimerService();
    timers.setTimer(addr("p"), 1000, "processingTime");
    timers.setTimer(addr("e"), 1000, "eventTime");
    expect(timers.nextProcessingTime()).toBe(1000);
    expect(timers.nextEventTime()).toBe(1000);
    expect(timers.advanceProcessingTime(1000)).toEqual([]);
    expect(timers.advanceWatermark(5000).map((t) => [t.name, t.domain])).toEqual([["e", "eventTime"]]);
    expect(timers.advanceProcessingTime(1001).map((t) => [t.name, t.domain])).toEqual([["p", "processingTime"]]);
    expect(timers.nextProcessingTime()).toBeUndefined();
    expect(() => timers.advanceProcessingTime(1000)).toThrow(/processing time cannot move back/);
    expect(timers.currentProcessingTime).toBe(1001);
  });
});

describe("timer handles", () => {
  test("set and clear the DoFn's declared timers for one key and namespace", () => {
    const timers = new TimerService();
    const ns = windowNamespace({ start: 0, end: 10 });
    const t = timers.timers("Step", { flush: eventTimer(), poke: processingTimer() }, "sk", 3, ns);
    t.flush.set(9);
    t.poke.set(100);
    t.flush.set(12);
    expect(timers.pending("eventTime")).toEqual([
      { step: "Step", keyGroup: 3, key: "sk", namespace: ns, name: "flush", domain: "eventTime", time: 12 },
    ]);
    expect(timers.pending("processingTime").map((x) => x.time)).toEqual([100]);
    t.poke.clear();
    t.poke.clear();
    expect(timers.size).toBe(1);
  });
});

describe("lazy deletion", () => {
  test("moving one timer many times keeps the heap small and the answer right", () => {
    const timers = new TimerService();
    timers.setTimer(addr("stay"), 1_000_000, "eventTime");
    for (let i = 0; i < 10_000; i++) timers.setTimer(addr("moving"), 10_000 - i, "eventTime");
    const heapSize = (timers as unknown as { heaps: Record<TimeDomain, BinaryHeap<unknown>> }).heaps.eventTime.size;
    expect(heapSize).toBeLessThanOrEqual(200);
    expect(timers.size).toBe(2);
    expect(timers.nextEventTime()).toBe(10_000 - 9_999);
    expect(names(timers.advanceWatermark(Instant.MAX))).toEqual(["moving", "stay"]);
  });

  test("fires 100,000 timers in order", () => {
    const random = seededRandom(7);
    const timers = new TimerService();
    for (let i = 0; i < 100_000; i++)
      timers.setTimer(addr(`t${i}`, `k${i % 100}`, i % 128), Math.floor(random() * 1e6), "eventTime");
    const fired = timers.advanceWatermark(Instant.MAX);
    expect(fired.length).toBe(100_000);
    expect(fired.every((t, i) => i === 0 || fired[i - 1]!.time <= t.time)).toBe(true);
  });
});

describe("against a naive model", () => {
  /** The obvious implementation: a map of pending timers, sorted on every fire. */
  class Model {
    pending = new Map<string, { name: string; time: number; domain: TimeDomain; seq: number }>();
    now: Record<TimeDomain, number> = { eventTime: Instant.MIN, processingTime: Instant.MIN };
    seq = 0;
    set(name: string, time: number, domain: TimeDomain) {
      const old = this.pending.get(name);
      if (old?.time === time) return;
      this.pending.set(name, { name, time, domain, seq: this.seq++ });
    }
    advance(domain: TimeDomain, to: number): string[] {
      this.now[domain] = to;
      const due = [...this.pending.values()].filter((t) => t.domain === domain && t.time < to);
      due.sort((a, b) => a.time - b.time || a.seq - b.seq);
      for (const t of due) this.pending.delete(t.name);
      return due.map((t) => t.name);
    }
  }

  test("random sets, deletes, advances and snapshot/restores fire exactly as the model does", () => {
    const random = seededRandom(42);
    const pick = (n: number) => Math.floor(random() * n);
    let timers = new TimerService();
    const model = new Model();
    const domainOf = (name: string): TimeDomain => (Number(name.slice(1)) % 2 ? "processingTime" : "eventTime");
    const at = (name: string) => addr(name, `s${Number(name.slice(1)) % 5}`, Number(name.slice(1)) % 4);
    for (let step = 0; step < 20_000; step++) {
      const name = `t${pick(40)}`;
      const domain = domainOf(name);
      const op = pick(100);
      if (op < 55) {
        const time = model.now[domain] === Instant.MIN ? pick(50) : model.now[domain] + pick(60) - 10;
        timers.setTimer(at(name), time, domain);
        model.set(name, time, domain);
      } else if (op < 65) {
        expect(timers.deleteTimer(at(name))).toBe(model.pending.delete(name));
      } else if (op < 97) {
        const d: TimeDomain = op % 2 ? "eventTime" : "processingTime";
        const to = Math.max(model.now[d], 0) + pick(15);
        const fired = d === "eventTime" ? timers.advanceWatermark(to) : timers.advanceProcessingTime(to);
        expect(names(fired)).toEqual(model.advance(d, to));
      } else {
        timers = TimerService.restore([timers.snapshot()], ALL);
      }
      expect(timers.size).toBe(model.pending.size);
    }
  });
});

describe("timer snapshots", () => {
  const filled = () => {
    const timers = new TimerService();
    for (let i = 0; i < 40; i++)
      timers.setTimer(addr(`t${i}`, `sk${i}`, i % 8), 100 + (i % 5), i % 3 ? "eventTime" : "processingTime");
    timers.advanceWatermark(101);
    timers.advanceProcessingTime(50);
    return timers;
  };

  test("round-trip pending timers, both clocks and the tie order", () => {
    const timers = filled();
    const restored = TimerService.restore([timers.snapshot()], ALL);
    expect(restored.snapshot()).toEqual(timers.snapshot());
    expect([restored.currentWatermark, restored.currentProcessingTime]).toEqual([101, 50]);
    for (const t of [timers, restored]) t.setTimer(addr("new", "sk0", 0), 103, "eventTime");
    expect(restored.advanceWatermark(Instant.MAX)).toEqual(timers.advanceWatermark(Instant.MAX));
    expect(restored.advanceProcessingTime(1000)).toEqual(timers.advanceProcessingTime(1000));
  });

  test("restore only owned key groups; clocks restart at the earliest snapshot's", () => {
    const timers = filled();
    const part = TimerService.restore([timers.snapshot([1, 2, 3])], { start: 2, end: 8 });
    expect(part.keyGroups()).toEqual([2, 3]);
    const inGroups = (t: TimerService) =>
      [...t.pending("eventTime"), ...t.pending("processingTime")].filter((x) => x.keyGroup === 2 || x.keyGroup === 3);
    expect(inGroups(part)).toEqual(inGroups(timers));
    expect(part.size).toBe(8);
    const later = new TimerService();
    later.advanceWatermark(500);
    later.advanceProcessingTime(20);
    const merged = TimerService.restore([timers.snapshot([0]), later.snapshot()], ALL);
    expect([merged.currentWatermark, merged.currentProcessingTime]).toEqual([101, 20]);
    expect(TimerService.restore([], ALL).currentWatermark).toBe(Instant.MIN);
  });

  test("refuse what is not a timer snapshot, a key group twice, and truncation", () => {
    const snap = filled().snapshot();
    expect(() => TimerService.restore([new Uint8Array([0x53, 1])], ALL)).toThrow(/not a timer snapshot/);
    expect(() => TimerService.restore([new Uint8Array([0x54, 2])], ALL)).toThrow(/version 2/);
    expect(() => TimerService.restore([snap, snap], ALL)).toThrow(/appears in more than one snapshot/);
    expect(() => TimerService.restore([snap.subarray(0, snap.length - 1)], ALL)).toThrow(/truncated/);
  });
});
