import { type Instant, type PaneTiming, type WindowFn, type WindowingStrategy } from "../../sdk/index.js";

/**
 * One semantic case, as data: what goes in (elements with event times, watermark and
 * processing-time advances, in order), how it is windowed and aggregated, and the panes
 * that must come out. The driver (core) and each runner run the same cases.
 */
export interface ConformanceCase {
  readonly name: string;
  /** What the case shows, and where in Beam's tests or transcripts the semantics come from. */
  readonly about: string;
  readonly windowing: Partial<Omit<WindowingStrategy, "windowFn">> & { readonly windowFn: WindowFn };
  /** "list": group values (GroupByKey, values sorted in expected output); else a built-in combiner. */
  readonly aggregate: "list" | "sum" | "count" | "mean" | "min" | "max" | "countDistinct";
  /** Source partitions, for watermark cases; events name their partition (default 0). */
  readonly partitions?: { readonly count: number; readonly maxDelay?: number; readonly idleTimeout?: number };
  readonly events: readonly CaseEvent[];
  readonly expected: readonly ExpectedPane[];
  /** Elements dropped as too late (past allowed lateness), counted in the metric. */
  readonly droppedLate?: number;
  /** Elements dropped because their window's trigger had finished (the window is closed; docs/core.md rule 2). */
  readonly droppedClosed?: number;
}

export type CaseEvent =
  /** An element: key, value and event time; optionally the source partition it arrives on. */
  | {
      readonly kind: "element";
      readonly key: string;
      readonly value: number | string;
      readonly at: Instant;
      readonly partition?: number;
    }
  /** The input watermark advances to `to` (ignored when partitions generate watermarks). */
  | { readonly kind: "watermark"; readonly to: Instant }
  /** Processing time advances to `to` (timers and processing-time triggers fire). */
  | { readonly kind: "processingTime"; readonly to: Instant }
  /** End of input: the watermark goes to Instant.MAX and every window fires and closes. */
  | { readonly kind: "end" };

export interface ExpectedPane {
  readonly key: string;
  readonly window: { readonly start: Instant; readonly end: Instant };
  /** For "list": the values sorted; for a combiner: its output. */
  readonly value: readonly (number | string)[] | number | string | null;
  readonly timestamp: Instant;
  readonly pane: {
    readonly index: number;
    readonly nonSpeculativeIndex: number;
    readonly timing: PaneTiming;
    readonly isFirst: boolean;
    readonly isLast: boolean;
  };
  /** True for a retraction of the previous pane's result (retracting accumulation). */
  readonly retraction?: boolean;
}
