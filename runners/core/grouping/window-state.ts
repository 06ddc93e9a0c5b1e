import { type Instant, type PaneInfo, type Window } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { windowNamespace } from "../state/keys.js";
import { type TriggerMachine, type TriggerMachineFactory } from "../triggers/machine.js";

/** A result emitted earlier that a later pane retracts (retracting accumulation). */
export interface EmittedResult<O> {
  readonly window: Window;
  readonly value: O;
  readonly timestamp: Instant;
}

/** Everything the grouping operator keeps for one (key, window) while the window is open. */
export interface WindowState<A, O> {
  window: Window;
  /** Pane contents: a CombineFn accumulator (a list for groupByKey). */
  acc: A;
  /** Elements since the previous pane: a pane with none is empty. */
  newElements: number;
  /** The combined watermark hold of the elements since the previous pane, or null. */
  hold: Instant | null;
  trigger: TriggerMachine;
  /** The last pane actually output, or null before the first. */
  lastPane: PaneInfo | null;
  /** Retracting mode: the last result output, which the next pane retracts. */
  last: EmittedResult<O> | null;
  /** Retracting mode: results of windows merged into this one, retracted at its next pane. */
  pendingRetractions: EmittedResult<O>[];
  // Not in snapshots: what the operator knows of its own timers, so that an element does not
  // set again a timer already pending at the same time.
  /** The window's namespace (windowNamespace). */
  readonly ns: string;
  /** The pending end-of-window timer's time, or null if not known to be pending. */
  eowTimer: Instant | null;
  /** The pending garbage-collection timer's time, or null if not known to be pending. */
  gcTimer: Instant | null;
  /** The pending processing-time timer's time; null: known none; undefined: not known. */
  processingTimer: Instant | null | undefined;
}

const TIMINGS = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"] as const;

export function writeWindowState<A, O>(w: BinaryWriter, s: WindowState<A, O>): void {
  w.varint(s.window.start).varint(s.window.end).value(s.acc).uvarint(s.newElements);
  w.bool(s.hold !== null);
  if (s.hold !== null) w.varint(s.hold);
  s.trigger.snapshot(w);
  w.bool(s.lastPane !== null);
  if (s.lastPane) {
    const p = s.lastPane;
    w.uvarint(p.index).varint(p.nonSpeculativeIndex).u8(TIMINGS.indexOf(p.timing)).bool(p.isFirst).bool(p.isLast);
  }
  const results = s.last ? [s.last, ...s.pendingRetractions] : s.pendingRetractions;
  w.bool(s.last !== null).uvarint(results.length);
  for (const r of results) w.varint(r.window.start).varint(r.window.end).value(r.value).varint(r.timestamp);
}

export function readWindowState<A, O>(r: BinaryReader, triggers: TriggerMachineFactory): WindowState<A, O> {
  const window = { start: r.varint(), end: r.varint() };
  const acc = r.value<A>();
  const newElements = r.uvarint();
  const hold = r.bool() ? r.varint() : null;
  const trigger = triggers.restore(r);
  const lastPane: PaneInfo | null = r.bool()
    ? {
        index: r.uvarint(),
        nonSpeculativeIndex: r.varint(),
        timing: TIMINGS[r.u8()] ?? "UNKNOWN",
        isFirst: r.bool(),
        isLast: r.bool(),
      }
    : null;
  const hasLast = r.bool();
  const results: EmittedResult<O>[] = [];
  for (let n = r.uvarint(); n > 0; n--)
    results.push({ window: { start: r.varint(), end: r.varint() }, value: r.value<O>(), timestamp: r.varint() });
  const last = hasLast ? (results.shift() ?? null) : null;
  return {
    window,
    acc,
    newElements,
    hold,
    trigger,
    lastPane,
    last,
    pendingRetractions: results,
    ns: windowNamespace(window),
    eowTimer: null,
    gcTimer: null,
    processingTimer: undefined,
  };
}
