import { setTimeout as sleep } from "node:timers/promises";
import { memory } from "../../../io/index.js";
import { testStream } from "../../../io/test-stream.js";
import { type Root } from "../../../sdk/index.js";
import { asyncMap } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";

// asyncMap with a concurrency limit, ordered and unordered. Later elements are mostly faster,
// so a runner that really keeps several calls in flight finishes them out of input order.

const LIMIT = 3;
/** Milliseconds each call of element x (1..12) waits. */
const DELAYS = [40, 5, 30, 1, 20, 10, 35, 2, 25, 15, 8, 3];
const ELEMENTS = DELAYS.map((_, i) => i + 1);

interface Result {
  readonly x: number;
  readonly square: number;
  /** Whether at most LIMIT calls (this one included) were in flight when this call started. */
  readonly withinLimit: boolean;
}

/** Counts the calls in flight; one per build, so per worker that builds the pipeline. */
function inFlightGauge(limit: number) {
  let inFlight = 0;
  return async (x: number): Promise<Result> => {
    inFlight += 1;
    const withinLimit = inFlight <= limit;
    try {
      await sleep(DELAYS[x - 1] ?? 0);
      return { x, square: x * x, withinLimit };
    } finally {
      inFlight -= 1;
    }
  };
}

/** One TestStream partition: two bundles in order, so the source order is defined. */
const source = () =>
  testStream<number>()
    .addElements(...ELEMENTS.slice(0, 6).map((x) => [x, x] as const))
    .addElements(...ELEMENTS.slice(6).map((x) => [x, x] as const))
    .advanceWatermarkToInfinity();

const build = (ordered: boolean) => (p: Root) => {
  const call = inFlightGauge(LIMIT);
  p.read("Numbers", source())
    .apply(asyncMap(call, { concurrency: LIMIT, ordered, name: "Square" }))
    .write("Collect", memory.collect(`async-map/${ordered ? "ordered" : "unordered"}`));
};

const pipeline = topicPipeline("async-map", { ordered: build(true), unordered: build(false) });

export default pipeline;

const RESULTS: Result[] = ELEMENTS.map((x) => ({ x, square: x * x, withinLimit: true }));

export const cases: RunnerCase[] = [
  {
    name: "async-map/ordered",
    about:
      "Ordered asyncMap with concurrency 3 and varying delays: outputs in input order, never more than 3 calls in " +
      "flight (Flink's AsyncDataStream.orderedWait with capacity 3; Beam has no built-in equivalent).",
    pipeline,
    module: import.meta.url,
    args: { case: "ordered" },
    outputs: { "async-map/ordered": RESULTS },
    ordered: true,
  },
  {
    name: "async-map/unordered",
    about:
      "Unordered asyncMap with concurrency 3: the same outputs in any order, never more than 3 calls in flight " +
      "(Flink's AsyncDataStream.unorderedWait with capacity 3).",
    pipeline,
    module: import.meta.url,
    args: { case: "unordered" },
    outputs: { "async-map/unordered": RESULTS },
  },
];
