import { type Duration, Instant, type Source } from "../sdk/index.js";

/** One step of a TestStream: a bundle of elements on one source partition, or a clock moving. */
export type TestStreamEvent<T> =
  | {
      readonly kind: "elements";
      /** The source partition the bundle arrives on (0 unless the stream is partitioned). */
      readonly partition: number;
      readonly elements: readonly { readonly value: T; readonly timestamp: Instant }[];
    }
  /** In a partitioned stream only the last, to Instant.MAX, counts: it ends every partition. */
  | { readonly kind: "watermark"; readonly to: Instant }
  | { readonly kind: "processingTime"; readonly advanceBy: Duration };

/** What the graph records of a TestStream (a type alias, so that it is Json). */
export type TestStreamParams = {
  readonly events: number;
  /**
   * null: one partition, whose watermark the stream's own watermark events set (Beam's
   * TestStream). A number: that many source partitions, whose watermarks the runner
   * generates from the read step's maxDelay and idleTimeout, as for any partitioned source.
   */
  readonly partitions: number | null;
};

/**
 * A deterministic unbounded source for tests (Beam's TestStream): replayed the same way on
 * every run, on a manual clock that starts at processing time 0.
 */
export interface TestStreamSource<T> extends Source<T> {
  readonly params: TestStreamParams;
  readonly events: readonly TestStreamEvent<T>[];
}

export interface TestStreamOptions {
  /**
   * Source partitions, each with its own watermark generator (bounded out-of-orderness from
   * the read's maxDelay, idleness from its idleTimeout); elements name their partition.
   * Without it the stream is one partition and its watermark events set the watermark.
   */
  readonly partitions?: number;
}

/** Builds a TestStream; each call adds one event, `advanceWatermarkToInfinity` finishes it. */
export class TestStreamBuilder<T> {
  private readonly events: TestStreamEvent<T>[] = [];
  private watermark: Instant = Instant.MIN;
  private readonly partitions: number | null;

  constructor(options: TestStreamOptions = {}) {
    const { partitions } = options;
    if (partitions !== undefined && !(Number.isInteger(partitions) && partitions > 0))
      throw new RangeError(`TestStream: partitions must be a positive whole number, got ${partitions}`);
    this.partitions = partitions ?? null;
  }

  /** One bundle of elements on partition 0, each with its event time ([value, timestamp] pairs). */
  addElements(...elements: readonly (readonly [T, Instant])[]): this {
    return this.addElementsTo(0, ...elements);
  }

  /** One bundle of elements on source partition `partition` (from 0), each with its event time. */
  addElementsTo(partition: number, ...elements: readonly (readonly [T, Instant])[]): this {
    const at = `TestStream event ${this.events.length}`;
    const count = this.partitions ?? 1;
    if (!(Number.isInteger(partition) && partition >= 0 && partition < count))
      throw new RangeError(`${at}: partition ${partition} is not one of the stream's ${count} (0 to ${count - 1})`);
    if (elements.length === 0) throw new RangeError(`${at}: addElements needs at least one element`);
    for (const [, t] of elements)
      if (!Number.isInteger(t) || t < Instant.MIN || t > Instant.END_OF_GLOBAL_WINDOW)
        throw new RangeError(`${at}: element timestamp ${t} is not an instant before the end of time`);
    this.events.push({ kind: "elements", partition, elements: elements.map(([value, timestamp]) => ({ value, timestamp })) });
    return this;
  }

  /**
   * Moves the watermark forward; it may not move back. Elements behind it are late, as in
   * Beam. A partitioned stream accepts the event but its generators set the watermark.
   */
  advanceWatermarkTo(to: Instant): this {
    if (!(to > this.watermark))
      throw new RangeError(
        `TestStream event ${this.events.length}: the watermark must move forward, from ${Instant.format(this.watermark)} to ${Instant.format(to)}`,
      );
    this.watermark = to;
    this.events.push({ kind: "watermark", to });
    return this;
  }

  /** Moves processing time forward by `d` (processing-time triggers, timers and idleness see it). */
  advanceProcessingTime(d: Duration): this {
    if (!(d > 0))
      throw new RangeError(
        `TestStream event ${this.events.length}: processing time must advance by a positive duration, got ${d}`,
      );
    this.events.push({ kind: "processingTime", advanceBy: d });
    return this;
  }

  /** Ends the stream: the watermark goes to Instant.MAX on every partition, so every window fires and closes. */
  advanceWatermarkToInfinity(): TestStreamSource<T> {
    this.advanceWatermarkTo(Instant.MAX);
    const events = Object.freeze([...this.events]);
    const params: TestStreamParams = Object.freeze({ events: events.length, partitions: this.partitions });
    return Object.freeze({ kind: "testStream", bounded: false, params, events });
  }
}

/** A TestStream builder: one partition by default, or `{ partitions: n }` with generated watermarks. */
export const testStream = <T>(options: TestStreamOptions = {}): TestStreamBuilder<T> => new TestStreamBuilder<T>(options);
