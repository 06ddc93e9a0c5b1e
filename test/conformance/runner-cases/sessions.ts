import { memory } from "../../../io/index.js";
import { type KV, type Root, groupByKey, kv, sessions, windowInto } from "../../../sdk/index.js";
import { map, sum } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";
import { ONLY_PANE, describe, sorted } from "./support.js";

// Session windows (gap 10 ms) merge per key across a shuffle, for grouping and for combining.

/** a: 1@1, 2@5, 3@14 (one session, [1, 24)), 4@40; b: 5@3, 6@20, 7@24 ([3, 13) and [20, 34)); listed out of order. */
const EVENTS: [KV<string, number>, number][] = [
  [kv("a", 3), 14],
  [kv("b", 6), 20],
  [kv("a", 1), 1],
  [kv("a", 4), 40],
  [kv("b", 5), 3],
  [kv("a", 2), 5],
  [kv("b", 7), 24],
];

const windowed = (p: Root) =>
  p
    .read(
      "Events",
      memory.create(
        EVENTS.map(([v]) => v),
        { timestamps: EVENTS.map(([, t]) => t) },
      ),
    )
    .apply(windowInto(sessions(10), { name: "Sessions" }));

const pipeline = topicPipeline("sessions", {
  "group-by-key": (p) => {
    windowed(p)
      .apply(groupByKey("Group"))
      .apply(map(({ key, value }: KV<string, number[]>) => kv(key, sorted(value)), "Sort"))
      .apply(describe<KV<string, number[]>>({ pane: true }))
      .write("Collect", memory.collect("sessions/group-by-key"));
  },
  sum: (p) => {
    windowed(p)
      .apply(sum.perKey("Sum"))
      .apply(describe<KV<string, number>>({ pane: true }))
      .write("Collect", memory.collect("sessions/sum"));
  },
});

export default pipeline;

/** A session's one on-time pane, stamped with the merged window's max timestamp. */
const session = <V>(key: string, value: V, start: number, end: number) => ({
  value: kv(key, value),
  timestamp: end - 1,
  window: { start, end },
  pane: ONLY_PANE,
});

export const cases: RunnerCase[] = [
  {
    name: "sessions/group-by-key",
    about:
      "Sessions with gap 10: a's proto-sessions [1,11), [5,15), [14,24) merge into [1,24), [40,50) stays apart; b " +
      "has [3,13) and [20,34); each merged window fires once at end of input, stamped with its max timestamp " +
      "(Beam's Sessions with GroupByKey; merging in any arrival order).",
    pipeline,
    module: import.meta.url,
    args: { case: "group-by-key" },
    outputs: {
      "sessions/group-by-key": [
        session("a", [1, 2, 3], 1, 24),
        session("a", [4], 40, 50),
        session("b", [5], 3, 13),
        session("b", [6, 7], 20, 34),
      ],
    },
  },
  {
    name: "sessions/sum",
    about:
      "The same sessions summed per key: accumulators of merged windows merge (Beam's Sessions with Sum.perKey, " +
      "a merging window function through a combiner).",
    pipeline,
    module: import.meta.url,
    args: { case: "sum" },
    outputs: {
      "sessions/sum": [session("a", 6, 1, 24), session("a", 4, 40, 50), session("b", 5, 3, 13), session("b", 13, 20, 34)],
    },
  },
];
