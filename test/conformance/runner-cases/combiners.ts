import { memory } from "../../../io/index.js";
import { type KV, type PCollection, type Root, countDistinctFn, kv } from "../../../sdk/index.js";
import { combine, count, max, mean, min, sum, top } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";

// The built-in combiners per key (runners may run them natively, as SQL), and globally.

/** a: 3 1 4 1 5, b: 9 2 6, c: 5, interleaved. */
const VALUES = [kv("a", 3), kv("b", 9), kv("a", 1), kv("c", 5), kv("a", 4), kv("b", 2), kv("a", 1), kv("b", 6), kv("a", 5)];

const values = (p: Root): PCollection<KV<string, number>> => p.read("Values", memory.create(VALUES));

const pipeline = topicPipeline("combiners", {
  count: (p) => values(p).apply(count.perKey("Count")).write("Collect", memory.collect("combiners/count")),
  sum: (p) => values(p).apply(sum.perKey("Sum")).write("Collect", memory.collect("combiners/sum")),
  mean: (p) => values(p).apply(mean.perKey("Mean")).write("Collect", memory.collect("combiners/mean")),
  min: (p) => values(p).apply(min.perKey("Min")).write("Collect", memory.collect("combiners/min")),
  max: (p) => values(p).apply(max.perKey("Max")).write("Collect", memory.collect("combiners/max")),
  "count-distinct": (p) =>
    values(p)
      .apply(combine.perKey(countDistinctFn<number>(), "CountDistinct"))
      .write("Collect", memory.collect("combiners/count-distinct")),
  top: (p) => {
    const all = values(p);
    all.apply(top.largestPerKey(2, "Largest")).write("CollectLargest", memory.collect("combiners/top:largest"));
    all.apply(top.smallestPerKey(2, "Smallest")).write("CollectSmallest", memory.collect("combiners/top:smallest"));
  },
  globally: (p) => {
    const numbers = p.read("Numbers", memory.create(VALUES.map((v) => v.value)));
    numbers.apply(sum.globally("Sum")).write("CollectSum", memory.collect("combiners/globally:sum"));
    numbers.apply(count.globally("Count")).write("CollectCount", memory.collect("combiners/globally:count"));
    const none = p.read("None", memory.create<number>([]));
    none.apply(sum.globally("SumOfNone")).write("CollectSumOfNone", memory.collect("combiners/globally:sum-of-none"));
    none.apply(count.globally("CountOfNone")).write("CollectCountOfNone", memory.collect("combiners/globally:count-of-none"));
  },
});

export default pipeline;

const perKey = (name: string, about: string, outputs: Readonly<Record<string, readonly unknown[]>>): RunnerCase => ({
  name: `combiners/${name}`,
  about,
  pipeline,
  module: import.meta.url,
  args: { case: name },
  outputs,
});

export const cases: RunnerCase[] = [
  perKey("count", "count.perKey: a 5, b 3, c 1 (Beam's Count.perKey).", {
    "combiners/count": [kv("a", 5), kv("b", 3), kv("c", 1)],
  }),
  perKey("sum", "sum.perKey: a 14, b 17, c 5 (Beam's Sum.integersPerKey).", {
    "combiners/sum": [kv("a", 14), kv("b", 17), kv("c", 5)],
  }),
  perKey("mean", "mean.perKey: a 14/5, b 17/3, c 5 (Beam's Mean.perKey).", {
    "combiners/mean": [kv("a", 14 / 5), kv("b", 17 / 3), kv("c", 5)],
  }),
  perKey("min", "min.perKey: a 1, b 2, c 5 (Beam's Min.integersPerKey).", {
    "combiners/min": [kv("a", 1), kv("b", 2), kv("c", 5)],
  }),
  perKey("max", "max.perKey: a 5, b 9, c 5 (Beam's Max.integersPerKey).", {
    "combiners/max": [kv("a", 5), kv("b", 9), kv("c", 5)],
  }),
  perKey(
    "count-distinct",
    "The built-in countDistinct combiner per key (through combine.perKey): a has 3 1 4 5, b 9 2 6, c 5 " +
      "(Beam's Distinct then Count.perKey).",
    { "combiners/count-distinct": [kv("a", 4), kv("b", 3), kv("c", 1)] },
  ),
  perKey(
    "top",
    "top.largestPerKey(2) and top.smallestPerKey(2), best first, duplicates kept: a [5, 4] and [1, 1] " +
      "(Beam's Top.largestPerKey / smallestPerKey).",
    {
      "combiners/top:largest": [kv("a", [5, 4]), kv("b", [9, 6]), kv("c", [5])],
      "combiners/top:smallest": [kv("a", [1, 1]), kv("b", [2, 6]), kv("c", [5])],
    },
  ),
  perKey(
    "globally",
    "sum.globally and count.globally over the nine values (36 and 9), and over an empty collection, where each " +
      "still emits its default once: 0 (Beam's Combine.globally with defaults in the global window).",
    {
      "combiners/globally:sum": [36],
      "combiners/globally:count": [9],
      "combiners/globally:sum-of-none": [0],
      "combiners/globally:count-of-none": [0],
    },
  ),
];
