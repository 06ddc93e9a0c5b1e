import { type Duration, Instant, type Source } from "../sdk/index.js";

/** One step of a TestStream: a bundle of elements, or a clock moving. */
export type TestStreamEvent<T> =
  | { readonly kind: "elements"; readonly elements: readonly { readonly value: T; readonly timestamp: Instant }[] }
  | { readonly kind: "watermark"; readonly to: Instant }
  | { readonly kind: "processingTime"; readonly advanceBy: Duration };

/** A deterministic unbounded source for tests (Beam's TestStream): replayed the same way on every run. */
export interface TestStreamSource<T> extends Source<T> {
  readonly events: readonly TestStreamEvent<T>[];
}

/** Builds a TestStream; each call adds one event, `advanceWatermarkToInfinity` finishes it. */
export class TestStreamBuilder<T> {
  private readonly events: TestStreamEvent<T>[] = [];
  private watermark: Instant = Instant.MIN;

  /** One bundle of elements, each with its event time ([value, timestamp] pairs). */
  addElements(...elements: readonly (readonly [T, Instant])[]): this {
    if (elements.length === 0)
      throw new RangeError(`TestStream event ${this.events.length}: addElements needs at least one element`);
    for (const [, t] of elements)
      if (!Number.isInteger(t) || t < Instant.MIN || t > Instant.END_OF_GLOBAL_WINDOW)
        throw new RangeError(
          `TestStream event ${this.events.length}: element timestamp ${t} is not an instant before the end of time`,
        );
    this.events.push({ kind: "elements", elements: elements.map(([value, timestamp]) => ({ value, timestamp })) });
    return this;
  }

  /** Moves the watermark forward; it may not move back. Elements behind it are late, as in Beam. */
  advanceWatermarkTo(to: Instant): this {
    if (!(to > this.watermark))
      throw new RangeError(
        `TestStream event ${this.events.length}: the watermark must move forward, from ${Instant.format(this.watermark)} to ${Instant.format(to)}`,
      );
    this.watermark = to;
    this.events.push({ kind: "watermark", to });
    return this;
  }

  /** Moves processing time forward by `d` (processing-time triggers and timers see it). */
  advanceProcessingTime(d: Duration): this {
    if (!(d > 0))
      throw new RangeError(
        `TestStream event ${this.events.length}: processing time must advance by a positive duration, got ${d}`,
      );
    this.events.push({ kind: "processingTime", advanceBy: d });
    return this;
  }

  /** Ends the stream: the watermark goes to Instant.MAX, so every window fires and closes. */
  advanceWatermarkToInfinity(): TestStreamSource<T> {
    this.advanceWatermarkTo(Instant.MAX);
    const events = Object.freeze([...this.events]);
    return Object.freeze({ kind: "testStream", bounded: false, params: { events: events.length }, events });
  }
}

export const testStream = <T>(): TestStreamBuilder<T> => new TestStreamBuilder<T>();
