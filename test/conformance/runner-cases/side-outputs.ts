import { memory } from "../../../io/index.js";
import { outputTag, parDo } from "../../../sdk/index.js";
import { partition } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";

// Additional (tagged) outputs of a DoFn, and partition, which is a DoFn with one output per part.

const NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8];

const pipeline = topicPipeline("side-outputs", {
  tagged: (p) => {
    const outs = p.read("Numbers", memory.create(NUMBERS)).apply(
      "Route",
      parDo(
        {
          process: (x: number, ctx) => {
            if (x % 2 === 1) ctx.output(x);
            else ctx.outputTo("even", x);
            if (x > 5) ctx.outputTo("big", `big:${x}`);
          },
        },
        {
          output: outputTag<number>(),
          declarations: { outputs: { even: outputTag<number>(), big: outputTag<string>(), none: outputTag<number>() } },
        },
      ),
    );
    outs.main.write("CollectMain", memory.collect("side-outputs/tagged:main"));
    outs.even.write("CollectEven", memory.collect("side-outputs/tagged:even"));
    outs.big.write("CollectBig", memory.collect("side-outputs/tagged:big"));
    outs.none.write("CollectNone", memory.collect("side-outputs/tagged:none"));
  },
  partition: (p) => {
    const parts = p.read("Numbers", memory.create([...NUMBERS, 9, 10])).apply(partition(3, (x: number) => x % 3, "ByRemainder"));
    parts.forEach((part, i) => part.write(`Collect${i}`, memory.collect(`side-outputs/partition:${i}`)));
  },
});

export default pipeline;

export const cases: RunnerCase[] = [
  {
    name: "side-outputs/tagged",
    about:
      "A DoFn with a main output and three tagged outputs: an element may go to several outputs, and an output " +
      "that receives nothing is an empty collection (Beam's ParDo.withOutputTags / TupleTagList).",
    pipeline,
    module: import.meta.url,
    args: { case: "tagged" },
    outputs: {
      "side-outputs/tagged:main": [1, 3, 5, 7],
      "side-outputs/tagged:even": [2, 4, 6, 8],
      "side-outputs/tagged:big": ["big:6", "big:7", "big:8"],
      "side-outputs/tagged:none": [],
    },
  },
  {
    name: "side-outputs/partition",
    about: "partition(3, x % 3) sends each element to exactly one of three collections (Beam's Partition).",
    pipeline,
    module: import.meta.url,
    args: { case: "partition" },
    outputs: {
      "side-outputs/partition:0": [3, 6, 9],
      "side-outputs/partition:1": [1, 4, 7, 10],
      "side-outputs/partition:2": [2, 5, 8],
    },
  },
];
