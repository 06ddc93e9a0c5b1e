import { describe, expect, test } from "vitest";
import { type TestStreamSource, testStream } from "../../io/index.js";
import { ManualClock } from "../../runners/core/clock.js";
import { type PaneOutput, WindowOperator } from "../../runners/core/grouping/window-operator.js";
import { listCombineFn } from "../../runners/core/grouping/list-combine.js";
import { replayTestStream } from "../../runners/core/test-stream.js";
import { triggerMachines } from "../../runners/core/triggers/index.js";
import { assignWindows } from "../../runners/core/windows/assign.js";
import { type CombineFn, DEFAULT_WINDOWING, Instant, type KV, countFn, kv, sumFn } from "../../sdk/index.js";
import { type ConformanceCase, type ExpectedPane } from "./case.js";
import { allCases } from "./cases/index.js";
import { byKeyAndWindow, runCase } from "./driver.js";

type Element = KV<string, number | string>;

/** A case's events as a TestStream (cases with source partitions generate watermarks instead). */
function toTestStream(c: ConformanceCase): TestStreamSource<Element> {
  const b = testStream<Element>();
  let watermark: Instant = Instant.MIN;
  let now = 0;
  for (const e of c.events) {
    if (e.kind === "element") b.addElements([kv(e.key, e.value), e.at]);
    else if (e.kind === "watermark" && e.to > watermark) b.advanceWatermarkTo((watermark = e.to));
    else if (e.kind === "processingTime" && e.to > now) {
      b.advanceProcessingTime(e.to - now);
      now = e.to;
    }
  }
  return b.advanceWatermarkToInfinity();
}

/** Replays a TestStream into the window operator, as a runner's reader would. */
function replay(c: ConformanceCase, source: TestStreamSource<Element>): ExpectedPane[] {
  const clock = new ManualClock(0);
  const out: PaneOutput<unknown>[] = [];
  const strategy = { ...DEFAULT_WINDOWING, ...c.windowing };
  const combiners = { list: listCombineFn(), sum: sumFn(), count: countFn() };
  const combineFn = combiners[c.aggregate as keyof typeof combiners] as CombineFn<unknown, unknown, unknown>;
  const op = new WindowOperator({
    step: c.name,
    strategy,
    combineFn,
    triggers: triggerMachines,
    emit: (o) => out.push(o),
    clock,
  });
  replayTestStream(source.events, clock, {
    elements: (bundle) => {
      for (const { value, timestamp } of bundle)
        op.processElement(value.key, value.value as never, timestamp, assignWindows(strategy.windowFn, timestamp));
    },
    watermark: (to) => op.advanceWatermark(to),
    processingTime: (t) => op.advanceProcessingTime(t),
  });
  return out.map((o) => ({
    key: o.key as string,
    window: { ...o.window },
    value: Array.isArray(o.value)
      ? [...(o.value as (string | number)[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      : (o.value as number | string | null),
    timestamp: o.timestamp,
    pane: { ...o.pane },
    ...(o.retraction ? { retraction: true } : {}),
  }));
}

describe("TestStream", () => {
  const replayable = allCases.filter((c) => !c.partitions && ["list", "sum", "count"].includes(c.aggregate));

  test("is plain, frozen, unbounded source data", () => {
    const s = testStream<string>()
      .addElements(["a", 1], ["b", 2])
      .advanceProcessingTime(5)
      .advanceWatermarkTo(10)
      .advanceWatermarkToInfinity();
    expect(s).toMatchObject({ kind: "testStream", bounded: false, params: { events: 4 } });
    expect(Object.isFrozen(s.events)).toBe(true);
    expect(s.events.at(-1)).toEqual({ kind: "watermark", to: Instant.MAX });
  });

  test("refuses a watermark that moves back, naming the event", () => {
    expect(() => testStream().advanceWatermarkTo(10).advanceWatermarkTo(5)).toThrow(
      /TestStream event 1: the watermark must move forward/,
    );
    expect(() => testStream().advanceProcessingTime(0)).toThrow(/positive duration/);
  });

  test.each(replayable.map((c) => [c.name, c] as const))("replayed into the core gives the case's panes: %s", (_name, c) => {
    const panes = replay(c, toTestStream(c));
    expect(byKeyAndWindow(panes)).toEqual(byKeyAndWindow(runCase(c).panes));
    expect(byKeyAndWindow(panes)).toEqual(byKeyAndWindow(c.expected));
  });
});
