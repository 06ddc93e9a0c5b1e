import { describe, expect, test } from "vitest";
import { z } from "zod";
import { testStream } from "../../io/index.js";
import { planLocal, runLocal } from "../../runners/local/index.js";
import { GraphIndex, countPerElementFusion } from "../../runners/local/plan.js";
import {
  type CombineFn,
  GLOBAL_WINDOW,
  Instant,
  type KV,
  type PCollection,
  Pipeline,
  type Source,
  type WindowFn,
  type WindowIntoOptions,
  afterWatermark,
  calendarDays,
  canonicalJson,
  countDistinctFn,
  fixedWindows,
  globalWindows,
  groupByKey,
  hours,
  kv,
  minutes,
  parDo,
  slidingWindows,
  windowInto,
} from "../../sdk/index.js";
import { combine, count, map, max, mean, min, sum } from "../../transforms/index.js";
import { seededRandom } from "../support/random.js";
import { collector, valuesOf } from "./support.js";

// The same pipeline over the same input, once from a bounded source (the planner picks the
// DuckDB or batch engine for its grouping step) and once from a TestStream that ends with
// advanceWatermarkToInfinity (unbounded, so the shared core's window operator, "js"): every
// output, with its window, timestamp and pane, must be the same.

type Key = string | number;

interface Input {
  readonly values: KV<Key, number>[];
  readonly timestamps: Instant[];
}

/** 29 Mar 2024 00:00 UTC: three days from here cross Europe's switch to summer time (31 Mar). */
const T0 = Date.UTC(2024, 2, 29);

/** Seeded elements: string and number keys, small whole values (sums are exact in any order), times over three days. */
function randomInput(seed: number, n: number): Input {
  const rnd = seededRandom(seed);
  const values: KV<Key, number>[] = [];
  const timestamps: Instant[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * 9);
    values.push(kv(k < 6 ? `k${k}` : k, Math.floor(rnd() * 41) - 20));
    timestamps.push(T0 + Math.floor(rnd() * 3 * 86_400_000));
  }
  return { values, timestamps };
}

const boundedOf = (input: Input): Source<KV<Key, number>> => valuesOf(input.values, { timestamps: input.timestamps, chunk: 97 });

/** The same elements as a TestStream in bundles of 50, the watermark at MIN until it jumps to the end. */
function streamOf(input: Input): Source<KV<Key, number>> {
  let b = testStream<KV<Key, number>>();
  for (let i = 0; i < input.values.length; i += 50)
    b = b.addElements(...input.values.slice(i, i + 50).map((v, j) => [v, input.timestamps[i + j]!] as const));
  return b.advanceWatermarkToInfinity();
}

interface Windowing {
  readonly name: string;
  readonly fn: WindowFn;
  readonly options: WindowIntoOptions;
}

const WINDOWINGS: readonly Windowing[] = [
  // An unbounded collection in the global window needs a trigger other than the default (as in Beam).
  { name: "global, afterWatermark()", fn: globalWindows(), options: { trigger: afterWatermark() } },
  { name: "fixed 1h", fn: fixedWindows(hours(1)), options: {} },
  { name: "fixed 1h offset 15m", fn: fixedWindows(hours(1), minutes(15)), options: {} },
  { name: "sliding 2h every 30m", fn: slidingWindows(hours(2), minutes(30)), options: {} },
  { name: "calendar days UTC", fn: calendarDays(1), options: {} },
  {
    name: "calendar days Europe/Berlin, accumulating",
    fn: calendarDays(1, "Europe/Berlin"),
    options: { accumulation: "accumulating" },
  },
  { name: "fixed, allowed lateness 10m", fn: fixedWindows(hours(1)), options: { allowedLateness: minutes(10) } },
  {
    name: "fixed, allowed lateness 10m, accumulating",
    fn: fixedWindows(hours(1)),
    options: { allowedLateness: minutes(10), accumulation: "accumulating" },
  },
  {
    name: "global, afterWatermark(), lateness 1h, accumulating, latest",
    fn: globalWindows(),
    options: { trigger: afterWatermark(), allowedLateness: hours(1), accumulation: "accumulating", timestampCombiner: "latest" },
  },
  { name: "fixed, timestamp earliest", fn: fixedWindows(hours(1)), options: { timestampCombiner: "earliest" } },
  { name: "sliding, timestamp latest", fn: slidingWindows(hours(2), minutes(30)), options: { timestampCombiner: "latest" } },
  { name: "fixed, afterWatermark()", fn: fixedWindows(hours(1)), options: { trigger: afterWatermark() } },
  {
    name: "calendar days, afterWatermark(), lateness 1h, earliest",
    fn: calendarDays(1),
    options: { trigger: afterWatermark(), allowedLateness: hours(1), timestampCombiner: "earliest" },
  },
];

/** A user CombineFn (the planner cannot run it in DuckDB): count, sum of squares and the largest value. */
const statsFn: CombineFn<number, { n: number; sq: number; top: number | null }, { n: number; sq: number; top: number | null }> = {
  createAccumulator: () => ({ n: 0, sq: 0, top: null }),
  addInput: (a, x) => ({ n: a.n + 1, sq: a.sq + x * x, top: a.top === null || x > a.top ? x : a.top }),
  mergeAccumulators: (accs) => {
    const out = { n: 0, sq: 0, top: null as number | null };
    for (const a of accs) {
      out.n += a.n;
      out.sq += a.sq;
      if (a.top !== null && (out.top === null || a.top > out.top)) out.top = a.top;
    }
    return out;
  },
  extractOutput: (a) => a,
};

interface Aggregation {
  readonly name: string;
  /** The grouping step, the first of its stage. */
  readonly step: string;
  /** Whether the combiner is one DuckDB computes (it then runs there when timestamps are end-of-window). */
  readonly builtin: boolean;
  readonly globally?: true;
  readonly apply: (input: PCollection<KV<Key, number>>) => PCollection<unknown>;
}

const AGGREGATIONS: readonly Aggregation[] = [
  { name: "sum per key", step: "Agg", builtin: true, apply: (pc) => pc.apply(sum.perKey("Agg")) },
  { name: "count per key", step: "Agg", builtin: true, apply: (pc) => pc.apply(count.perKey("Agg")) },
  { name: "min per key", step: "Agg", builtin: true, apply: (pc) => pc.apply(min.perKey("Agg")) },
  { name: "max per key", step: "Agg", builtin: true, apply: (pc) => pc.apply(max.perKey("Agg")) },
  { name: "mean per key", step: "Agg", builtin: true, apply: (pc) => pc.apply(mean.perKey("Agg")) },
  {
    name: "countDistinct per key",
    step: "Agg",
    builtin: true,
    apply: (pc) => pc.apply(combine.perKey(countDistinctFn<number>(), "Agg")),
  },
  {
    name: "groupByKey (lists sorted)",
    step: "Agg",
    builtin: false,
    apply: (pc) =>
      pc.pipe(
        groupByKey("Agg"),
        map(
          ({ key, value }: KV<Key, number[]>) =>
            kv(
              key,
              [...value].sort((a, b) => a - b),
            ),
          "Sort",
        ),
      ),
  },
  { name: "a user CombineFn per key", step: "Agg", builtin: false, apply: (pc) => pc.apply(combine.perKey(statsFn, "Agg")) },
  {
    name: "count.perElement (fused)",
    step: "Agg/Count",
    builtin: true,
    apply: (pc) =>
      pc.pipe(
        map(({ key }: KV<Key, number>) => key, "Keys"),
        count.perElement("Agg"),
      ),
  },
  {
    name: "sum globally",
    step: "Agg",
    builtin: true,
    globally: true,
    apply: (pc) =>
      pc.pipe(
        map(({ value }: KV<Key, number>) => value, "Values"),
        sum.globally("Agg"),
      ),
  },
  {
    name: "a user CombineFn globally",
    step: "Agg",
    builtin: false,
    globally: true,
    apply: (pc) =>
      pc.pipe(
        map(({ value }: KV<Key, number>) => value, "Values"),
        combine.globally(statsFn, "Agg"),
      ),
  },
];

/** What a DoFn sees of each result: its value, window, timestamp and pane. */
interface Seen {
  readonly value: unknown;
  readonly window: readonly [Instant, Instant];
  readonly timestamp: Instant;
  readonly pane: { index: number; nonSpeculativeIndex: number; timing: string; isFirst: boolean; isLast: boolean };
}

const record = parDo<unknown, Seen>(
  {
    process: (value, ctx) =>
      ctx.output({ value, window: [ctx.window.start, ctx.window.end], timestamp: ctx.timestamp, pane: { ...ctx.pane } }),
  },
  { name: "Record" },
);

function build(source: Source<KV<Key, number>>, w: Windowing, agg: Aggregation) {
  const out = collector<Seen>();
  const built = Pipeline.define("engines", z.object({}), (p) =>
    agg
      .apply(p.read("Read", source).pipe(windowInto(w.fn, { ...w.options, name: "Window" })))
      .pipe(record)
      .write("Out", out.sink),
  ).build({});
  return { built, out };
}

/** Results as sorted canonical JSON, so the two runs compare as multisets. */
const sorted = (seen: readonly Seen[]): string[] => seen.map((s) => canonicalJson(s)).sort();

const engineOf = (stages: ReturnType<typeof planLocal>, step: string) => stages.find((s) => s.steps[0] === step)?.engine;

describe.each(WINDOWINGS.map((w) => [w.name, w] as const))("engines agree: %s", (_name, w) => {
  const input = randomInput(w.name.length * 7919 + 1, 700);

  test.each(AGGREGATIONS.map((a) => [a.name, a] as const))("%s", async (_agg, agg) => {
    const bounded = build(boundedOf(input), w, agg);
    const stream = build(streamOf(input), w, agg);

    const endOfWindow = (w.options.timestampCombiner ?? "endOfWindow") === "endOfWindow";
    const expectedEngine = agg.globally ? "js" : agg.builtin && endOfWindow ? "duckdb" : "batch";
    expect(engineOf(planLocal(bounded.built.graph), agg.step)).toBe(expectedEngine);
    expect(engineOf(planLocal(stream.built.graph), agg.step)).toBe("js");
    if (agg.name.startsWith("count.perElement")) {
      expect(countPerElementFusion(new GraphIndex(bounded.built.graph)).passThrough).toEqual(new Set(["Agg/Pair"]));
      expect(countPerElementFusion(new GraphIndex(stream.built.graph)).passThrough).toEqual(new Set());
    }

    const bSummary = await runLocal(bounded.built, { parallelism: 1 });
    await runLocal(stream.built, { parallelism: 1 });
    expect(bounded.out.values.length).toBeGreaterThan(0);
    expect(sorted(bounded.out.values)).toEqual(sorted(stream.out.values));
    expect(bSummary.droppedLate).toBe(0);

    // Every result is the one on-time pane of its window.
    for (const s of bounded.out.values) expect(s.pane).toMatchObject({ index: 0, timing: "ON_TIME", isFirst: true });
  });
});

describe("engines agree on the numbers themselves", () => {
  test("a sum per key per hour equals a sum computed here", async () => {
    const input = randomInput(42, 2000);
    const { built, out } = build(boundedOf(input), WINDOWINGS[1]!, AGGREGATIONS[0]!);
    await runLocal(built, { parallelism: 1 });
    const expected = new Map<string, number>();
    input.values.forEach(({ key, value }, i) => {
      const start = Math.floor(input.timestamps[i]! / hours(1)) * hours(1);
      const id = canonicalJson([key, start]);
      expected.set(id, (expected.get(id) ?? 0) + value);
    });
    const got = new Map(
      out.values.map((s) => {
        const { key, value } = s.value as KV<Key, number>;
        expect(s.window[1] - s.window[0]).toBe(hours(1));
        expect(s.timestamp).toBe(s.window[1] - 1);
        return [canonicalJson([key, s.window[0]]), value] as const;
      }),
    );
    expect(got).toEqual(expected);
  });

  test("allowed lateness keeps the default trigger's on-time pane open (isLast false); afterWatermark() closes it", async () => {
    const input = randomInput(3, 100);
    const lateness = build(boundedOf(input), WINDOWINGS[6]!, AGGREGATIONS[0]!);
    const closing = build(boundedOf(input), WINDOWINGS[11]!, AGGREGATIONS[0]!);
    await runLocal(lateness.built, { parallelism: 1 });
    await runLocal(closing.built, { parallelism: 1 });
    expect(new Set(lateness.out.values.map((s) => s.pane.isLast))).toEqual(new Set([false]));
    expect(new Set(closing.out.values.map((s) => s.pane.isLast))).toEqual(new Set([true]));
  });
});

describe("combineGlobally of an empty input", () => {
  const empty: Input = { values: [], timestamps: [] };
  const emptyStream = (): Source<KV<Key, number>> => testStream<KV<Key, number>>().advanceWatermarkToInfinity();
  const sumGlobally = AGGREGATIONS.find((a) => a.name === "sum globally")!;

  test("in the global window gives the combiner's empty result once, in both engines", async () => {
    const bounded = build(boundedOf(empty), WINDOWINGS[0]!, sumGlobally);
    const stream = build(emptyStream(), WINDOWINGS[0]!, sumGlobally);
    await runLocal(bounded.built, { parallelism: 1 });
    await runLocal(stream.built, { parallelism: 1 });
    const expected: Seen = {
      value: 0,
      window: [GLOBAL_WINDOW.start, GLOBAL_WINDOW.end],
      timestamp: Instant.END_OF_GLOBAL_WINDOW,
      pane: { index: 0, nonSpeculativeIndex: 0, timing: "ON_TIME", isFirst: true, isLast: true },
    };
    expect(bounded.out.values).toEqual([expected]);
    expect(stream.out.values).toEqual([expected]);
  });

  test("in fixed windows gives nothing (no window has an element), and so does a combine per key", async () => {
    for (const agg of [sumGlobally, AGGREGATIONS[0]!]) {
      const bounded = build(boundedOf(empty), WINDOWINGS[1]!, agg);
      const stream = build(emptyStream(), WINDOWINGS[1]!, agg);
      await runLocal(bounded.built, { parallelism: 1 });
      await runLocal(stream.built, { parallelism: 1 });
      expect(bounded.out.values).toEqual([]);
      expect(stream.out.values).toEqual([]);
      expect(bounded.out.committed() && stream.out.committed()).toBe(true);
    }
  });
});

/** Canonical JSON that keeps bigints (as `{"$bigint": "…"}`) and Dates (as `{"$date": ms}`) apart from other values. */
const typedJson = (v: unknown): string =>
  canonicalJson(
    JSON.parse(
      JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
        const raw = this[k];
        if (typeof raw === "bigint") return { $bigint: raw.toString() };
        if (raw instanceof Date) return { $date: raw.getTime() };
        return x;
      }),
    ),
  );

describe("engines agree on keys and values of every kind", () => {
  const KEYS: unknown[] = ["k", "", "1", 1, 0, 2.5, -3, true, false, null, 7n, { a: 1, b: [2, "x"] }, [1, "x"], new Date(5)];

  /** Each key with each value, in seeded order, several times over. */
  function pairs<V>(values: readonly V[], seed: number): { values: KV<unknown, V>[]; timestamps: Instant[] } {
    const rnd = seededRandom(seed);
    const out: KV<unknown, V>[] = [];
    for (let round = 0; round < 3; round++) for (const key of KEYS) for (const v of values) out.push(kv(key, v));
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return { values: out, timestamps: out.map((_, i) => T0 + i * 1000) };
  }

  async function bothEngines<V>(
    input: { values: KV<unknown, V>[]; timestamps: Instant[] },
    apply: (pc: PCollection<KV<unknown, V>>) => PCollection<unknown>,
  ): Promise<{ bounded: string[]; stream: string[]; engine: string | null | undefined }> {
    const run = async (source: Source<KV<unknown, V>>) => {
      const out = collector<Seen>();
      const built = Pipeline.define("kinds", z.object({}), (p) =>
        apply(p.read("Read", source).pipe(windowInto(fixedWindows(hours(1)), { trigger: afterWatermark(), name: "Window" })))
          .pipe(record)
          .write("Out", out.sink),
      ).build({});
      await runLocal(built, { parallelism: 1 });
      return { seen: out.values.map(typedJson).sort(), engine: engineOf(planLocal(built.graph), "Agg") };
    };
    let ts = testStream<KV<unknown, V>>();
    for (let i = 0; i < input.values.length; i += 40)
      ts = ts.addElements(...input.values.slice(i, i + 40).map((v, j) => [v, input.timestamps[i + j]!] as const));
    const bounded = await run(valuesOf(input.values, { timestamps: input.timestamps, chunk: 33 }));
    const stream = await run(ts.advanceWatermarkToInfinity());
    expect(stream.engine).toBe("js");
    return { bounded: bounded.seen, stream: stream.seen, engine: bounded.engine };
  }

  test("sum, count and countDistinct per key, keys of every kind (string, number, boolean, null, bigint, object, array, Date)", async () => {
    for (const [name, apply] of [
      ["sum", (pc: PCollection<KV<unknown, number>>) => pc.apply(sum.perKey("Agg"))],
      ["count", (pc: PCollection<KV<unknown, number>>) => pc.apply(count.perKey("Agg"))],
      ["countDistinct", (pc: PCollection<KV<unknown, number>>) => pc.apply(combine.perKey(countDistinctFn<number>(), "Agg"))],
    ] as const) {
      const r = await bothEngines(pairs([1, 2, 3, 3], 5), apply);
      expect(r.engine, name).toBe("duckdb");
      expect(r.bounded, name).toEqual(r.stream);
    }
  });

  test("countDistinct of mixed values: 1, '1', 1n and true are four values; NaN and -0 count as in JS", async () => {
    const values = [1, "1", 1n, true, false, "", NaN, 0, -0, 2.5, "x", 1, "1", 1n, true] as (
      number | string | bigint | boolean
    )[];
    const r = await bothEngines(pairs(values, 9), (pc) => pc.apply(combine.perKey(countDistinctFn(), "Agg")));
    expect(r.engine).toBe("duckdb");
    expect(r.bounded).toEqual(r.stream);
  });

  test.each(["min", "max"] as const)(
    "%s per key of strings (including astral and private-use characters) and of bigints",
    async (agg) => {
      const strings = ["b", "a", "", "é", "\u{1F600}", "\uE000", "zz", "Z"];
      const bigints = [5n, -3n, 2n ** 70n, 0n];
      const apply = <V extends string | bigint>(pc: PCollection<KV<unknown, V>>) =>
        pc.apply((agg === "min" ? min : max).perKey("Agg") as never) as PCollection<unknown>;
      const s = await bothEngines(pairs(strings, 13), apply);
      expect(s.engine).toBe("duckdb");
      expect(s.bounded).toEqual(s.stream);
      const b = await bothEngines(pairs(bigints, 17), apply);
      expect(b.bounded).toEqual(b.stream);
    },
  );
});
