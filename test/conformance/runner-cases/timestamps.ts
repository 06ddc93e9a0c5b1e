import { memory } from "../../../io/index.js";
import { type KV, type Root, type TimestampCombiner, fixedWindows, kv, minutes, windowInto } from "../../../sdk/index.js";
import { map, sum, withTimestamps } from "../../../transforms/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";
import { ONLY_PANE, describe } from "./support.js";

// Event time from the data (withTimestamps), then fixed one-minute windows and a per-key sum.

interface Payment {
  readonly user: string;
  readonly at: number;
  readonly amount: number;
}

const PAYMENTS: Payment[] = [
  { user: "ann", at: 1_000, amount: 5 },
  { user: "bob", at: 61_000, amount: 3 },
  { user: "ann", at: 59_000, amount: 7 },
  { user: "ann", at: 60_000, amount: 1 },
  { user: "bob", at: 30_000, amount: 2 },
  { user: "bob", at: 119_999, amount: 4 },
  { user: "ann", at: 125_000, amount: 10 },
];

const build = (timestampCombiner: TimestampCombiner, id: string) => (p: Root) => {
  p.read("Payments", memory.create(PAYMENTS))
    .apply(withTimestamps((x: Payment) => x.at, "EventTime"))
    .apply(windowInto(fixedWindows(minutes(1)), { timestampCombiner, name: "Window" }))
    .apply(map((x: Payment) => kv(x.user, x.amount), "Pair"))
    .apply(sum.perKey("Sum"))
    .apply(describe<KV<string, number>>({ pane: true }))
    .write("Collect", memory.collect(id));
};

const pipeline = topicPipeline("timestamps", {
  "end-of-window": build("endOfWindow", "timestamps/end-of-window"),
  earliest: build("earliest", "timestamps/earliest"),
});

export default pipeline;

const MINUTE = minutes(1);
/** A sum in the minute starting at `start`, stamped `timestamp`, in its one on-time pane. */
const total = (user: string, amount: number, start: number, timestamp: number) => ({
  value: kv(user, amount),
  timestamp,
  window: { start, end: start + MINUTE },
  pane: ONLY_PANE,
});

export const cases: RunnerCase[] = [
  {
    name: "timestamps/end-of-window",
    about:
      "withTimestamps sets event time from each payment, fixed one-minute windows sum per user (59 999 and 60 000 " +
      "fall in different minutes); each sum is stamped with its window's max timestamp and fires once, on time, " +
      "when the bounded input ends (Beam's WithTimestamps, FixedWindows, TimestampCombiner.END_OF_WINDOW).",
    pipeline,
    module: import.meta.url,
    args: { case: "end-of-window" },
    outputs: {
      "timestamps/end-of-window": [
        total("ann", 12, 0, 59_999),
        total("ann", 1, 60_000, 119_999),
        total("ann", 10, 120_000, 179_999),
        total("bob", 2, 0, 59_999),
        total("bob", 7, 60_000, 119_999),
      ],
    },
  },
  {
    name: "timestamps/earliest",
    about:
      "The same sums with the earliest timestamp combiner: each is stamped with its earliest input's event time " +
      "(Beam's TimestampCombiner.EARLIEST; every input arrived before the watermark moved, so all hold).",
    pipeline,
    module: import.meta.url,
    args: { case: "earliest" },
    outputs: {
      "timestamps/earliest": [
        total("ann", 12, 0, 1_000),
        total("ann", 1, 60_000, 60_000),
        total("ann", 10, 120_000, 125_000),
        total("bob", 2, 0, 30_000),
        total("bob", 7, 60_000, 61_000),
      ],
    },
  },
];
