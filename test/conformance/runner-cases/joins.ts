import { memory } from "../../../io/index.js";
import { type KV, type Root, fixedWindows, kv, windowInto } from "../../../sdk/index.js";
import { coGroupByKey, join, map } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";
import { sorted } from "./support.js";

// coGroupByKey and the joins built on it, in the global window and per fixed window.

const LEFT = [kv("a", 1), kv("a", 2), kv("b", 3), kv("c", 4)];
const RIGHT = [kv("a", "x"), kv("b", "y"), kv("b", "z"), kv("d", "w")];

const sides = (p: Root) => ({ left: p.read("Left", memory.create(LEFT)), right: p.read("Right", memory.create(RIGHT)) });

const pipeline = topicPipeline("joins", {
  "co-group-by-key": (p) => {
    const { left, right } = sides(p);
    const none = p.read("None", memory.create<KV<string, boolean>>([]));
    coGroupByKey({ left, right, none }, "CoGroup")
      .apply(
        map(({ key, value }) => ({ key, left: sorted(value.left), right: sorted(value.right), none: value.none }), "SortValues"),
      )
      .write("Collect", memory.collect("joins/co-group-by-key"));
  },
  inner: (p) => {
    const { left, right } = sides(p);
    join.inner(left, right, "Join").write("Collect", memory.collect("joins/inner"));
  },
  left: (p) => {
    const { left, right } = sides(p);
    join.left(left, right, "Join").write("Collect", memory.collect("joins/left"));
  },
  full: (p) => {
    const { left, right } = sides(p);
    join.full(left, right, "Join").write("Collect", memory.collect("joins/full"));
  },
  "inner-per-window": (p) => {
    const left = p
      .read("Left", memory.create([kv("a", 1), kv("a", 2)], { timestamps: [1, 15] }))
      .apply(windowInto(fixedWindows(10), { name: "WindowLeft" }));
    const right = p
      .read("Right", memory.create([kv("a", "x"), kv("a", "y")], { timestamps: [5, 12] }))
      .apply(windowInto(fixedWindows(10), { name: "WindowRight" }));
    join.inner(left, right, "Join").write("Collect", memory.collect("joins/inner-per-window"));
  },
});

export default pipeline;

const joinCase = (name: string, about: string, outputs: readonly unknown[]): RunnerCase => ({
  name: `joins/${name}`,
  about,
  pipeline,
  module: import.meta.url,
  args: { case: name },
  outputs: { [`joins/${name}`]: outputs },
});

const INNER = [kv("a", [1, "x"]), kv("a", [2, "x"]), kv("b", [3, "y"]), kv("b", [3, "z"])];

export const cases: RunnerCase[] = [
  joinCase(
    "co-group-by-key",
    "coGroupByKey of three inputs, one empty: every key of any input once, with every tag present and an empty " +
      "list where that input has no values (Beam's CoGroupByKey / CoGbkResult).",
    [
      { key: "a", left: [1, 2], right: ["x"], none: [] },
      { key: "b", left: [3], right: ["y", "z"], none: [] },
      { key: "c", left: [4], right: [], none: [] },
      { key: "d", left: [], right: ["w"], none: [] },
    ],
  ),
  joinCase(
    "inner",
    "Inner join: the cross product of each key's values, keys on one side only dropped (Beam's Join.innerJoin).",
    INNER,
  ),
  joinCase("left", "Left outer join: the inner pairs plus each unmatched left value with null (Beam's Join.leftOuterJoin).", [
    ...INNER,
    kv("c", [4, null]),
  ]),
  joinCase(
    "full",
    "Full outer join: the inner pairs plus unmatched values of both sides with null (Beam's Join.fullOuterJoin).",
    [...INNER, kv("c", [4, null]), kv("d", [null, "w"])],
  ),
  joinCase(
    "inner-per-window",
    "A join in fixed 10 ms windows pairs values only within a window: 1@1 with x@5, 2@15 with y@12, not across " +
      "(Beam's CoGroupByKey groups per key and window).",
    [kv("a", [1, "x"]), kv("a", [2, "y"])],
  ),
];
