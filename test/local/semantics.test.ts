import { describe, expect, test } from "vitest";
import { z } from "zod";
import { testStream } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import {
  type KV,
  Pipeline,
  afterCount,
  afterWatermark,
  bagState,
  eventTimer,
  fixedWindows,
  kv,
  maxTimestamp,
  outputTag,
  parDo,
  processingTimer,
  sideInput,
  valueState,
  windowInto,
} from "../../sdk/index.js";
import { sum } from "../../transforms/index.js";
import { collector, valuesOf } from "./support.js";

// Behaviours docs/local-runner.md promises beyond the conformance cases: side inputs that
// arrive after the main input, a stateful DoFn's state collected once its window expires,
// processing-time timers at the end of a bounded input, and a TestStream's watermark steps.

const define = (build: Parameters<typeof Pipeline.define>[2]) => Pipeline.define("semantics", z.object({}), build).build({});

describe("side inputs", () => {
  test("main-input elements wait for a side input read after them, then see all of it", async () => {
    const out = collector<{ x: number; total: number }>();
    const built = define((p) => {
      // Bounded reads run in step order: every "Numbers" element arrives before any "Weights" element.
      const numbers = p.read("Numbers", valuesOf([1, 2, 3], { chunk: 1 }));
      const weights = p.read("Weights", valuesOf([10, 20, 30, 40]));
      numbers
        .apply(
          "Attach",
          parDo(
            { process: (x: number, ctx) => ctx.output({ x, total: ctx.side.weights.reduce((a, b) => a + b, 0) }) },
            {
              output: outputTag<{ x: number; total: number }>(),
              declarations: { sideInputs: { weights: sideInput.list(weights) } },
            },
          ),
        )
        .write("Out", out.sink);
    });
    await runLocal(built, { parallelism: 1 });
    expect(out.values.sort((a, b) => a.x - b.x)).toEqual([
      { x: 1, total: 100 },
      { x: 2, total: 100 },
      { x: 3, total: 100 },
    ]);
  });

  test("in a stream, an element waits until the side input's watermark has passed its window", async () => {
    const out = collector<string>();
    const built = define((p) => {
      // One TestStream feeds both: side values are odd numbers, main values even; windows of 10 ms.
      const all = p
        .read(
          "Events",
          testStream<number>()
            .addElements([2, 1], [101, 3]) // main 2 in [0,10); side 101 in [0,10)
            .addElements([103, 5]) // more side data for [0,10), after the main element
            .advanceWatermarkTo(10) // [0,10) complete
            .addElements([12, 11], [105, 12])
            .advanceWatermarkToInfinity(),
        )
        .apply(windowInto(fixedWindows(10), { trigger: afterWatermark(), name: "Window" }));
      const side = all.apply(
        parDo<number, number>({ process: (x, ctx) => void (x % 2 === 1 && ctx.output(x)) }, { name: "Odd" }),
      );
      all
        .apply(parDo<number, number>({ process: (x, ctx) => void (x % 2 === 0 && ctx.output(x)) }, { name: "Even" }))
        .apply(
          "Attach",
          parDo(
            {
              process: (x: number, ctx) =>
                ctx.output(`${x}@${ctx.window.start}: ${[...ctx.side.side].sort((a, b) => a - b).join(",")}`),
            },
            { output: outputTag<string>(), declarations: { sideInputs: { side: sideInput.list(side) } } },
          ),
        )
        .write("Out", out.sink);
    });
    await runLocal(built, { parallelism: 1 });
    expect(out.values.sort()).toEqual(["12@10: 105", "2@0: 101,103"]);
  });
});

interface Count {
  readonly key: string;
  readonly count: number;
  readonly at: number;
}

/** Counts each key's elements per window in value state and reports the count from a timer at the window's end. */
const countAtWindowEnd = () =>
  parDo(
    {
      process: (e: KV<string, number>, ctx) => {
        ctx.state.count.write((ctx.state.count.read() ?? 0) + 1);
        ctx.timers.end.set(maxTimestamp(ctx.window));
      },
      onTimer: {
        end: (ctx) => ctx.output({ key: String(ctx.key), count: ctx.state.count.read() ?? 0, at: ctx.timestamp }),
      },
    },
    {
      name: "Count",
      output: outputTag<Count>(),
      declarations: { state: { count: valueState<number>() }, timers: { end: eventTimer() } },
    },
  );

describe("stateful DoFns", () => {
  test("state lives until the window expires (end + allowed lateness), is cleared 1 ms after, and later input is dropped", async () => {
    const out = collector<Count>();
    const built = define((p) => {
      p.read(
        "Events",
        testStream<KV<string, number>>()
          .addElements([kv("a", 1), 1])
          .advanceWatermarkTo(12) // past the end of [0,10): the timer at 9 reports 1
          .addElements([kv("a", 2), 5]) // late, within the lateness of 10: the state still holds 1
          .advanceWatermarkTo(15) // the timer, set again at 9, reports 2
          .advanceWatermarkTo(25) // past 19 + 1: the window's state is gone
          .addElements([kv("a", 3), 8]) // too late: dropped
          .addElements([kv("a", 4), 21]) // a new window starts from nothing
          .advanceWatermarkToInfinity(),
      )
        .apply(windowInto(fixedWindows(10), { allowedLateness: 10, trigger: afterWatermark(), name: "Window" }))
        .apply(countAtWindowEnd())
        .write("Out", out.sink);
    });
    const summary = await runLocal(built, { parallelism: 1 });
    expect(out.values).toEqual([
      { key: "a", count: 1, at: 9 },
      { key: "a", count: 2, at: 9 },
      { key: "a", count: 1, at: 29 },
    ]);
    expect(summary.droppedLate).toBe(1);
  });

  test("a processing-time timer still pending when a bounded input ends fires then (as in Beam's direct runner)", async () => {
    const out = collector<{ key: string; values: number[] }>();
    const built = define((p) => {
      p.read("Values", valuesOf([kv("a", 1), kv("b", 2), kv("a", 3)]))
        .apply(
          parDo(
            {
              process: (e: KV<string, number>, ctx) => {
                ctx.state.buffer.add(e.value);
                // An hour from now: the run ends long before.
                ctx.timers.flush.set(Date.now() + 3_600_000);
              },
              onTimer: {
                flush: (ctx) => ctx.output({ key: String(ctx.key), values: [...ctx.state.buffer.read()].sort() }),
              },
            },
            {
              name: "Buffer",
              output: outputTag<{ key: string; values: number[] }>(),
              declarations: { state: { buffer: bagState<number>() }, timers: { flush: processingTimer() } },
            },
          ),
        )
        .write("Out", out.sink);
    });
    const started = Date.now();
    await runLocal(built, { parallelism: 1 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.values.sort((x, y) => (x.key < y.key ? -1 : 1))).toEqual([
      { key: "a", values: [1, 3] },
      { key: "b", values: [2] },
    ]);
  });
});

describe("TestStream replay", () => {
  test("watermark steps fire on-time panes as they pass; data behind the watermark is a late pane", async () => {
    const out = collector<{ key: string; value: number; timing: string; index: number }>();
    const built = define((p) => {
      p.read(
        "Events",
        testStream<KV<string, number>>()
          .addElements([kv("k", 1), 1], [kv("k", 2), 2])
          .advanceWatermarkTo(10) // [0,10) on time: 3
          .addElements([kv("k", 5), 3]) // late, within lateness: a late pane of 5 (discarding)
          .addElements([kv("k", 7), 12])
          .advanceWatermarkToInfinity(),
      )
        .apply(
          windowInto(fixedWindows(10), {
            trigger: afterWatermark({ late: afterCount(1) }),
            allowedLateness: 100,
            name: "Window",
          }),
        )
        .apply(sum.perKey("Sum"))
        .apply(
          parDo<KV<string, number>, { key: string; value: number; timing: string; index: number }>(
            { process: (e, ctx) => ctx.output({ ...e, timing: ctx.pane.timing, index: ctx.pane.index }) },
            { name: "Pane" },
          ),
        )
        .write("Out", out.sink);
    });
    await runLocal(built, { parallelism: 1 });
    expect(out.values).toEqual([
      { key: "k", value: 3, timing: "ON_TIME", index: 0 },
      { key: "k", value: 5, timing: "LATE", index: 1 },
      { key: "k", value: 7, timing: "ON_TIME", index: 0 },
    ]);
  });
});
