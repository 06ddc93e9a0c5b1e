import { describe, expect, test } from "vitest";
import { BinaryReader, BinaryWriter } from "../../../runners/core/codec.js";
import { assignWindows } from "../../../runners/core/windows/assign.js";
import { compareWindows, intersects, span } from "../../../runners/core/windows/interval.js";
import { type MergeOutcome, MergingWindowSet } from "../../../runners/core/windows/merge.js";
import { GLOBAL_WINDOW, Instant, type Window, sessions } from "../../../sdk/index.js";
import { seededRandom as random } from "../../support/random.js";

const w = (start: number, end: number): Window => ({ start, end });
/** Adds each element's session proto-window (gap 10) and returns the last outcome. */
const addAll = (set: MergingWindowSet, ...timestamps: number[]): MergeOutcome | undefined =>
  timestamps.map((t) => set.add(assignWindows(sessions(10), t)[0]!)).at(-1);

/** Merges all windows at once, sorted, as Beam's MergeOverlappingIntervalWindows does. */
function mergeAllAtOnce(windows: Window[]): Window[] {
  const merged: Window[] = [];
  for (const window of [...windows].sort(compareWindows)) {
    const last = merged.at(-1);
    if (last && intersects(last, window)) merged[merged.length - 1] = span(last, window);
    else merged.push(window);
  }
  return merged;
}

describe("interval helpers", () => {
  test("treat windows as half-open: touching windows do not intersect", () => {
    expect(intersects(w(0, 10), w(10, 20))).toBe(false);
    expect(intersects(w(0, 10), w(9, 20))).toBe(true);
    expect(intersects(w(0, 10), w(2, 3))).toBe(true);
    expect(span(w(5, 8), w(0, 3))).toEqual(w(0, 8));
  });
});

describe("session merging", () => {
  test("starts a new session for a proto-window that overlaps nothing", () => {
    const set = new MergingWindowSet();
    expect(set.add(w(0, 10))).toEqual({
      window: w(0, 10),
      stateWindow: w(0, 10),
      isNew: true,
      merged: [],
      mergedStateWindows: [],
    });
    expect(set.add(w(20, 30))).toMatchObject({ window: w(20, 30), stateWindow: w(20, 30), isNew: true, merged: [] });
    expect(set.add(w(-40, -30))).toMatchObject({ window: w(-40, -30), isNew: true });
    expect(set.windows()).toEqual([w(-40, -30), w(0, 10), w(20, 30)]);
    expect(set.size).toBe(3);
  });

  test("merges a chain of three overlapping proto-windows into one, keeping the first state window", () => {
    const set = new MergingWindowSet();
    set.add(w(0, 10));
    expect(set.add(w(5, 15))).toEqual({
      window: w(0, 15),
      stateWindow: w(0, 10),
      isNew: true,
      merged: [w(0, 10)],
      mergedStateWindows: [],
    });
    expect(set.add(w(12, 22))).toEqual({
      window: w(0, 22),
      stateWindow: w(0, 10),
      isNew: true,
      merged: [w(0, 15)],
      mergedStateWindows: [],
    });
    expect(set.windows()).toEqual([w(0, 22)]);
    expect(set.stateWindowOf(w(0, 22))).toEqual(w(0, 10));
    expect(set.stateWindowOf(w(0, 15))).toBeUndefined();
  });

  test("merges a late element's proto-window that bridges two sessions", () => {
    const set = new MergingWindowSet();
    addAll(set, 0, 5); // [0, 15), state [0, 10)
    addAll(set, 20, 25); // [20, 35), state [20, 30)
    expect(set.windows()).toEqual([w(0, 15), w(20, 35)]);
    expect(addAll(set, 14)).toEqual({
      window: w(0, 35),
      stateWindow: w(0, 10),
      isNew: true,
      merged: [w(0, 15), w(20, 35)],
      mergedStateWindows: [w(20, 30)],
    });
    expect(set.windows()).toEqual([w(0, 35)]);
  });

  test("leaves touching windows apart, as Beam's IntervalWindow.intersects does", () => {
    const set = new MergingWindowSet();
    addAll(set, 0, 10); // exactly one gap apart: [0, 10) and [10, 20) only touch
    expect(set.windows()).toEqual([w(0, 10), w(10, 20)]);
    expect(addAll(set, -10)).toMatchObject({ window: w(-10, 0), merged: [] });
    expect(set.windows()).toEqual([w(-10, 0), w(0, 10), w(10, 20)]);
    // One millisecond closer overlaps both neighbours.
    expect(addAll(set, 9)).toMatchObject({ window: w(0, 20), merged: [w(0, 10), w(10, 20)], mergedStateWindows: [w(10, 20)] });
  });

  test("keeps an active window unchanged when a proto-window falls inside it", () => {
    const set = new MergingWindowSet();
    addAll(set, 0, 8); // [0, 18)
    const inside = { window: w(0, 18), stateWindow: w(0, 10), isNew: false, merged: [], mergedStateWindows: [] };
    expect(set.add(w(3, 13))).toEqual(inside);
    expect(addAll(set, 8)).toEqual(inside); // a duplicate timestamp
    expect(set.windows()).toEqual([w(0, 18)]);
  });

  test("merges when the proto-window is exactly the span of the windows it meets", () => {
    const set = new MergingWindowSet();
    set.add(w(0, 10));
    set.add(w(20, 30));
    expect(set.add(w(0, 30))).toEqual({
      window: w(0, 30),
      stateWindow: w(0, 10),
      isNew: true,
      merged: [w(0, 10), w(20, 30)],
      mergedStateWindows: [w(20, 30)],
    });
  });

  test("grows a window on the left without moving its state", () => {
    const set = new MergingWindowSet();
    addAll(set, 10);
    expect(addAll(set, 3)).toEqual({
      window: w(3, 20),
      stateWindow: w(10, 20),
      isNew: true,
      merged: [w(10, 20)],
      mergedStateWindows: [],
    });
  });

  test("ends up with the windows of merging everything at once, in any arrival order", () => {
    const next = random(7);
    for (let round = 0; round < 20; round++) {
      const protos = Array.from({ length: 40 }, () => {
        const start = Math.floor(next() * 400) - 200;
        return w(start, start + 1 + Math.floor(next() * 12));
      });
      const set = new MergingWindowSet();
      for (const proto of protos) set.add(proto);
      expect(set.windows()).toEqual(mergeAllAtOnce(protos));
    }
  });

  test("forgets removed windows and hands back their state window", () => {
    const set = new MergingWindowSet();
    addAll(set, 0, 5, 40);
    expect(set.remove(w(0, 15))).toEqual(w(0, 10));
    expect(set.remove(w(0, 15))).toBeUndefined();
    expect(set.remove(w(40, 49))).toBeUndefined();
    expect(set.windows()).toEqual([w(40, 50)]);
    // A removed session does not absorb later elements.
    expect(addAll(set, 6)).toMatchObject({ window: w(6, 16), isNew: true, merged: [] });
  });

  test("refuses an empty proto-window", () => {
    expect(() => new MergingWindowSet().add(w(5, 5))).toThrow(/must not be empty/);
  });
});

describe("merging window set snapshots", () => {
  test("restore to a set that merges the same way from any point", () => {
    const next = random(42);
    const protos = Array.from({ length: 120 }, () => {
      const start = Math.floor(next() * 2_000) - 1_000;
      return w(start, start + 5 + Math.floor(next() * 20));
    });
    for (let cut = 0; cut <= protos.length; cut += 3) {
      const original = new MergingWindowSet();
      protos.slice(0, cut).forEach((p) => original.add(p));
      const restored = MergingWindowSet.restore(original.snapshot());
      expect(restored.windows()).toEqual(original.windows());
      for (const proto of protos.slice(cut)) expect(restored.add(proto)).toEqual(original.add(proto));
      expect(restored.snapshot()).toEqual(original.snapshot());
    }
  });

  test("round-trip empty sets, state windows and the ends of time", () => {
    expect(MergingWindowSet.restore(new MergingWindowSet().snapshot()).size).toBe(0);
    const set = new MergingWindowSet();
    set.add(w(Instant.MIN, Instant.MIN + 10));
    set.add(w(Instant.MIN + 5, Instant.MIN + 20));
    set.add(w(Instant.END_OF_GLOBAL_WINDOW - 5, GLOBAL_WINDOW.end));
    const restored = MergingWindowSet.restore(set.snapshot());
    expect(restored.windows()).toEqual([
      w(Instant.MIN, Instant.MIN + 20),
      w(Instant.END_OF_GLOBAL_WINDOW - 5, GLOBAL_WINDOW.end),
    ]);
    expect(restored.stateWindowOf(w(Instant.MIN, Instant.MIN + 20))).toEqual(w(Instant.MIN, Instant.MIN + 10));
  });

  test("embed in a larger snapshot, one set after another", () => {
    const a = new MergingWindowSet();
    addAll(a, 0, 5);
    const b = new MergingWindowSet();
    addAll(b, 100);
    const writer = new BinaryWriter();
    a.writeTo(writer);
    b.writeTo(writer);
    const reader = new BinaryReader(writer.finish());
    expect(MergingWindowSet.readFrom(reader).windows()).toEqual([w(0, 15)]);
    expect(MergingWindowSet.readFrom(reader).windows()).toEqual([w(100, 110)]);
    expect(reader.done).toBe(true);
  });

  test("refuse other formats, trailing bytes and overlapping windows", () => {
    expect(() => MergingWindowSet.restore(new Uint8Array([9, 0]))).toThrow(/format 9; this build reads 1/);
    expect(() => MergingWindowSet.restore(new Uint8Array([1, 0, 0]))).toThrow(/trailing bytes/);
    const overlapping = new BinaryWriter().u8(1).uvarint(2).varint(0).varint(10).bool(true).varint(5).varint(15).bool(true);
    expect(() => MergingWindowSet.restore(overlapping.finish())).toThrow(/corrupt: window 1 \[5, 15\) is out of order/);
  });
});
