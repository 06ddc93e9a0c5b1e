import {
  BadRecordError,
  type DeadLetter,
  Instant,
  type ReadContext,
  type ReadStep,
  type Source,
  type SourceReading,
} from "../../../sdk/index.js";
import { type ManualClock } from "../clock.js";
import { type ReplayEvent, replayTestStream } from "../test-stream.js";
import { SourceWatermarks } from "../watermarks.js";
import { type Bundle, BundleBuilder, SOURCE_META, TimedBundle, metaAt } from "./bundle.js";
import { type Output, stepError } from "./operators/operator.js";

export interface ReadDeps {
  readonly step: ReadStep;
  readonly source: Source<unknown>;
  readonly eventTime: ((value: unknown) => Instant) | undefined;
  readonly main: Output;
  readonly deadLetters: Output | null;
  /** Called between chunks: processing time and progress. */
  readonly tick: () => Promise<void>;
  readonly onDeadLetter: () => void;
}

/**
 * Reads a bounded source split by split, chunk by chunk. Its watermark stays at MIN until
 * the source is exhausted and then jumps to MAX: a bounded input is one epoch, so every
 * trigger sees it as the stream runner would see the whole input arrive before the end.
 */
export async function readBounded(deps: ReadDeps): Promise<void> {
  const { step } = deps;
  const { reading, ctx, bad } = openReading(step, deps.source, deps.deadLetters !== null, deps.onDeadLetter);
  const splits = await fromSource(step, () => reading.splits(ctx));
  // Every split's iterator is made up front (a file's does nothing until read; a Kafka
  // partition's starts connecting, so all of them join their groups at once), read in turn,
  // and closed however the read ends.
  const iterators = splits.map((split) => reading.read(split, ctx)[Symbol.asyncIterator]());
  try {
    for (const chunks of iterators) {
      for (
        let next = await fromSource(step, () => chunks.next());
        !next.done;
        next = await fromSource(step, () => chunks.next())
      ) {
        const chunk = next.value;
        if (chunk.values.length > 0) await deps.main.emit(timedBundle(deps.step, chunk.values, deps.eventTime, chunk.timestamps));
        if (bad.length > 0) await deps.deadLetters!.emit(bad.take());
        await deps.tick();
      }
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.().catch(() => undefined)));
  }
  if (bad.length > 0) await deps.deadLetters!.emit(bad.take());
  await deps.main.watermark(Instant.MAX);
  await deps.deadLetters?.watermark(Instant.MAX);
}

/**
 * A source's reading side, with the context its reads get: a rejected record becomes a dead
 * letter collected in `bad` when the read has a dead-letter output, else fails the job.
 */
export function openReading(
  step: ReadStep,
  source: Source<unknown>,
  deadLetters: boolean,
  onDeadLetter: () => void,
): { reading: SourceReading<unknown>; ctx: ReadContext; bad: BundleBuilder } {
  const reading = source.reading;
  if (!reading) throw stepError(step.name, new Error(`source kind "${source.kind}" cannot be read: it has no reading side`));
  const bad = new BundleBuilder();
  const ctx: ReadContext = {
    step: step.name,
    reject: (b: Omit<DeadLetter, "step">) => {
      const letter: DeadLetter = { step: step.name, ...b };
      if (!deadLetters) throw new BadRecordError(letter);
      onDeadLetter();
      bad.push(letter, SOURCE_META);
    },
  };
  return { reading, ctx, bad };
}

/** A call into the source: its failures (a glob matching nothing, an unreadable file) name the read step. */
export async function fromSource<T>(step: ReadStep, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    // A bad record's message already names the step, the file and the position.
    throw e instanceof BadRecordError ? e : stepError(step.name, e);
  }
}

/**
 * A chunk read from a source as a bundle: with event times (from the read's extractor or the
 * source's timestamps, each checked) as a column, or shared metadata when it has neither.
 */
export function timedBundle(
  step: ReadStep,
  values: readonly unknown[],
  eventTime: ((value: unknown) => Instant) | undefined,
  timestamps: readonly Instant[] | undefined,
): Bundle {
  if (!eventTime && !timestamps) return { values, metas: SOURCE_META };
  const times = eventTime ? new Array<Instant>(values.length) : timestamps!;
  const min = Instant.MIN;
  const max = Instant.END_OF_GLOBAL_WINDOW;
  for (let i = 0; i < values.length; i++) {
    let t: Instant;
    try {
      t = eventTime ? eventTime(values[i]) : times[i]!;
    } catch (e) {
      throw stepError(step.name, e, "eventTime");
    }
    if (!Number.isInteger(t) || t < min || t > max)
      throw stepError(step.name, new Error(`event time ${String(t)} is not a whole-millisecond instant before the end of time`));
    if (eventTime) (times as Instant[])[i] = t;
  }
  return new TimedBundle(values, times, null);
}

/** What a TestStream replay drives besides the read's output: every operator's processing time. */
export interface TestStreamDeps extends ReadDeps {
  readonly clock: ManualClock;
  readonly processingTime: (now: Instant) => Promise<void>;
}

/**
 * Replays a TestStream: bundles, watermark steps and processing-time steps, in order. With
 * source partitions (or a maxDelay / idleTimeout on the read), the watermark comes from
 * per-partition generators as a real source's would, and explicit steps only end the stream.
 */
export async function replayStream(deps: TestStreamDeps): Promise<void> {
  const { step, clock } = deps;
  const events = (deps.source as { readonly events?: readonly ReplayEvent<unknown>[] }).events;
  if (!events) throw stepError(step.name, new Error('a "testStream" source needs its events (build it with testStream())'));
  // A partitioned TestStream (io/test-stream.ts) generates its watermark per partition, as a real source would.
  const params = (deps.source.params ?? {}) as { partitions?: number | null };
  const generated = typeof params.partitions === "number";
  const partitions = params.partitions ?? 1;
  const source = generated
    ? new SourceWatermarks({ partitions, maxDelay: step.maxDelay, idleTimeout: step.idleTimeout, clock })
    : null;
  const poll = async () => {
    if (source?.poll()) await deps.main.watermark(source.current());
  };
  await replayTestStream(events, clock, {
    elements: async (bundle, partition) => {
      const b = new BundleBuilder();
      for (const { value, timestamp } of bundle) {
        const t = deps.eventTime ? deps.eventTime(value) : timestamp;
        b.push(value, metaAt(t));
        source?.onEvent(partition, t);
      }
      await deps.main.emit(b.take());
      await poll();
    },
    watermark: async (to) => {
      if (!source) await deps.main.watermark(to);
      else if (to === Instant.MAX) {
        for (let p = 0; p < partitions; p++) source.onEnd(p);
        await poll();
      }
    },
    processingTime: async (now) => {
      await poll();
      await deps.processingTime(now);
    },
  });
  await deps.main.watermark(Instant.MAX);
  await deps.deadLetters?.watermark(Instant.MAX);
}
