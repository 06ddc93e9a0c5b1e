import { memory } from "../../../io/index.js";
import { GLOBAL_WINDOW, type KV, kv } from "../../../sdk/index.js";
import { flatten, sum } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline, windowOf } from "../runner-case.js";
import { describe } from "./support.js";

// Flatten of three collections, one of them empty: into a sink directly, and into a shuffle.

const pipeline = topicPipeline("flatten", {
  "three-with-one-empty": (p) => {
    const a = p.read("A", memory.create([1, 2, 3], { timestamps: [10, 20, 30] }));
    const b = p.read("B", memory.create<number>([]));
    const c = p.read("C", memory.create([3, 4], { timestamps: [5, 40] }));
    const all = flatten([a, b, c], "Flatten");
    all.write("CollectAll", memory.collect("flatten/three-with-one-empty:all"));
    all.apply(describe<number>()).write("CollectTimed", memory.collect("flatten/three-with-one-empty:timed"));
  },
  "then-sum": (p) => {
    const a = p.read("A", memory.create([kv("x", 1), kv("y", 2)]));
    const b = p.read("B", memory.create<KV<string, number>>([]));
    const c = p.read("C", memory.create([kv("x", 10)]));
    flatten([a, b, c], "Flatten").apply(sum.perKey("Sum")).write("Collect", memory.collect("flatten/then-sum"));
  },
});

export default pipeline;

const GLOBAL = windowOf(GLOBAL_WINDOW);

export const cases: RunnerCase[] = [
  {
    name: "flatten/three-with-one-empty",
    about:
      "Flatten of three collections, one empty, keeps every element with its timestamp and window, duplicates " +
      "across inputs included (Beam's Flatten.pCollections).",
    pipeline,
    module: import.meta.url,
    args: { case: "three-with-one-empty" },
    outputs: {
      "flatten/three-with-one-empty:all": [1, 2, 3, 3, 4],
      "flatten/three-with-one-empty:timed": [
        { value: 1, timestamp: 10, window: GLOBAL },
        { value: 2, timestamp: 20, window: GLOBAL },
        { value: 3, timestamp: 30, window: GLOBAL },
        { value: 3, timestamp: 5, window: GLOBAL },
        { value: 4, timestamp: 40, window: GLOBAL },
      ],
    },
  },
  {
    name: "flatten/then-sum",
    about:
      "A flatten (one input empty) feeding a per-key sum: the shuffle sees every input's elements (Beam's Flatten then Sum.perKey).",
    pipeline,
    module: import.meta.url,
    args: { case: "then-sum" },
    outputs: { "flatten/then-sum": [kv("x", 11), kv("y", 2)] },
  },
];
