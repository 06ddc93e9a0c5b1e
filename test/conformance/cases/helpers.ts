import { type Instant, type PaneTiming } from "../../../sdk/index.js";
import { type CaseEvent, type ExpectedPane } from "../case.js";

// Small builders so the cases read as data. They only spell values out; they compute nothing.

/** An element of `key` with `value` at event time `at`, optionally on a source partition. */
export const el = (key: string, value: number | string, at: Instant, partition?: number): CaseEvent =>
  partition === undefined ? { kind: "element", key, value, at } : { kind: "element", key, value, at, partition };

/** The input watermark advances to `to`. */
export const wm = (to: Instant): CaseEvent => ({ kind: "watermark", to });

/** Processing time advances to `to` (it starts at 0; elements arrive at the current processing time). */
export const pt = (to: Instant): CaseEvent => ({ kind: "processingTime", to });

/** End of input: the input watermark goes to Instant.MAX (docs/core.md rule 10). */
export const end: CaseEvent = Object.freeze({ kind: "end" });

/** The half-open window [start, end); its maxTimestamp is end - 1. */
export const win = (start: Instant, end: Instant): ExpectedPane["window"] => ({ start, end });

/** Pane info, spelled out in the order of Beam's PaneInfo.createPane: index, nonSpeculativeIndex, timing, isFirst, isLast. */
export const pane = (
  index: number,
  nonSpeculativeIndex: number,
  timing: PaneTiming,
  isFirst: boolean,
  isLast: boolean,
): ExpectedPane["pane"] => ({ index, nonSpeculativeIndex, timing, isFirst, isLast });
