import { memory } from "../../../io/index.js";
import { type CombineFn, type KV, fixedWindows, kv, windowInto } from "../../../sdk/index.js";
import { combine } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";
import { describe } from "./support.js";

// A user CombineFn (not built in), so runners run it as JS with partial combining: addInput
// on partial accumulators before the shuffle, mergeAccumulators after.

interface Stats {
  readonly n: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
}

interface StatsAccumulator extends Stats {
  /**
   * How many mergeAccumulators calls went into this accumulator. It depends on how the runner
   * splits and merges, so it stays out of the output: the output must be right regardless.
   */
  readonly merges: number;
}

const lower = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const higher = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Count, sum, min and max, with immutable accumulators (a runner may keep one across panes). */
const statsFn = (): CombineFn<number, StatsAccumulator, Stats> => ({
  createAccumulator: () => ({ n: 0, sum: 0, min: null, max: null, merges: 0 }),
  addInput: (a, x) => ({ n: a.n + 1, sum: a.sum + x, min: lower(a.min, x), max: higher(a.max, x), merges: a.merges }),
  mergeAccumulators: (accumulators) => {
    let out: StatsAccumulator = { n: 0, sum: 0, min: null, max: null, merges: 1 };
    for (const a of accumulators)
      out = {
        n: out.n + a.n,
        sum: out.sum + a.sum,
        min: lower(out.min, a.min),
        max: higher(out.max, a.max),
        merges: out.merges + a.merges,
      };
    return out;
  },
  extractOutput: ({ n, sum, min, max }) => ({ n, sum, min, max }),
});

/** 0..29, keyed a, b, c in turn, at event time i. */
const VALUES = Array.from({ length: 30 }, (_, i) => kv(["a", "b", "c"][i % 3] as string, i));
const TIMESTAMPS = VALUES.map((v) => v.value);

const pipeline = topicPipeline("combine-fn", {
  "per-key": (p) => {
    p.read("Values", memory.create(VALUES))
      .apply(combine.perKey(statsFn(), "Stats"))
      .write("Collect", memory.collect("combine-fn/per-key"));
  },
  globally: (p) => {
    p.read("Values", memory.create(VALUES.map((v) => v.value)))
      .apply(combine.globally(statsFn(), "Stats"))
      .write("Collect", memory.collect("combine-fn/globally"));
  },
  "globally-empty": (p) => {
    p.read("Values", memory.create<number>([]))
      .apply(combine.globally(statsFn(), "Stats"))
      .write("Collect", memory.collect("combine-fn/globally-empty"));
  },
  "per-key-fixed-windows": (p) => {
    p.read("Values", memory.create(VALUES, { timestamps: TIMESTAMPS }))
      .apply(windowInto(fixedWindows(10), { name: "Window" }))
      .apply(combine.perKey(statsFn(), "Stats"))
      .apply(describe<KV<string, Stats>>())
      .write("Collect", memory.collect("combine-fn/per-key-fixed-windows"));
  },
});

export default pipeline;

const stats = (n: number, sum: number, min: number, max: number): Stats => ({ n, sum, min, max });
/** A per-window result: stamped with the window's max timestamp (endOfWindow). */
const inWindow = (key: string, s: Stats, start: number) => ({
  value: kv(key, s),
  timestamp: start + 9,
  window: { start, end: start + 10 },
});

export const cases: RunnerCase[] = [
  {
    name: "combine-fn/per-key",
    about:
      "A user CombineFn per key over 30 values: a = 0,3,..,27, b = 1,4,..,28, c = 2,5,..,29; the result does not " +
      "depend on how the runner splits inputs into partial accumulators and merges them (Beam's Combine.perKey " +
      "with combiner lifting).",
    pipeline,
    module: import.meta.url,
    args: { case: "per-key" },
    outputs: {
      "combine-fn/per-key": [kv("a", stats(10, 135, 0, 27)), kv("b", stats(10, 145, 1, 28)), kv("c", stats(10, 155, 2, 29))],
    },
  },
  {
    name: "combine-fn/globally",
    about: "The same CombineFn over the whole collection: one result, 0..29 (Beam's Combine.globally).",
    pipeline,
    module: import.meta.url,
    args: { case: "globally" },
    outputs: { "combine-fn/globally": [stats(30, 435, 0, 29)] },
  },
  {
    name: "combine-fn/globally-empty",
    about:
      "Combining an empty collection globally gives the output of an empty accumulator, once (Beam's " +
      "Combine.globally with defaults in the global window).",
    pipeline,
    module: import.meta.url,
    args: { case: "globally-empty" },
    outputs: { "combine-fn/globally-empty": [{ n: 0, sum: 0, min: null, max: null }] },
  },
  {
    name: "combine-fn/per-key-fixed-windows",
    about:
      "The CombineFn per key and fixed 10 ms window (value i at event time i): partial accumulators of different " +
      "windows never merge; each result is stamped with its window's max timestamp (Beam's Combine.perKey after " +
      "Window.into, TimestampCombiner.END_OF_WINDOW).",
    pipeline,
    module: import.meta.url,
    args: { case: "per-key-fixed-windows" },
    outputs: {
      "combine-fn/per-key-fixed-windows": [
        inWindow("a", stats(4, 18, 0, 9), 0), // 0 3 6 9
        inWindow("b", stats(3, 12, 1, 7), 0), // 1 4 7
        inWindow("c", stats(3, 15, 2, 8), 0), // 2 5 8
        inWindow("a", stats(3, 45, 12, 18), 10), // 12 15 18
        inWindow("b", stats(4, 58, 10, 19), 10), // 10 13 16 19
        inWindow("c", stats(3, 42, 11, 17), 10), // 11 14 17
        inWindow("a", stats(3, 72, 21, 27), 20), // 21 24 27
        inWindow("b", stats(3, 75, 22, 28), 20), // 22 25 28
        inWindow("c", stats(4, 98, 20, 29), 20), // 20 23 26 29
      ],
    },
  },
];
