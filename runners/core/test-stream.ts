import { type Instant } from "../../sdk/index.js";
import { type ManualClock } from "./clock.js";

/** What a TestStream replay drives: the reader's downstream. */
export interface TestStreamTarget<T> {
  /** One bundle, from source partition `partition` (0 unless the TestStream is partitioned). */
  elements(bundle: readonly { readonly value: T; readonly timestamp: Instant }[], partition: number): void | Promise<void>;
  watermark(to: Instant): void | Promise<void>;
  /** Called after the clock moved. */
  processingTime(now: Instant): void | Promise<void>;
}

/** The events of a TestStream source (io/test-stream.ts), as the core sees them: plain data. */
export type ReplayEvent<T> =
  | {
      readonly kind: "elements";
      /** The source partition of a partitioned TestStream; absent means 0. */
      readonly partition?: number;
      readonly elements: readonly { readonly value: T; readonly timestamp: Instant }[];
    }
  | { readonly kind: "watermark"; readonly to: Instant }
  | { readonly kind: "processingTime"; readonly advanceBy: number };

/**
 * Replays a TestStream from event `from` (its checkpointed position) on: bundles, watermark
 * steps and processing-time steps on a manual clock, each awaited before the next (a runner's
 * operators may be asynchronous, and the clock must not move while they work). Returns the
 * position after the last event.
 */
export async function replayTestStream<T>(
  events: readonly ReplayEvent<T>[],
  clock: ManualClock,
  target: TestStreamTarget<T>,
  from = 0,
): Promise<number> {
  for (let i = from; i < events.length; i++) {
    const e = events[i] as ReplayEvent<T>;
    switch (e.kind) {
      case "elements":
        await target.elements(e.elements, e.partition ?? 0);
        break;
      case "watermark":
        await target.watermark(e.to);
        break;
      case "processingTime":
        clock.advance(e.advanceBy);
        await target.processingTime(clock.now());
        break;
    }
  }
  return events.length;
}
