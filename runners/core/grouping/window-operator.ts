import {
  type CombineFn,
  Instant,
  type PaneInfo,
  type PaneTiming,
  type Window,
  type WindowingStrategy,
  isMerging,
  maxTimestamp,
} from "../../../sdk/index.js";
import { type Clock, systemClock } from "../clock.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import {
  DEFAULT_MAX_PARALLELISM,
  type KeyGroupRange,
  encodeKey,
  inKeyGroupRange,
  keyGroupOf,
  windowNamespace,
} from "../state/keys.js";
import { type FiredTimer, TimerService } from "../state/timers.js";
import { type MachineFactoryFor, type TriggerContext, type TriggerMachineFactory } from "../triggers/machine.js";
import { MergingWindowSet } from "../windows/merge.js";
import { HoldTracker } from "./holds.js";
import { type EmittedResult, type WindowState, readWindowState, writeWindowState } from "./window-state.js";

/** One output of the operator: a pane of a key's window, or the retraction of an earlier one. */
export interface PaneOutput<O> {
  readonly key: unknown;
  readonly window: Window;
  readonly value: O;
  readonly timestamp: Instant;
  readonly pane: PaneInfo;
  readonly retraction: boolean;
}

export interface WindowOperatorOptions<V, A, O> {
  /** The step name: timers and snapshots are keyed by it. */
  readonly step: string;
  readonly strategy: WindowingStrategy;
  /** What a pane holds: a CombineFn (groupByKey uses one that collects a list). */
  readonly combineFn: CombineFn<V, A, O>;
  readonly triggers: MachineFactoryFor;
  readonly emit: (out: PaneOutput<O>) => void;
  readonly maxParallelism?: number;
  /** Processing time for triggers (real time by default, a ManualClock in tests). */
  readonly clock?: Clock;
  /**
   * How many elements an input stands for, in the dropped counts: a lifted combine's input is
   * a partial of many elements (liftedWeight). Default 1.
   */
  readonly weightOf?: (value: V) => number;
}

/** One key's windows: open ones, closed ones waiting for garbage collection, and (sessions) the merge set. */
interface KeyState<A, O> {
  readonly key: unknown;
  /** The encoded key (encodeKey). */
  readonly id: string;
  readonly keyGroup: number;
  readonly open: Map<string, WindowState<A, O>>;
  /** Windows whose trigger finished: elements for them are dropped until their GC time. */
  closed: Map<string, Window> | null;
  readonly sessions: MergingWindowSet | null;
}

const ns = windowNamespace;
const EOW = "eow";
const GC = "gc";
const PROCESSING = "pt";
const SNAPSHOT_FORMAT = 1;

/**
 * Groups (key, window) panes with Beam's ReduceFnRunner semantics: docs/core.md, "The window
 * operator's semantics", rules 1-10. Both runners use it for groupByKey and combinePerKey.
 */
export class WindowOperator<V, A, O> {
  private readonly keys = new Map<string, KeyState<A, O>>();
  private readonly holds = new HoldTracker();
  private readonly machines: TriggerMachineFactory;
  private readonly merging: boolean;
  private readonly maxParallelism: number;
  private input: Instant = Instant.MIN;
  private output: Instant = Instant.MIN;
  private processingTime: Instant = Instant.MIN;
  private timers = new TimerService();
  private lastWindow: Window = { start: 0, end: 0 };
  private lastNamespace = ns(this.lastWindow);
  /** Elements dropped as later than the allowed lateness. */
  droppedLate = 0;
  /** Elements dropped because their window's trigger had finished. */
  droppedClosed = 0;

  constructor(private readonly options: WindowOperatorOptions<V, A, O>) {
    this.merging = isMerging(options.strategy.windowFn);
    this.machines = options.triggers(options.strategy.trigger, { merging: this.merging });
    this.maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
  }

  get inputWatermark(): Instant {
    return this.input;
  }
  get outputWatermark(): Instant {
    return this.output;
  }

  /** One bundle of one element (rule 3): add it to each of its windows, then fire what should fire. */
  processElement(key: unknown, value: V, timestamp: Instant, windows: readonly Window[], retraction = false): void {
    // Processing-time deadlines start from now; timers that came due fire first.
    this.advanceProcessingTime((this.options.clock ?? systemClock).now());
    const ks = this.keyState(key);
    const touched: WindowState<A, O>[] = [];
    for (const proto of windows) {
      const st = this.addToWindow(ks, proto, value, timestamp, retraction);
      if (st && !touched.includes(st)) touched.push(st);
    }
    for (const st of touched) if (ks.open.get(st.ns) === st && st.trigger.shouldFire(this.ctx(st.window))) this.fire(ks, st);
    this.dropIfEmpty(ks);
    this.advanceOutput();
  }

  /** Moves the input watermark (never back), fires the event-time timers it passes in order, then the output watermark. */
  advanceWatermark(to: Instant): void {
    if (to <= this.input) return;
    this.input = to;
    this.timers.setWatermark(to);
    for (let t = this.timers.pollEventTimer(); t; t = this.timers.pollEventTimer()) this.onEventTimer(t);
    this.advanceOutput();
  }

  /** Moves processing time and evaluates the triggers waiting for it. */
  advanceProcessingTime(now: Instant): void {
    if (now <= this.processingTime) return;
    this.processingTime = now;
    this.timers.setProcessingTime(now);
    for (let t = this.timers.pollProcessingTimer(); t; t = this.timers.pollProcessingTimer()) {
      const ks = this.keys.get(t.key);
      const st = ks?.open.get(t.namespace);
      if (!ks || !st) continue;
      st.processingTimer = null;
      if (st.trigger.shouldFire(this.ctx(st.window))) this.fire(ks, st);
      else this.scheduleProcessingTimer(ks, st);
      this.dropIfEmpty(ks);
    }
    this.advanceOutput();
  }

  /** End of input (rule 10): every window reaches its end and its garbage-collection time. */
  end(): void {
    this.advanceWatermark(Instant.MAX);
  }

  /** Keys and open or closed windows held (for tests and metrics). */
  get stateSize(): { keys: number; windows: number } {
    let windows = 0;
    for (const ks of this.keys.values()) windows += ks.open.size + (ks.closed?.size ?? 0);
    return { keys: this.keys.size, windows };
  }

  // ---- snapshots ----

  /** The operator's state: clocks, counters, timers, and each key group's keys and windows apart. */
  snapshot(keyGroups?: Iterable<number>): Uint8Array {
    const wanted = keyGroups ? new Set(keyGroups) : null;
    const byGroup = new Map<number, KeyState<A, O>[]>();
    for (const ks of this.keys.values()) {
      if (wanted && !wanted.has(ks.keyGroup)) continue;
      const list = byGroup.get(ks.keyGroup) ?? [];
      list.push(ks);
      byGroup.set(ks.keyGroup, list);
    }
    const w = new BinaryWriter().u8(SNAPSHOT_FORMAT);
    w.varint(this.input).varint(this.output).varint(this.processingTime).uvarint(this.droppedLate).uvarint(this.droppedClosed);
    w.bytes(this.timers.snapshot(wanted ?? undefined)).uvarint(byGroup.size);
    for (const [group, states] of byGroup) {
      w.uvarint(group).uvarint(states.length);
      for (const ks of states) {
        w.value(ks.key).uvarint(ks.open.size);
        for (const st of ks.open.values()) writeWindowState(w, st);
        w.uvarint(ks.closed?.size ?? 0);
        for (const c of ks.closed?.values() ?? []) w.varint(c.start).varint(c.end);
        if (ks.sessions) ks.sessions.writeTo(w);
      }
    }
    return w.finish();
  }

  /**
   * An operator with the state of the key groups in `owned` from any number of snapshots (one, or
   * one per worker of a run with another parallelism). Watermarks restart at the earliest.
   */
  static restore<V, A, O>(
    options: WindowOperatorOptions<V, A, O>,
    snapshots: readonly Uint8Array[],
    owned?: KeyGroupRange,
  ): WindowOperator<V, A, O> {
    const op = new WindowOperator(options);
    const range = owned ?? { start: 0, end: op.maxParallelism };
    const timerBytes: Uint8Array[] = [];
    let first = true;
    for (const bytes of snapshots) {
      const r = new BinaryReader(bytes);
      if (r.u8() !== SNAPSHOT_FORMAT) throw new RangeError(`window operator ${options.step}: unknown snapshot format`);
      const [input, output, processing] = [r.varint(), r.varint(), r.varint()];
      op.input = first ? input : Math.min(op.input, input);
      op.output = first ? output : Math.min(op.output, output);
      op.processingTime = first ? processing : Math.min(op.processingTime, processing);
      op.droppedLate += r.uvarint();
      op.droppedClosed += r.uvarint();
      first = false;
      timerBytes.push(r.bytes());
      for (let groups = r.uvarint(); groups > 0; groups--) {
        const group = r.uvarint();
        for (let n = r.uvarint(); n > 0; n--) op.readKey(r, group, inKeyGroupRange(range, group));
      }
      if (!r.done) throw new RangeError(`window operator ${options.step}: snapshot has trailing bytes`);
    }
    op.timers = TimerService.restore(timerBytes, range);
    return op;
  }

  private readKey(r: BinaryReader, keyGroup: number, keep: boolean): void {
    const key = r.value();
    const ks: KeyState<A, O> = { key, id: encodeKey(key), keyGroup, open: new Map(), closed: null, sessions: null };
    for (let n = r.uvarint(); n > 0; n--) {
      const st = readWindowState<A, O>(r, this.machines);
      ks.open.set(st.ns, st);
      if (keep && st.hold !== null) this.holds.add(st.hold);
    }
    for (let n = r.uvarint(); n > 0; n--) {
      const c = { start: r.varint(), end: r.varint() };
      (ks.closed ??= new Map()).set(ns(c), c);
    }
    const sessions = this.merging ? MergingWindowSet.readFrom(r) : null;
    if (keep) this.keys.set(ks.id, { ...ks, sessions });
  }

  // ---- elements ----

  private addToWindow(
    ks: KeyState<A, O>,
    proto: Window,
    value: V,
    timestamp: Instant,
    retraction: boolean,
  ): WindowState<A, O> | null {
    if (this.gcTime(proto) < this.input) {
      this.droppedLate += this.options.weightOf?.(value) ?? 1;
      return null;
    }
    const window = ks.sessions ? this.mergeInto(ks, proto) : proto;
    const id = this.namespaceOf(window);
    if (ks.closed?.has(id)) {
      this.droppedClosed += this.options.weightOf?.(value) ?? 1;
      return null;
    }
    let st = ks.open.get(id);
    if (!st) {
      st = this.newWindowState(window, id);
      ks.open.set(id, st);
    }
    st.acc = retraction ? this.retract(st.acc, value) : this.options.combineFn.addInput(st.acc, value);
    st.newElements++;
    if (timestamp >= this.output)
      this.setHold(st, this.options.strategy.timestampCombiner === "endOfWindow" ? maxTimestamp(window) : timestamp);
    st.trigger.onElement(this.ctx(window), timestamp);
    this.scheduleWindowTimer(ks, st);
    this.scheduleProcessingTimer(ks, st);
    return st;
  }

  /** An upstream retraction undoes one earlier input; a combiner that cannot do that fails the step by name. */
  private retract(acc: A, value: V): A {
    const { retract } = this.options.combineFn;
    if (!retract)
      throw new Error(
        `step "${this.options.step}": received a retraction, but its combiner has no retract(); ` +
          `give the CombineFn a retract method or do not use retracting accumulation upstream`,
      );
    return retract.call(this.options.combineFn, acc, value);
  }

  /** windowNamespace, without building the string again for a run of elements in one window. */
  private namespaceOf(window: Window): string {
    const last = this.lastWindow;
    if (window !== last && (window.start !== last.start || window.end !== last.end)) {
      this.lastWindow = window;
      this.lastNamespace = ns(window);
    }
    return this.lastNamespace;
  }

  private newWindowState(window: Window, id: string = ns(window)): WindowState<A, O> {
    return {
      ns: id,
      eowTimer: null,
      gcTimer: null,
      processingTimer: null,
      window,
      acc: this.options.combineFn.createAccumulator(),
      newElements: 0,
      hold: null,
      trigger: this.machines.create(),
      lastPane: null,
      last: null,
      pendingRetractions: [],
    };
  }

  /** Rule 1: adds a session proto-window, merging the state of every window it joins; returns the element's window. */
  private mergeInto(ks: KeyState<A, O>, proto: Window): Window {
    const outcome = (ks.sessions as MergingWindowSet).add(proto);
    if (outcome.merged.length === 0) return outcome.window;
    const sources = outcome.merged.map((w) => ks.open.get(ns(w))).filter((s): s is WindowState<A, O> => s !== undefined);
    const target = this.newWindowState(outcome.window);
    const fn = this.options.combineFn;
    target.acc = fn.mergeAccumulators(sources.map((s) => s.acc));
    for (const s of sources) {
      target.newElements += s.newElements;
      if (s.hold !== null) {
        const hold = this.options.strategy.timestampCombiner === "endOfWindow" ? maxTimestamp(outcome.window) : s.hold;
        this.setHold(target, hold);
        this.clearHold(s);
      }
      target.pendingRetractions.push(...s.pendingRetractions, ...(s.last ? [s.last] : []));
      ks.open.delete(s.ns);
      this.deleteWindowTimers(ks, s.window);
    }
    target.trigger.onMerge(
      this.ctx(outcome.window),
      sources.map((s) => s.trigger),
    );
    ks.open.set(target.ns, target);
    return outcome.window;
  }

  // ---- timers ----

  private onEventTimer(t: FiredTimer): void {
    const ks = this.keys.get(t.key);
    if (!ks) return;
    const closed = ks.closed?.get(t.namespace);
    if (closed) {
      if (t.name === GC && ks.closed!.delete(t.namespace) && ks.closed!.size === 0) ks.closed = null;
      this.dropIfEmpty(ks);
      return;
    }
    const st = ks.open.get(t.namespace);
    if (!st) return;
    if (t.time >= this.gcTime(st.window)) {
      // Rule 4: garbage collection emits the final pane if rule 6 wants it, then forgets the window.
      this.onTrigger(ks, st, true);
      this.forget(ks, st);
    } else {
      if (st.trigger.shouldFire(this.ctx(st.window))) this.fire(ks, st);
      // A window that closed on this firing already has its GC timer.
      if (t.name === EOW && ks.open.get(t.namespace) === st) this.setTimer(ks, st.window, GC, this.gcTime(st.window));
    }
    this.dropIfEmpty(ks);
  }

  /**
   * Beam sets an end-of-window timer while the window's end is ahead, else the GC timer. A timer
   * this state set earlier at the same time, not yet passed by the watermark, is still pending
   * (only the watermark fires it), so it is not set again.
   */
  private scheduleWindowTimer(ks: KeyState<A, O>, st: WindowState<A, O>): void {
    const window = st.window;
    const eow = maxTimestamp(window);
    const gc = this.gcTime(window);
    if (eow >= this.input && eow < gc) {
      if (st.eowTimer === eow) return;
      this.setTimer(ks, window, EOW, eow);
      st.eowTimer = eow;
    } else {
      if (st.gcTimer === gc && gc >= this.input) return;
      this.setTimer(ks, window, GC, gc);
      st.gcTimer = gc;
    }
  }

  /** A processing-time timer one millisecond before the trigger's deadline: timers fire once time passes them. */
  private scheduleProcessingTimer(ks: KeyState<A, O>, st: WindowState<A, O>): void {
    const next = st.trigger.isFinished ? null : st.trigger.nextProcessingTime(this.ctx(st.window));
    // A deadline already reached that did not fire waits for the next element or timer, not a busy loop.
    const at = next === null || next <= this.processingTime ? null : next - 1;
    if (at === st.processingTimer) return;
    const address = this.address(ks, st.window, PROCESSING);
    if (at === null) this.timers.deleteTimer(address);
    else this.timers.setTimer(address, at, "processingTime");
    st.processingTimer = at;
  }

  private setTimer(ks: KeyState<A, O>, window: Window, name: string, time: Instant): void {
    this.timers.setTimer(this.address(ks, window, name), time, "eventTime");
  }

  private deleteWindowTimers(ks: KeyState<A, O>, window: Window): void {
    for (const name of [EOW, GC, PROCESSING]) this.timers.deleteTimer(this.address(ks, window, name));
  }

  private address(ks: KeyState<A, O>, window: Window, name: string) {
    return { step: this.options.step, keyGroup: ks.keyGroup, key: ks.id, namespace: ns(window), name };
  }

  // ---- panes ----

  /** Rule 5: the trigger fired; emit, and close the window if the trigger is finished. */
  private fire(ks: KeyState<A, O>, st: WindowState<A, O>): void {
    const ctx = this.ctx(st.window);
    st.trigger.onFire(ctx);
    const finished = st.trigger.isFinished;
    this.onTrigger(ks, st, finished);
    if (finished) {
      this.forget(ks, st);
      (ks.closed ??= new Map()).set(st.ns, st.window);
      this.setTimer(ks, st.window, GC, this.gcTime(st.window));
    } else {
      if (this.options.strategy.accumulation === "discarding") st.acc = this.options.combineFn.createAccumulator();
      this.scheduleProcessingTimer(ks, st);
    }
  }

  /** Emits the pane if rule 6 allows; resets the per-pane bookkeeping either way. */
  private onTrigger(ks: KeyState<A, O>, st: WindowState<A, O>, isFinished: boolean): void {
    const timestamp = st.hold ?? maxTimestamp(st.window);
    this.clearHold(st);
    const isEmpty = st.newElements === 0;
    st.newElements = 0;
    const pane = this.nextPane(st, isFinished);
    if (!this.needToEmit(isEmpty, isFinished, pane.timing)) return;
    const { emit, combineFn, strategy } = this.options;
    const value = combineFn.extractOutput(st.acc);
    if (strategy.accumulation === "retracting") {
      for (const r of st.last ? [...st.pendingRetractions, st.last] : st.pendingRetractions)
        emit({ key: ks.key, window: r.window, value: r.value, timestamp: r.timestamp, pane, retraction: true });
      st.pendingRetractions = [];
      st.last = isFinished ? null : ({ window: st.window, value, timestamp } satisfies EmittedResult<O>);
    }
    st.lastPane = pane;
    emit({ key: ks.key, window: st.window, value, timestamp, pane, retraction: false });
  }

  private needToEmit(isEmpty: boolean, isFinished: boolean, timing: PaneTiming): boolean {
    const { onTimeBehavior, closingBehavior } = this.options.strategy;
    return (
      !isEmpty || (timing === "ON_TIME" && onTimeBehavior === "fireAlways") || (isFinished && closingBehavior === "fireAlways")
    );
  }

  /** Beam's PaneInfoTracker: timing from the watermarks and the previous pane (rule 5). */
  private nextPane(st: WindowState<A, O>, isLast: boolean): PaneInfo {
    const prev = st.lastPane;
    const maxTs = maxTimestamp(st.window);
    const lateForOutput = maxTs < this.output;
    const onlyEarlySoFar = prev === null || prev.timing === "EARLY";
    const index = prev === null ? 0 : prev.index + 1;
    const nextNonSpeculative = prev === null ? 0 : prev.nonSpeculativeIndex + 1;
    if (lateForOutput || !onlyEarlySoFar)
      return { index, nonSpeculativeIndex: nextNonSpeculative, timing: "LATE", isFirst: prev === null, isLast };
    if (this.input <= maxTs) return { index, nonSpeculativeIndex: -1, timing: "EARLY", isFirst: prev === null, isLast };
    return { index, nonSpeculativeIndex: nextNonSpeculative, timing: "ON_TIME", isFirst: prev === null, isLast };
  }

  // ---- holds and watermarks ----

  private setHold(st: WindowState<A, O>, t: Instant): void {
    const combined =
      st.hold === null ? t : this.options.strategy.timestampCombiner === "latest" ? Math.max(st.hold, t) : Math.min(st.hold, t);
    if (combined === st.hold) return;
    if (st.hold !== null) this.holds.remove(st.hold);
    this.holds.add(combined);
    st.hold = combined;
  }

  private clearHold(st: WindowState<A, O>): void {
    if (st.hold !== null) this.holds.remove(st.hold);
    st.hold = null;
  }

  /** Rule 9: the output watermark follows the input, held back by pending panes, never backwards. */
  private advanceOutput(): void {
    const next = Math.min(this.input, this.holds.min());
    if (next > this.output) this.output = next;
  }

  // ---- keys and windows ----

  private keyState(key: unknown): KeyState<A, O> {
    const id = encodeKey(key);
    let ks = this.keys.get(id);
    if (!ks) {
      ks = {
        key,
        id,
        keyGroup: keyGroupOf(id, this.maxParallelism),
        open: new Map(),
        // Most keys never have a closed window: the map is made for the first.
        closed: null,
        sessions: this.merging ? new MergingWindowSet() : null,
      };
      this.keys.set(id, ks);
    }
    return ks;
  }

  /** Forgets an open window's state and timers (closing or garbage collection). */
  private forget(ks: KeyState<A, O>, st: WindowState<A, O>): void {
    this.clearHold(st);
    ks.open.delete(st.ns);
    ks.sessions?.remove(st.window);
    this.deleteWindowTimers(ks, st.window);
  }

  private dropIfEmpty(ks: KeyState<A, O>): void {
    if (ks.open.size === 0 && (ks.closed?.size ?? 0) === 0) this.keys.delete(ks.id);
  }

  private gcTime(w: Window): Instant {
    return Math.min(maxTimestamp(w) + this.options.strategy.allowedLateness, Instant.END_OF_GLOBAL_WINDOW);
  }

  private ctx(window: Window): TriggerContext {
    return { window, inputWatermark: this.input, processingTime: this.processingTime };
  }
}
