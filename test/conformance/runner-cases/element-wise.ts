import { memory } from "../../../io/index.js";
import { GLOBAL_WINDOW } from "../../../sdk/index.js";
import { filter, flatMap, map } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline, windowOf } from "../runner-case.js";
import { describe } from "./support.js";

// flatMap, filter and map, each feeding a sink and the next step; outputs keep their input's timestamp.

const LINES = ["the quick brown", "", "fox jumps", "over"];

const pipeline = topicPipeline("element-wise", {
  "flat-map-filter-map": (p) => {
    const words = p
      .read("Lines", memory.create(LINES, { timestamps: [100, 200, 300, 400] }))
      .apply(flatMap((line: string) => line.split(" ").filter((w) => w.length > 0), "Words"));
    const long = words.apply(filter((w: string) => w.length > 3, "Long"));
    const upper = long.apply(map((w: string) => w.toUpperCase(), "Upper"));
    words.write("CollectWords", memory.collect("element-wise/flat-map-filter-map:words"));
    long.write("CollectLong", memory.collect("element-wise/flat-map-filter-map:long"));
    upper.apply(describe<string>()).write("CollectUpper", memory.collect("element-wise/flat-map-filter-map:upper"));
  },
});

export default pipeline;

const GLOBAL = windowOf(GLOBAL_WINDOW);

export const cases: RunnerCase[] = [
  {
    name: "element-wise/flat-map-filter-map",
    about:
      "flatMap splits lines into words (an empty line gives none), filter keeps words longer than 3, map upper-cases " +
      "them; each output keeps its input's timestamp and window (Beam's FlatMapElements, Filter, MapElements).",
    pipeline,
    module: import.meta.url,
    args: { case: "flat-map-filter-map" },
    outputs: {
      "element-wise/flat-map-filter-map:words": ["the", "quick", "brown", "fox", "jumps", "over"],
      "element-wise/flat-map-filter-map:long": ["quick", "brown", "jumps", "over"],
      "element-wise/flat-map-filter-map:upper": [
        { value: "QUICK", timestamp: 100, window: GLOBAL },
        { value: "BROWN", timestamp: 100, window: GLOBAL },
        { value: "JUMPS", timestamp: 300, window: GLOBAL },
        { value: "OVER", timestamp: 400, window: GLOBAL },
      ],
    },
  },
];
