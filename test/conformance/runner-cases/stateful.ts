import { memory } from "../../../io/index.js";
import { testStream } from "../../../io/test-stream.js";
import {
  type Instant,
  type KV,
  bagState,
  eventTimer,
  fixedWindows,
  kv,
  maxTimestamp,
  outputTag,
  parDo,
  processingTimer,
  valueState,
  windowInto,
} from "../../../sdk/index.js";
import { type RunnerCase, topicPipeline } from "../runner-case.js";
import { describe, sorted } from "./support.js";

// Stateful DoFns: state is per key and window; an event-time timer flushes at the window's
// end, a processing-time timer when the TestStream's processing time passes it.

interface Flush {
  readonly key: string;
  readonly values: number[];
  readonly count: number;
}

/** Buffers each key's values per window in a bag, counts them in a value, and flushes both at the window's end. */
const bufferUntilWindowEnd = () =>
  parDo(
    {
      process: (element: KV<string, number>, ctx) => {
        ctx.state.buffer.add(element.value);
        ctx.state.count.write((ctx.state.count.read() ?? 0) + 1);
        ctx.timers.flush.set(maxTimestamp(ctx.window));
      },
      onTimer: {
        flush: (ctx) => {
          ctx.output({ key: String(ctx.key), values: sorted(ctx.state.buffer.read()), count: ctx.state.count.read() ?? 0 });
          ctx.state.buffer.clear();
          ctx.state.count.clear();
        },
      },
    },
    {
      name: "Buffer",
      output: outputTag<Flush>(),
      declarations: { state: { buffer: bagState<number>(), count: valueState<number>() }, timers: { flush: eventTimer() } },
    },
  );

/** A value, and the processing time at which the batch it starts is flushed. */
interface Timed {
  readonly n: number;
  readonly flushAt: Instant;
}

interface Batch {
  readonly key: string;
  /** 1 for a key's first flush, 2 for its second, ... */
  readonly flush: number;
  readonly values: number[];
}

/**
 * Buffers each key's values until a processing-time timer set by the batch's first element.
 * The DoFn cannot read processing time, so elements carry the absolute time (TestStreams start at 0).
 */
const flushOnProcessingTime = () =>
  parDo(
    {
      process: (element: KV<string, Timed>, ctx) => {
        if (ctx.state.buffer.isEmpty()) ctx.timers.flush.set(element.value.flushAt);
        ctx.state.buffer.add(element.value.n);
      },
      onTimer: {
        flush: (ctx) => {
          const flush = (ctx.state.flushes.read() ?? 0) + 1;
          ctx.output({ key: String(ctx.key), flush, values: sorted(ctx.state.buffer.read()) });
          ctx.state.flushes.write(flush);
          ctx.state.buffer.clear();
        },
      },
    },
    {
      name: "Batch",
      output: outputTag<Batch>(),
      declarations: {
        state: { buffer: bagState<number>(), flushes: valueState<number>() },
        timers: { flush: processingTimer() },
      },
    },
  );

const pipeline = topicPipeline("stateful", {
  "event-time-timer": (p) => {
    const values = [kv("a", 1), kv("a", 2), kv("b", 10), kv("a", 3), kv("b", 20), kv("b", 30), kv("a", 4)];
    p.read("Values", memory.create(values, { timestamps: [1, 4, 3, 12, 15, 17, 25] }))
      .apply(windowInto(fixedWindows(10), { name: "Window" }))
      .apply(bufferUntilWindowEnd())
      .apply(describe<Flush>())
      .write("Collect", memory.collect("stateful/event-time-timer"));
  },
  "processing-time-timer": (p) => {
    const t = (n: number, flushAt: Instant): Timed => ({ n, flushAt });
    const stream = testStream<KV<string, Timed>>()
      .addElements([kv("a", t(1, 10)), 1], [kv("b", t(2, 10)), 2]) // processing time 0: a and b set timers at 10
      .advanceProcessingTime(9)
      .addElements([kv("a", t(3, 10)), 3]) // 9: a's batch is open, its timer stays at 10
      .advanceProcessingTime(11) // 20: both timers fire
      .addElements([kv("a", t(4, 30)), 4]) // a's second batch, timer at 30
      .advanceProcessingTime(20) // 40: it fires
      .advanceWatermarkToInfinity();
    p.read("Values", stream).apply(flushOnProcessingTime()).write("Collect", memory.collect("stateful/processing-time-timer"));
  },
});

export default pipeline;

const win = (start: number, end: number) => ({ start, end });

export const cases: RunnerCase[] = [
  {
    name: "stateful/event-time-timer",
    about:
      "A DoFn buffers each key's values in bag state and counts them in value state, per window (fixed 10 ms), and " +
      "flushes both from an event-time timer at the window's max timestamp, which stamps the output (Beam's " +
      "stateful DoFn: state and timers scoped to key and window; an event-time timer's output timestamp is its time).",
    pipeline,
    module: import.meta.url,
    args: { case: "event-time-timer" },
    outputs: {
      "stateful/event-time-timer": [
        { value: { key: "a", values: [1, 2], count: 2 }, timestamp: 9, window: win(0, 10) },
        { value: { key: "b", values: [10], count: 1 }, timestamp: 9, window: win(0, 10) },
        { value: { key: "a", values: [3], count: 1 }, timestamp: 19, window: win(10, 20) },
        { value: { key: "b", values: [20, 30], count: 2 }, timestamp: 19, window: win(10, 20) },
        { value: { key: "a", values: [4], count: 1 }, timestamp: 29, window: win(20, 30) },
      ],
    },
  },
  {
    name: "stateful/processing-time-timer",
    about:
      "A processing-time timer set at 10 does not fire while the TestStream's processing time is 9 and fires " +
      "once it reaches 20, flushing a's two values and b's one; a's next batch flushes at 40 (Beam's " +
      "TestStream.advanceProcessingTime driving processing-time timers; a timer fires once time passes it).",
    pipeline,
    module: import.meta.url,
    args: { case: "processing-time-timer" },
    outputs: {
      "stateful/processing-time-timer": [
        { key: "a", flush: 1, values: [1, 3] },
        { key: "b", flush: 1, values: [2] },
        { key: "a", flush: 2, values: [4] },
      ],
    },
  },
];
