import { type Instant, type PaneInfo, parDo } from "../../../sdk/index.js";
import { windowOf } from "../runner-case.js";

// Small DoFns the topic pipelines share: they make what a runner attached to an element
// (event time, window, pane) part of the collected value, so that the cases can state it.

/** An element with its event time and window, and optionally its pane. */
export interface Described<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly window: { readonly start: Instant; readonly end: Instant };
  readonly pane?: PaneInfo;
}

/** Records each element's event time and window (and pane, with `pane: true`). */
export const describe = <T>(options: { readonly name?: string; readonly pane?: boolean } = {}) =>
  parDo<T, Described<T>>(
    {
      process: (value, ctx) =>
        ctx.output({
          value,
          timestamp: ctx.timestamp,
          window: windowOf(ctx.window),
          ...(options.pane ? { pane: { ...ctx.pane } } : {}),
        }),
    },
    { name: options.name ?? "Describe" },
  );

/** Natural order for numbers and strings, as the cases sort lists whose order is unspecified. */
export const byNaturalOrder = <T extends number | string>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** A sorted copy. */
export const sorted = <T extends number | string>(xs: Iterable<T>): T[] => [...xs].sort(byNaturalOrder);

/** A pane as Beam's PaneInfo.createPane spells it: index, nonSpeculativeIndex, timing, isFirst, isLast. */
export const pane = (
  index: number,
  nonSpeculativeIndex: number,
  timing: PaneInfo["timing"],
  isFirst: boolean,
  isLast: boolean,
): PaneInfo => ({ index, nonSpeculativeIndex, timing, isFirst, isLast });

/** The one pane of a window that fired once, on time, when a bounded input ended. */
export const ONLY_PANE: PaneInfo = pane(0, 0, "ON_TIME", true, true);
