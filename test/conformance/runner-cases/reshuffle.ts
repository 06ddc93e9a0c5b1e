import { memory } from "../../../io/index.js";
import { fixedWindows, windowInto } from "../../../sdk/index.js";
import { reshuffle } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";
import { describe } from "./support.js";

// Reshuffle redistributes elements and changes nothing else.

const pipeline = topicPipeline("reshuffle", {
  "same-multiset": (p) => {
    p.read("Values", memory.create([5, 3, 5, 1, 2, 3, 8, 13, 21, 1, 5]))
      .apply(reshuffle("Reshuffle"))
      .write("Collect", memory.collect("reshuffle/same-multiset"));
  },
  "keeps-timestamps-and-windows": (p) => {
    p.read("Values", memory.create(["w", "x", "y", "z", "x"], { timestamps: [2, 11, 19, 25, 11] }))
      .apply(windowInto(fixedWindows(10), { name: "Window" }))
      .apply(reshuffle("Reshuffle"))
      .apply(describe<string>())
      .write("Collect", memory.collect("reshuffle/keeps-timestamps-and-windows"));
  },
});

export default pipeline;

export const cases: RunnerCase[] = [
  {
    name: "reshuffle/same-multiset",
    about: "Reshuffle outputs the same multiset of elements, duplicates included (Beam's Reshuffle.viaRandomKey).",
    pipeline,
    module: import.meta.url,
    args: { case: "same-multiset" },
    outputs: { "reshuffle/same-multiset": [5, 3, 5, 1, 2, 3, 8, 13, 21, 1, 5] },
  },
  {
    name: "reshuffle/keeps-timestamps-and-windows",
    about:
      "Reshuffle keeps each element's timestamp and fixed window (Beam's Reshuffle restores timestamps and " +
      "windowing; docs/transforms.md).",
    pipeline,
    module: import.meta.url,
    args: { case: "keeps-timestamps-and-windows" },
    outputs: {
      "reshuffle/keeps-timestamps-and-windows": [
        { value: "w", timestamp: 2, window: { start: 0, end: 10 } },
        { value: "x", timestamp: 11, window: { start: 10, end: 20 } },
        { value: "y", timestamp: 19, window: { start: 10, end: 20 } },
        { value: "z", timestamp: 25, window: { start: 20, end: 30 } },
        { value: "x", timestamp: 11, window: { start: 10, end: 20 } },
      ],
    },
  },
];
