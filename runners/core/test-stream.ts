import { type Instant } from "../../sdk/index.js";
import { type ManualClock } from "./clock.js";

/** What a TestStream replay drives: the reader's downstream. */
export interface TestStreamTarget<T> {
  elements(bundle: readonly { readonly value: T; readonly timestamp: Instant }[]): void;
  watermark(to: Instant): void;
  /** Called after the clock moved. */
  processingTime(now: Instant): void;
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
 * steps and processing-time steps on a manual clock. Returns the position after the last event.
 */
export function replayTestStream<T>(
  events: readonly ReplayEvent<T>[],
  clock: ManualClock,
  target: TestStreamTarget<T>,
  from = 0,
): number {
  for (let i = from; i < events.length; i++) {
    const e = events[i] as ReplayEvent<T>;
    switch (e.kind) {
      case "elements":
        target.elements(e.elements);
        break;
      case "watermark":
        target.watermark(e.to);
        break;
      case "processingTime":
        clock.advance(e.advanceBy);
        target.processingTime(clock.now());
        break;
    }
  }
  return events.length;
}
