import { describe, expect, test } from "vitest";
import {
  type CombineFn,
  GLOBAL_WINDOW,
  Instant,
  type ReadStep,
  type WindowFn,
  calendarDays,
  fixedWindows,
  globalWindows,
  kv,
  slidingWindows,
} from "../../../sdk/index.js";
import { type Bundle, type Meta, TimedBundle, metaAt, metaOf } from "../../../runners/core/exec/bundle.js";
import { type LiftedPartial, PreCombiner } from "../../../runners/core/exec/lifting.js";
import { type Output } from "../../../runners/core/exec/operators/operator.js";
import { WindowIntoOperator } from "../../../runners/core/exec/operators/simple.js";
import { timedBundle } from "../../../runners/core/exec/sources.js";

// The stream runner's columnar path: a source's chunk keeps its event times as a column
// (TimedBundle), windowInto adds a window per element without making metadata, and a lifted
// combine pre-combines across bundles (PreCombiner). Each must give what the per-element path gives.

const T0 = Date.UTC(2024, 0, 1);
const sumFn: CombineFn<number, number, number> = {
  createAccumulator: () => 0,
  addInput: (a, v) => a + v,
  mergeAccumulators: (as) => [...as].reduce((x, y) => x + y, 0),
  extractOutput: (a) => a,
};

const capture = () => {
  const bundles: Bundle[] = [];
  const output: Output = {
    emit: async (b) => void bundles.push(b),
    watermark: async () => {},
  };
  return { bundles, output };
};

const metasOfBundle = (b: Bundle): Meta[] => b.values.map((_, i) => metaOf(b, i));

/** Plain meta fields (window objects compared by value). */
const plain = (m: Meta) => ({
  timestamp: m.timestamp,
  windows: m.windows.map((w) => [w.start, w.end]),
  pane: m.pane,
  retraction: m.retraction,
});

/** Timestamps in and around a few windows, out of order, some before 1970. */
const times = [T0 + 5, T0 + 59_999, T0 + 60_000, T0 - 1, T0 + 30_000, T0 + 125_000, -61_000, -1, 0, T0 + 60_001];

describe("TimedBundle", () => {
  test("its metas are those of each element: event time, the window given or the global window, no pane", () => {
    const values = times.map((t, i) => kv(`k${i % 3}`, i));
    const global = new TimedBundle(values, times, null);
    expect(metasOfBundle(global).map(plain)).toEqual(times.map((t) => plain(metaAt(t))));
    expect(metasOfBundle(global).every((m) => m.windows[0] === GLOBAL_WINDOW)).toBe(true);
    const w = { start: 0, end: 10 };
    const windowed = new TimedBundle(
      values,
      times,
      times.map(() => w),
    );
    expect(metasOfBundle(windowed).map(plain)).toEqual(
      times.map((t) => ({ timestamp: t, windows: [[0, 10]], pane: metaAt(t).pane, retraction: false })),
    );
    // Made once: the same array on every read.
    expect(windowed.metas).toBe(windowed.metas);
  });
});

describe("timedBundle (a source's chunk)", () => {
  const step = { name: "Read", kind: "read" } as unknown as ReadStep;

  test("source timestamps, or an extractor's, become a checked column", () => {
    const values = times.map((t) => ({ t }));
    const fromSource = timedBundle(step, values, undefined, times);
    expect(fromSource).toBeInstanceOf(TimedBundle);
    expect(Array.from((fromSource as TimedBundle).timestamps)).toEqual(times);
    const extracted = timedBundle(step, values, (v) => (v as { t: number }).t + 1, undefined);
    expect(Array.from((extracted as TimedBundle).timestamps)).toEqual(times.map((t) => t + 1));
    // Neither: shared metadata at MIN in the global window.
    expect(timedBundle(step, values, undefined, undefined).metas).toEqual(metaAt(Instant.MIN));
  });

  test("a timestamp that is not a whole-ms instant, or an extractor that throws, fails naming the step", () => {
    expect(() => timedBundle(step, [1, 2], undefined, [T0, 1.5])).toThrow(/Read.*event time 1\.5 is not a whole-millisecond/s);
    expect(() => timedBundle(step, [1], undefined, [Instant.MAX])).toThrow(/Read/);
    expect(() =>
      timedBundle(
        step,
        [1],
        () => {
          throw new Error("no time here");
        },
        undefined,
      ),
    ).toThrow(/Read.*no time here/s);
  });
});

describe("windowInto on a columnar bundle", () => {
  const fns: [string, WindowFn][] = [
    ["fixed 1 min", fixedWindows(60_000)],
    ["fixed 1 min, offset 7 s", fixedWindows(60_000, 7_000)],
    ["calendar day, Europe/Berlin", calendarDays(1, "Europe/Berlin")],
    ["global", globalWindows()],
    ["sliding 1 min every 20 s (not columnar: several windows each)", slidingWindows(60_000, 20_000)],
  ];
  test.each(fns)("%s: the same metas as element by element", async (_name, fn) => {
    const values = times.map((_, i) => kv("k", i));
    const columnar = capture();
    await new WindowIntoOperator("Window", fn, columnar.output).process(0, new TimedBundle(values, times, null));
    const perElement = capture();
    await new WindowIntoOperator("Window", fn, perElement.output).process(0, {
      values,
      metas: times.map((t) => metaAt(t)),
    });
    expect(columnar.bundles).toHaveLength(1);
    expect(metasOfBundle(columnar.bundles[0]!).map(plain)).toEqual(metasOfBundle(perElement.bundles[0]!).map(plain));
    if (fn.kind === "fixed" || fn.kind === "calendarDays") {
      const out = columnar.bundles[0] as TimedBundle;
      expect(out).toBeInstanceOf(TimedBundle);
      // One shared window object per window.
      expect(new Set(out.windows).size).toBe(new Set(out.windows!.map((w) => w.start)).size);
    }
  });
});

describe("PreCombiner (a lifted combine's sending side)", () => {
  const window = fixedWindows(60_000);

  async function windowed(values: unknown[], ts: number[]): Promise<TimedBundle> {
    const c = capture();
    await new WindowIntoOperator("Window", window, c.output).process(0, new TimedBundle(values, ts, null));
    return c.bundles[0] as TimedBundle;
  }

  const partials = (b: Bundle) =>
    b.values
      .map((v, i) => {
        const m = metaOf(b, i);
        const { key, value } = v as { key: unknown; value: LiftedPartial };
        return `${m.windows[0]!.start}/${m.timestamp}/${String(key)}=${String(value.acc)}`;
      })
      .sort();

  test("across bundles: one partial per key and window, at the window's end, equal to the per-element path", async () => {
    const pc = new PreCombiner("Sum", sumFn as CombineFn<unknown, unknown, unknown>);
    const plainPc = new PreCombiner("Sum", sumFn as CombineFn<unknown, unknown, unknown>);
    const expected = new Map<string, number>();
    for (let b = 0; b < 5; b++) {
      const ts = times.map((t) => t + b * 1000);
      const values = ts.map((_, i) => kv(i % 2 === 0 ? `k${i % 4}` : i % 4, i + b));
      const columnar = await windowed(values, ts);
      pc.add(columnar);
      plainPc.add({ values, metas: [...columnar.metas] });
      ts.forEach((t, i) => {
        const start = t - (((t % 60_000) + 60_000) % 60_000);
        const id = `${start}/${start + 59_999}/${String(values[i]!.key)}`;
        expected.set(id, (expected.get(id) ?? 0) + values[i]!.value);
      });
    }
    expect(pc.groups).toBe(expected.size);
    const taken = pc.take();
    // Each partial says how many elements it holds (the grouping counts dropped elements by it).
    const held = taken.values.reduce<number>((n, v) => n + (v as { value: LiftedPartial }).value.n, 0);
    expect(held).toBe(5 * times.length);
    const got = partials(taken);
    expect(got).toEqual([...expected].map(([id, v]) => `${id}=${v}`).sort());
    expect(partials(plainPc.take())).toEqual(got);
    expect(pc.groups).toBe(0);
    expect(pc.take().values).toHaveLength(0);
  });

  test("take(upTo) gives only windows whose last timestamp is at or before upTo, and keeps the rest", async () => {
    const pc = new PreCombiner("Sum", sumFn as CombineFn<unknown, unknown, unknown>);
    pc.add(await windowed([kv("a", 1), kv("a", 2), kv("b", 5)], [T0 + 1, T0 + 60_001, T0 + 120_001]));
    // The first window's last timestamp is T0 + 59,999.
    expect(pc.take(T0 + 59_998).values).toHaveLength(0);
    expect(partials(pc.take(T0 + 59_999))).toEqual([`${T0}/${T0 + 59_999}/a=1`]);
    expect(pc.groups).toBe(2);
    pc.add(await windowed([kv("a", 10)], [T0 + 60_002]));
    expect(partials(pc.take(T0 + 119_999))).toEqual([`${T0 + 60_000}/${T0 + 119_999}/a=12`]);
    expect(partials(pc.take())).toEqual([`${T0 + 120_000}/${T0 + 179_999}/b=5`]);
  });

  test("keys that are neither strings nor numbers group by their encoding; a non-KV element fails naming the step", async () => {
    const pc = new PreCombiner("Sum", sumFn as CombineFn<unknown, unknown, unknown>);
    pc.add(await windowed([kv(["x", 1], 1), kv(["x", 1], 2), kv(["x", 2], 3), kv("1", 4), kv(1, 5)], [T0, T0, T0, T0, T0]));
    expect(pc.groups).toBe(4);
    const out = pc.take();
    expect(out.values.map((v) => (v as { value: LiftedPartial }).value.acc).sort()).toEqual([3, 3, 4, 5]);
    expect(out.values.map((v) => (v as { value: LiftedPartial }).value.n).sort()).toEqual([1, 1, 1, 2]);
    expect(() => pc.add(new TimedBundle([42], [T0], [{ start: T0, end: T0 + 60_000 }]))).toThrow(/Sum.*needs KV elements/s);
  });
});
