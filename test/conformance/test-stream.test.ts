import { describe, expect, test } from "vitest";
import { type TestStreamSource, testStream } from "../../io/test-stream.js";
import { ManualClock } from "../../runners/core/clock.js";
import { type PaneOutput, WindowOperator } from "../../runners/core/grouping/window-operator.js";
import { type ReplayEvent, replayTestStream } from "../../runners/core/test-stream.js";
import { triggerMachines } from "../../runners/core/triggers/index.js";
import { SourceWatermarks } from "../../runners/core/watermarks.js";
import { assignWindows } from "../../runners/core/windows/assign.js";
import { DEFAULT_WINDOWING, Instant, type KV } from "../../sdk/index.js";
import { type ConformanceCase, type ExpectedPane } from "./case.js";
import { allCases } from "./cases/index.js";
import { COMBINERS, type CaseResult, byKeyAndWindow, runCase } from "./driver.js";
import { caseToTestStream } from "./pipeline-cases.js";

type Value = number | string;

const toPane = (o: PaneOutput<unknown>): ExpectedPane => ({
  key: o.key as string,
  window: { ...o.window },
  value: Array.isArray(o.value)
    ? [...(o.value as Value[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    : (o.value as Value | null),
  timestamp: o.timestamp,
  pane: { ...o.pane },
  ...(o.retraction ? { retraction: true } : {}),
});

/**
 * Replays a case's TestStream into the window operator, as a runner's reader would: an
 * unpartitioned stream sets the watermark with its own events; a partitioned one feeds
 * per-partition generators (the case's maxDelay and idleTimeout, as the read step records
 * them) and its last watermark event, to MAX, ends every partition.
 */
function replay(c: ConformanceCase, source: TestStreamSource<KV<string, Value>>): CaseResult {
  const clock = new ManualClock(0);
  const out: PaneOutput<unknown>[] = [];
  const strategy = { ...DEFAULT_WINDOWING, ...c.windowing };
  const op = new WindowOperator({
    step: c.name,
    strategy,
    combineFn: COMBINERS[c.aggregate](),
    triggers: triggerMachines,
    emit: (o) => out.push(o),
    clock,
  });
  const { partitions } = source.params;
  const generated =
    partitions === null
      ? null
      : new SourceWatermarks({
          partitions,
          maxDelay: c.partitions?.maxDelay ?? 0,
          idleTimeout: c.partitions?.idleTimeout ?? null,
          clock,
        });
  const poll = () => {
    if (generated?.poll()) op.advanceWatermark(generated.current());
  };
  for (const e of source.events)
    switch (e.kind) {
      case "elements":
        for (const { value, timestamp } of e.elements) {
          op.processElement(value.key, value.value, timestamp, assignWindows(strategy.windowFn, timestamp));
          generated?.onEvent(e.partition, timestamp);
        }
        poll();
        break;
      case "watermark":
        if (!generated) op.advanceWatermark(e.to);
        else if (e.to === Instant.MAX) {
          for (let p = 0; p < generated.partitions; p++) generated.onEnd(p);
          op.end();
        }
        break;
      case "processingTime":
        clock.advance(e.advanceBy);
        poll();
        op.advanceProcessingTime(clock.now());
        break;
    }
  return { panes: byKeyAndWindow(out.map(toPane)), droppedLate: op.droppedLate, droppedClosed: op.droppedClosed };
}

describe("TestStream", () => {
  test("is plain, frozen, unbounded source data", () => {
    const s = testStream<string>()
      .addElements(["a", 1], ["b", 2])
      .advanceProcessingTime(5)
      .advanceWatermarkTo(10)
      .advanceWatermarkToInfinity();
    expect(s).toMatchObject({ kind: "testStream", bounded: false, params: { events: 4, partitions: null } });
    expect(Object.isFrozen(s.events)).toBe(true);
    expect(s.events[0]).toEqual({
      kind: "elements",
      partition: 0,
      elements: [
        { value: "a", timestamp: 1 },
        { value: "b", timestamp: 2 },
      ],
    });
    expect(s.events.at(-1)).toEqual({ kind: "watermark", to: Instant.MAX });
  });

  test("refuses a watermark that moves back, naming the event", () => {
    expect(() => testStream().advanceWatermarkTo(10).advanceWatermarkTo(5)).toThrow(
      /TestStream event 1: the watermark must move forward/,
    );
    expect(() => testStream().advanceProcessingTime(0)).toThrow(/positive duration/);
  });

  test("with partitions, element bundles name their partition (0 by default) and the params record the count", () => {
    const s = testStream<string>({ partitions: 3 })
      .addElementsTo(2, ["a", 5])
      .addElements(["b", 1])
      .advanceWatermarkTo(100)
      .advanceWatermarkToInfinity();
    expect(s.params).toEqual({ events: 4, partitions: 3 });
    expect(s.events.slice(0, 2)).toEqual([
      { kind: "elements", partition: 2, elements: [{ value: "a", timestamp: 5 }] },
      { kind: "elements", partition: 0, elements: [{ value: "b", timestamp: 1 }] },
    ]);
  });

  test("refuses a partition the stream does not have, and a partition count that is not a positive whole number", () => {
    expect(() => testStream({ partitions: 2 }).addElements(["a", 1]).addElementsTo(2, ["b", 2])).toThrow(
      /TestStream event 1: partition 2 is not one of the stream's 2 \(0 to 1\)/,
    );
    expect(() => testStream().addElementsTo(1, ["a", 1])).toThrow(/partition 1 is not one of the stream's 1/);
    expect(() => testStream({ partitions: 2 }).addElementsTo(0.5, ["a", 1])).toThrow(/partition 0.5/);
    expect(() => testStream({ partitions: 0 })).toThrow(/partitions must be a positive whole number, got 0/);
  });

  test("its events are the core's replay events, partition included", async () => {
    const s = testStream<string>({ partitions: 2 }).addElementsTo(1, ["a", 5]).advanceWatermarkToInfinity();
    const events: readonly ReplayEvent<string>[] = s.events;
    const bundles: unknown[] = [];
    await replayTestStream(events, new ManualClock(0), {
      elements: (bundle, partition) => void bundles.push({ partition, bundle }),
      watermark: () => {},
      processingTime: () => {},
    });
    expect(bundles).toEqual([{ partition: 1, bundle: [{ value: "a", timestamp: 5 }] }]);
    expect(events[0]).toMatchObject({ partition: 1 });
  });

  test.each(allCases.map((c) => [c.name, c] as const))(
    "a case's TestStream (caseToTestStream) replayed into the core gives the case's panes and drops: %s",
    (_name, c) => {
      const replayed = replay(c, caseToTestStream(c));
      expect(replayed).toEqual(runCase(c));
      expect(replayed.panes).toEqual(byKeyAndWindow(c.expected));
    },
  );
});
