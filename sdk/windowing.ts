import { type Duration, type Instant } from "./time.js";
import { type Trigger, defaultTrigger } from "./triggers.js";
import { type Window, type WindowFn, globalWindows } from "./windows.js";

/** How successive panes of one window relate (Beam's accumulation modes, plus retractions). */
export type AccumulationMode = "discarding" | "accumulating" | "retracting";

/** Which timestamp an aggregated result carries. */
export type TimestampCombiner = "endOfWindow" | "earliest" | "latest";

/** Beam's OnTimeBehavior: whether the on-time pane fires when it would be empty. */
export type OnTimeBehavior = "fireAlways" | "fireIfNonEmpty";

/** Beam's ClosingBehavior: whether the final pane at window expiry fires when empty. */
export type ClosingBehavior = "fireAlways" | "fireIfNonEmpty";

/** Everything a grouping step needs to know about where and when: part of each collection. */
export interface WindowingStrategy {
  readonly windowFn: WindowFn;
  readonly trigger: Trigger;
  readonly accumulation: AccumulationMode;
  readonly allowedLateness: Duration;
  readonly timestampCombiner: TimestampCombiner;
  readonly onTimeBehavior: OnTimeBehavior;
  readonly closingBehavior: ClosingBehavior;
}

export const DEFAULT_WINDOWING: WindowingStrategy = Object.freeze({
  windowFn: globalWindows(),
  trigger: defaultTrigger(),
  accumulation: "discarding",
  allowedLateness: 0,
  timestampCombiner: "endOfWindow",
  onTimeBehavior: "fireAlways",
  closingBehavior: "fireIfNonEmpty",
});

/** When a pane fired relative to the watermark. */
export type PaneTiming = "EARLY" | "ON_TIME" | "LATE" | "UNKNOWN";

/** Which firing of its window an output is (Beam's PaneInfo). */
export interface PaneInfo {
  readonly index: number;
  /** Index among ON_TIME and LATE panes; -1 for early panes. */
  readonly nonSpeculativeIndex: number;
  readonly timing: PaneTiming;
  readonly isFirst: boolean;
  readonly isLast: boolean;
}

/** The pane of an element that has not been through a trigger yet. */
export const NO_FIRING: PaneInfo = Object.freeze({
  index: 0,
  nonSpeculativeIndex: 0,
  timing: "UNKNOWN",
  isFirst: true,
  isLast: true,
});

/** An element with its event time, window and pane: what flows between steps. */
export interface WindowedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly windows: readonly Window[];
  readonly pane: PaneInfo;
  /** Set on a retraction: the element undoes an earlier pane's result (retracting mode). */
  readonly retraction?: boolean;
}
