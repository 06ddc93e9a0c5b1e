import { z } from "zod";
import { memory } from "../../io/index.js";
import { type TestStreamSource, testStream } from "../../io/test-stream.js";
import {
  type KV,
  type PCollection,
  Pipeline,
  type PipelineDefinition,
  type ReadOptions,
  type Root,
  countDistinctFn,
  groupByKey,
  kv,
  parDo,
  windowInto,
} from "../../sdk/index.js";
import { combine, count, max, mean, min, sum } from "../../transforms/index.js";
import { type ConformanceCase, type ExpectedPane } from "./case.js";

// The #3 semantic cases as pipelines, so each runner runs them end to end: a TestStream of the
// case's events, windowInto the case's strategy, the aggregation, and a DoFn that records each
// pane as an ExpectedPane into memory.collect(collectIdOf(case)).

type Value = number | string;
type Element = KV<string, Value>;
type Aggregated = KV<string, Value | readonly Value[] | null>;

/** Where a case's pipeline collects its panes. */
export const collectIdOf = (c: ConformanceCase): string => `conformance/${c.name}`;

/**
 * Whether the case groups in the global window with the default trigger. Beam and beamline
 * refuse that for an unbounded input (it would never fire), so such a case reads its elements
 * from a bounded source instead of a TestStream: the same panes, because that strategy fires
 * only at the end of input and drops nothing.
 */
const needsBoundedSource = (c: ConformanceCase): boolean =>
  c.windowing.windowFn.kind === "global" && (c.windowing.trigger ?? { kind: "default" }).kind === "default";

/**
 * The case's events as a TestStream: each element its own bundle (docs/core.md rule 3);
 * watermark steps that do not move forward and processing-time steps to the time it already is
 * are left out (a TestStream refuses them, and they change nothing); `end` finishes the stream.
 */
export function caseToTestStream(c: ConformanceCase): TestStreamSource<Element> {
  const b = c.partitions ? testStream<Element>({ partitions: c.partitions.count }) : testStream<Element>();
  let watermark = -Infinity;
  let now = 0;
  for (const e of c.events)
    switch (e.kind) {
      case "element":
        b.addElementsTo(e.partition ?? 0, [kv(e.key, e.value), e.at]);
        break;
      case "watermark":
        if (e.to > watermark) b.advanceWatermarkTo((watermark = e.to));
        break;
      case "processingTime":
        if (e.to > now) b.advanceProcessingTime(e.to - now);
        now = Math.max(now, e.to);
        break;
      case "end":
        return b.advanceWatermarkToInfinity();
    }
  return b.advanceWatermarkToInfinity();
}

function readCase(p: Root, c: ConformanceCase): PCollection<Element> {
  if (needsBoundedSource(c)) {
    if (c.partitions) throw new Error(`case ${c.name}: a partitioned case cannot use a bounded source`);
    const elements = c.events.flatMap((e) => (e.kind === "element" ? [e] : []));
    const source = memory.create(
      elements.map((e) => kv(e.key, e.value)),
      { timestamps: elements.map((e) => e.at) },
    );
    return p.read("Read", source);
  }
  const options: ReadOptions<Element> = c.partitions
    ? {
        maxDelay: c.partitions.maxDelay ?? 0,
        ...(c.partitions.idleTimeout === undefined ? {} : { idleTimeout: c.partitions.idleTimeout }),
      }
    : {};
  return p.read("Read", caseToTestStream(c), options);
}

/** The case's aggregation: groupByKey for "list", else the built-in combiner's perKey transform. */
function aggregate(c: ConformanceCase, input: PCollection<Element>): PCollection<Aggregated> {
  const numbers = input as PCollection<KV<string, number>>;
  switch (c.aggregate) {
    case "list":
      return input.apply(groupByKey("Aggregate"));
    case "sum":
      return numbers.apply(sum.perKey("Aggregate"));
    case "count":
      return input.apply(count.perKey("Aggregate"));
    case "mean":
      return numbers.apply(mean.perKey("Aggregate"));
    case "min":
      return numbers.apply(min.perKey("Aggregate"));
    case "max":
      return numbers.apply(max.perKey("Aggregate"));
    case "countDistinct":
      // The library has no countDistinct.perKey; the built-in combiner through combine.perKey is recorded as builtin.
      return input.apply(combine.perKey(countDistinctFn<Value>(), "Aggregate"));
  }
}

const compareValues = (a: Value, b: Value): number => (a < b ? -1 : a > b ? 1 : 0);

/** Records each pane as the case states it: key, window, value (lists sorted), timestamp, pane info, retraction. */
const recordPanes = () =>
  parDo<Aggregated, ExpectedPane>(
    {
      process: (element, ctx) =>
        ctx.output({
          key: element.key,
          window: { start: ctx.window.start, end: ctx.window.end },
          value: Array.isArray(element.value)
            ? [...(element.value as Value[])].sort(compareValues)
            : (element.value as Value | null),
          timestamp: ctx.timestamp,
          pane: { ...ctx.pane },
          ...(ctx.retraction ? { retraction: true } : {}),
        }),
    },
    { name: "Record" },
  );

/** Applies a case to a pipeline's root: read, windowInto, aggregate, record, collect. */
export function applyCase(p: Root, c: ConformanceCase): void {
  const { windowFn, trigger, accumulation, allowedLateness, timestampCombiner, onTimeBehavior, closingBehavior } = c.windowing;
  const windowed = readCase(p, c).apply(
    windowInto(windowFn, {
      trigger,
      accumulation,
      allowedLateness,
      timestampCombiner,
      onTimeBehavior,
      closingBehavior,
      name: "Window",
    }),
  );
  aggregate(c, windowed)
    .apply(recordPanes())
    .write("Collect", memory.collect<ExpectedPane>(collectIdOf(c)));
}

/** A #3 case as a pipeline module's definition (no options). */
export const caseToPipeline = (c: ConformanceCase): PipelineDefinition =>
  Pipeline.define(`conformance/${c.name}`, z.object({}), (p) => applyCase(p, c));
