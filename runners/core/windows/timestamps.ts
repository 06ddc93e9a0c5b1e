import { type Instant, type TimestampCombiner, type Window, maxTimestamp } from "../../../sdk/index.js";

/** One combiner's rules (Beam's TimestampCombiner): place one input in a window, combine two partial results. */
interface CombinerRules {
  assign(window: Window, t: Instant): Instant;
  combine(a: Instant, b: Instant): Instant;
  /** The result depends only on the window, not on the inputs (Beam's dependsOnlyOnWindow). */
  readonly onlyWindow: boolean;
  /** The result depends only on the earliest input (Beam's dependsOnlyOnEarliestTimestamp). */
  readonly onlyEarliest: boolean;
}

const RULES: Readonly<Record<TimestampCombiner, CombinerRules>> = {
  endOfWindow: {
    assign: (window) => maxTimestamp(window),
    // Both sides are already the window's last timestamp.
    combine: (a) => a,
    onlyWindow: true,
    onlyEarliest: false,
  },
  earliest: { assign: (_window, t) => t, combine: Math.min, onlyWindow: false, onlyEarliest: true },
  latest: { assign: (_window, t) => t, combine: Math.max, onlyWindow: false, onlyEarliest: false },
};

/** The output timestamp one input contributes to a pane of `window` (Beam's TimestampCombiner.assign). */
export const assignTimestamp = (combiner: TimestampCombiner, window: Window, t: Instant): Instant =>
  RULES[combiner].assign(window, t);

/** Combines two partial output timestamps of the same window; commutative and associative. */
export const combineTimestamps = (combiner: TimestampCombiner, a: Instant, b: Instant): Instant => RULES[combiner].combine(a, b);

/**
 * Folds one more input into an accumulator's partial output timestamp (`undefined` before the
 * first input): what an incremental (combining) pane keeps per window.
 */
export function addTimestamp(combiner: TimestampCombiner, window: Window, partial: Instant | undefined, t: Instant): Instant {
  const rules = RULES[combiner];
  const assigned = rules.assign(window, t);
  return partial === undefined ? assigned : rules.combine(partial, assigned);
}

/**
 * The output timestamp of a pane of `window` holding inputs with these timestamps. Without inputs
 * it is the window's last timestamp, as Beam's WatermarkHold gives a pane that holds nothing.
 */
export function paneTimestamp(combiner: TimestampCombiner, window: Window, inputs: Iterable<Instant>): Instant {
  let result: Instant | undefined;
  for (const t of inputs) result = addTimestamp(combiner, window, result, t);
  return result ?? maxTimestamp(window);
}

/**
 * The partial output timestamp of a window made by merging windows with these partials
 * (Beam's TimestampCombiner.merge): end-of-window moves to the merged window's end, the others
 * combine. `undefined` when no merged window had one.
 */
export function mergeTimestamps(combiner: TimestampCombiner, into: Window, partials: Iterable<Instant>): Instant | undefined {
  const rules = RULES[combiner];
  let result: Instant | undefined;
  for (const t of partials) result = result === undefined ? t : rules.combine(result, t);
  if (result === undefined) return undefined;
  return rules.onlyWindow ? rules.assign(into, result) : result;
}

/** Whether the output timestamp depends only on the window, so partials need not be kept. */
export const dependsOnlyOnWindow = (combiner: TimestampCombiner): boolean => RULES[combiner].onlyWindow;

/** Whether the output timestamp depends only on the earliest input. */
export const dependsOnlyOnEarliest = (combiner: TimestampCombiner): boolean => RULES[combiner].onlyEarliest;
