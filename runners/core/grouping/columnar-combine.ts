import { type RecordBatch } from "apache-arrow";
import {
  type CombineFn,
  type CombinerRef,
  GLOBAL_WINDOW,
  Instant,
  type WindowingStrategy,
  combinerRef,
  describeTrigger,
  describeWindowFn,
  windowFnProblems,
} from "../../../sdk/index.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import { DEFAULT_MAX_PARALLELISM, type KeyGroupRange, encodeKey, inKeyGroupRange, keyGroupOf } from "../state/keys.js";
import { assignFixedStart, windowEnd } from "../windows/assign.js";
import {
  CLOSED,
  COLUMNAR_COMBINERS,
  type ColumnarCombiner,
  EOW,
  HAS,
  KERNELS,
  type Kernel,
  SlotArena,
  addOne,
  paneValue,
} from "./columnar-arena.js";
import { type ColumnKey, KeyTable, type RowKeys, columnData, readEventTimes, readValues } from "./columnar-input.js";
import { LATE, ON_TIME, PaneColumnsBuilder } from "./columnar-panes.js";

export { type ColumnarCombiner } from "./columnar-arena.js";
export { PANE_TIMINGS, paneOutputs, paneSchema } from "./columnar-panes.js";

/** A combiner as the graph names it, or the CombineFn itself. */
export type CombinerSpec = CombinerRef | CombineFn<never, unknown, unknown>;

export interface ColumnarCombineOptions {
  /** The step name, for messages. */
  readonly step: string;
  readonly strategy: WindowingStrategy;
  readonly combiner: CombinerSpec;
  /** Column names: the key (Dictionary<Int, Utf8>, Utf8 or Int32), event time (Int64, Timestamp(ms) or Float64 epoch ms) and value (Float64; unused by count). */
  readonly columns: { readonly key: string; readonly eventTime: string; readonly value?: string };
  /** Receives the panes of each call that produced any, as one batch (columnar-panes.ts has the layout). */
  readonly emit: (panes: RecordBatch) => void;
  readonly maxParallelism?: number;
}

/**
 * Why `strategy` and `combiner` need the row operator (WindowOperator), each a sentence;
 * empty when the columnar combine has the same semantics.
 */
export function columnarProblems(strategy: WindowingStrategy, combiner: CombinerSpec): string[] {
  const problems: string[] = [];
  const fn = strategy.windowFn;
  if (fn.kind === "fixed" || fn.kind === "global") problems.push(...windowFnProblems(fn));
  else problems.push(`${describeWindowFn(fn)} windows: only fixed and global windows are columnar`);
  const t = strategy.trigger;
  if (!(t.kind === "default" || (t.kind === "afterWatermark" && t.early === null && t.late === null)))
    problems.push(
      `trigger ${describeTrigger(t)}: only the default trigger and afterWatermark() without early or late firings are columnar`,
    );
  if (strategy.accumulation !== "discarding") problems.push(`${strategy.accumulation} accumulation: only discarding is columnar`);
  if (strategy.timestampCombiner !== "endOfWindow")
    problems.push(`timestamp combiner ${strategy.timestampCombiner}: only endOfWindow is columnar`);
  const ref = "kind" in combiner ? combiner : combinerRef(combiner);
  if (ref.kind !== "builtin" || !(COLUMNAR_COMBINERS as readonly string[]).includes(ref.name))
    problems.push(
      `combiner ${ref.kind === "builtin" ? ref.name : "(user CombineFn)"}: only the builtin ${COLUMNAR_COMBINERS.join(", ")} are columnar`,
    );
  return problems;
}

export const isColumnarEligible = (strategy: WindowingStrategy, combiner: CombinerSpec): boolean =>
  columnarProblems(strategy, combiner).length === 0;

/** One open window: its arena slot and its timer times. */
interface Slot {
  id: number;
  readonly start: Instant;
  readonly end: Instant;
  /** maxTimestamp: the end-of-window timer. */
  readonly eow: Instant;
  /** The garbage-collection timer. */
  readonly gc: Instant;
  /** No pane has fired yet: batches add to it with the kernels. */
  fast: boolean;
}

/** Row codes besides a slot id: rows for the exact row path, rows dropped as late. */
const SLOW = -1;
const DROP = -2;
const SNAPSHOT_FORMAT = 1;
const KEY_KINDS = [null, "string", "int32"] as const;
const COMPACT_AT = 1 << 16;

/** A window's per-key state read from snapshots, before it goes into the arena. */
interface RestoredWindow {
  readonly start: Instant;
  readonly end: Instant;
  fast: boolean;
  readonly entries: { key: ColumnKey; position: number; flags: number; n: number; acc: number; panes: number }[];
}

/**
 * The window operator's semantics (docs/core.md, rules 1-10; WindowOperator) for Arrow
 * batches, when `isColumnarEligible`: fixed or global windows, the default trigger or
 * afterWatermark(), discarding, endOfWindow timestamps, a builtin sum/count/min/max/mean.
 * For those the output watermark always equals the input watermark (every hold sits at
 * the end of a window the watermark has not passed), panes are never early, and a pane's
 * timestamp is maxTimestamp(window), so the state per (key, window) is a few numbers kept
 * in dense typed arrays per window.
 *
 * A batch is added in passes: each row's window (cached over runs of rows), then a tight
 * loop per combiner for windows no pane has fired yet, then the exact element-at-a-time
 * path for the rest (late data within the allowed lateness, in row order).
 *
 * Outputs match WindowOperator's, in the same order, with one exception: when timers of
 * two windows fall on the same instant (allowedLateness a multiple of the window size,
 * closingBehavior fireAlways), the end-of-window panes come before the garbage-collection
 * ones, where the row operator interleaves them by when each key's timer was set.
 */
export class ColumnarCombine {
  private keys = new KeyTable();
  private arena = new SlotArena();
  private readonly slots = new Map<Instant, Slot>();
  private readonly out = new PaneColumnsBuilder();
  private readonly kind: ColumnarCombiner;
  private readonly kernel: Kernel;
  private readonly closesOnFire: boolean;
  private readonly maxParallelism: number;
  private input: Instant = Instant.MIN;
  private compactCheckAt = COMPACT_AT;
  private times = new Float64Array(0);
  private keyOf = new Int32Array(0);
  private slotOf = new Int32Array(0);
  /** Elements dropped as later than the allowed lateness. */
  droppedLate = 0;
  /** Elements dropped because their window's trigger had finished. */
  droppedClosed = 0;

  constructor(private readonly options: ColumnarCombineOptions) {
    const problems = columnarProblems(options.strategy, options.combiner);
    if (problems.length > 0) throw new RangeError(`step ${options.step} cannot combine columnar: ${problems.join("; ")}`);
    const ref = "kind" in options.combiner ? options.combiner : combinerRef(options.combiner);
    this.kind = (ref as { name: ColumnarCombiner }).name;
    if (this.kind !== "count" && options.columns.value === undefined)
      throw new RangeError(`step ${options.step}: ${this.kind} needs a value column`);
    this.kernel = KERNELS[this.kind];
    this.closesOnFire = options.strategy.trigger.kind === "afterWatermark";
    this.maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
  }

  get inputWatermark(): Instant {
    return this.input;
  }
  get outputWatermark(): Instant {
    return this.input;
  }

  /** Adds a batch: the same panes and counters as processElement for each row in turn (rule 3). */
  processBatch(batch: RecordBatch): void {
    const rows = batch.numRows;
    if (rows === 0) return;
    const { columns } = this.options;
    this.reserveRows(rows);
    const times = readEventTimes(columnData(batch, columns.eventTime), this.times);
    const keys = this.keys.mapRows(columnData(batch, columns.key), this.keyOf);
    this.arena.reserveKeys(this.keys.size);
    // count reads no values: it gets the times as a stand-in it never looks at.
    const values = columns.value === undefined ? this.times : readValues(columnData(batch, columns.value));
    const special = this.assign(times, rows);
    this.kernel(this.arena, rows, this.slotOf, keys, values);
    if (special) this.slowRows(times, rows, keys, values);
    this.flush();
  }

  /** Moves the input watermark (never back) and fires the windows' timers it passes, in time order (rule 4). */
  advanceWatermark(to: Instant): void {
    if (!(to > this.input)) return;
    const before = this.input;
    this.input = to;
    const due: { time: Instant; eow: boolean; slot: Slot }[] = [];
    for (const slot of this.slots.values()) {
      if (slot.eow >= before && slot.eow < to && slot.eow < slot.gc) due.push({ time: slot.eow, eow: true, slot });
      if (slot.gc < to) due.push({ time: slot.gc, eow: false, slot });
    }
    due.sort((a, b) => a.time - b.time || Number(b.eow) - Number(a.eow) || a.slot.start - b.slot.start);
    // Timers fire while the output watermark still has its previous value (rule 9).
    for (const d of due) {
      if (d.eow) this.onEndOfWindow(d.slot, before);
      else this.onGarbageCollection(d.slot, before);
    }
    this.flush();
    if (this.keys.size >= this.compactCheckAt) this.compactKeys();
  }

  /** Eligible triggers never wait for processing time; kept so runners drive both operators alike. */
  advanceProcessingTime(_now: Instant): void {}

  /** End of input (rule 10). */
  end(): void {
    this.advanceWatermark(Instant.MAX);
  }

  /** Keys with state, and (key, window) states, counted as WindowOperator counts them. */
  get stateSize(): { keys: number; windows: number } {
    const seen = new Uint8Array(this.keys.size);
    let keys = 0;
    let windows = 0;
    for (const slot of this.slots.values())
      for (const k of this.arena.keysOf(slot.id)) {
        windows++;
        if (seen[k] === 0) {
          seen[k] = 1;
          keys++;
        }
      }
    return { keys, windows };
  }

  // ---- batches ----

  private reserveRows(rows: number): void {
    if (this.times.length >= rows) return;
    this.times = new Float64Array(rows);
    this.keyOf = new Int32Array(rows);
    this.slotOf = new Int32Array(rows);
  }

  /** Each row's slot, or SLOW or DROP; the last two windows seen are cached, which covers in-order and bounded-delay input. */
  private assign(times: Float64Array, rows: number): boolean {
    const slotOf = this.slotOf;
    let lo = 0;
    let hi = 0;
    let code = 0;
    let lo2 = 0;
    let hi2 = 0;
    let code2 = 0;
    let special = false;
    for (let i = 0; i < rows; i++) {
      const t = times[i]!;
      if (t >= lo && t < hi) {
        slotOf[i] = code;
        continue;
      }
      if (t >= lo2 && t < hi2) {
        const l = lo;
        const h = hi;
        const c = code;
        lo = lo2;
        hi = hi2;
        code = code2;
        lo2 = l;
        hi2 = h;
        code2 = c;
        slotOf[i] = code;
        continue;
      }
      const w = this.classify(t);
      lo2 = lo;
      hi2 = hi;
      code2 = code;
      lo = w.start;
      hi = w.end;
      code = w.code;
      slotOf[i] = code;
      if (code < 0) special = true;
    }
    return special;
  }

  /** The window of `t` and how its rows are added: a fast slot, the row path, or dropped as late (rule 2). */
  private classify(t: Instant): { start: Instant; end: Instant; code: number } {
    if (!Number.isFinite(t)) throw new RangeError(`step ${this.options.step}: event time ${t} is not an instant`);
    const { start, end } = this.windowAt(t);
    const eow = end - 1;
    if (this.gcTime(eow) < this.input) return { start, end, code: DROP };
    if (eow < this.input) return { start, end, code: SLOW };
    const slot = this.slotAt(start, end);
    return { start, end, code: slot.fast ? slot.id : SLOW };
  }

  private slowRows(times: Float64Array, rows: number, keys: RowKeys, values: Float64Array): void {
    for (let i = 0; i < rows; i++) {
      const code = this.slotOf[i];
      if (code === DROP) this.droppedLate++;
      else if (code === SLOW) this.addElement(times[i]!, keys.map[keys.codes[i]!]!, values[i]!);
    }
  }

  /** One element exactly as WindowOperator.processElement adds it (rules 2-5). */
  private addElement(t: Instant, k: number, v: number): void {
    const { start, end } = this.windowAt(t);
    const eow = end - 1;
    const gc = this.gcTime(eow);
    if (gc < this.input) {
      this.droppedLate++;
      return;
    }
    const slot = this.slotAt(start, end);
    const a = this.arena;
    const j = slot.id * a.stride + k;
    if (a.flags[j]! & CLOSED) {
      this.droppedClosed++;
      return;
    }
    if (!(a.flags[j]! & HAS)) a.touch(slot.id, k, HAS);
    addOne(this.kind, a, j, v);
    if (eow >= this.input && eow < gc) a.flags[j]! |= EOW;
    if (this.input > eow) this.fireTrigger(slot, k, this.input);
  }

  // ---- timers and panes ----

  private onEndOfWindow(slot: Slot, output: Instant): void {
    const a = this.arena;
    const base = slot.id * a.stride;
    for (const k of a.keysOf(slot.id)) {
      if (!(a.flags[base + k]! & EOW)) continue;
      a.flags[base + k]! &= ~EOW;
      this.fireTrigger(slot, k, output);
    }
  }

  /** Rule 4: the final pane of every open key (if rule 6 wants it), then the window is forgotten. */
  private onGarbageCollection(slot: Slot, output: Instant): void {
    const a = this.arena;
    const base = slot.id * a.stride;
    for (const k of a.keysOf(slot.id)) if (!(a.flags[base + k]! & CLOSED)) this.emitPane(slot, k, output, true);
    a.release(slot.id);
    this.slots.delete(slot.start);
  }

  /** The trigger is ready (the watermark is past the window's end): default keeps the window open, afterWatermark() closes it. */
  private fireTrigger(slot: Slot, k: number, output: Instant): void {
    this.emitPane(slot, k, output, this.closesOnFire);
    if (this.closesOnFire) this.arena.flags[slot.id * this.arena.stride + k] = HAS | CLOSED;
  }

  /** Rules 5-7 for a pane that is never early: emit unless empty and unwanted, then discard the contents. */
  private emitPane(slot: Slot, k: number, output: Instant, isLast: boolean): void {
    const a = this.arena;
    const j = slot.id * a.stride + k;
    const index = a.panes[j]!;
    const timing = index > 0 || slot.eow < output ? LATE : ON_TIME;
    const { onTimeBehavior, closingBehavior } = this.options.strategy;
    const wanted =
      a.n[j]! > 0 || (timing === ON_TIME && onTimeBehavior === "fireAlways") || (isLast && closingBehavior === "fireAlways");
    if (wanted) {
      this.out.add(k, slot.start, slot.end, paneValue(this.kind, a, j), index, timing, isLast);
      a.panes[j] = index + 1;
    }
    a.n[j] = 0;
    a.acc[j] = 0;
    slot.fast = false;
  }

  private flush(): void {
    const batch = this.out.flush(this.keys);
    if (batch) this.options.emit(batch);
  }

  // ---- windows and keys ----

  private windowAt(t: Instant): { start: Instant; end: Instant } {
    const fn = this.options.strategy.windowFn;
    if (fn.kind !== "fixed") return GLOBAL_WINDOW;
    const start = assignFixedStart(fn.size, fn.offset, t);
    return { start, end: windowEnd(start, fn.size) };
  }

  private gcTime(eow: Instant): Instant {
    return Math.min(eow + this.options.strategy.allowedLateness, Instant.END_OF_GLOBAL_WINDOW);
  }

  private slotAt(start: Instant, end: Instant): Slot {
    let slot = this.slots.get(start);
    if (!slot) {
      const eow = end - 1;
      const gc = this.gcTime(eow);
      // A key a fast batch adds gets its end-of-window timer, unless that is the GC timer (no lateness).
      slot = { id: this.arena.alloc(HAS | (eow < gc ? EOW : 0)), start, end, eow, gc, fast: true };
      this.slots.set(start, slot);
    }
    return slot;
  }

  /** Forgets keys no window holds once they are most of the table (keys that come and go would grow it forever). */
  private compactKeys(): void {
    const live = this.stateSize.keys;
    this.compactCheckAt = Math.max(COMPACT_AT, this.keys.size * 2);
    if (live * 2 > this.keys.size) return;
    const [keys, arena] = [this.keys, this.arena];
    this.keys = new KeyTable();
    this.arena = new SlotArena();
    for (const slot of this.slots.values()) {
      const id = this.arena.alloc(arena.firstFlags[slot.id]!);
      for (const k of arena.keysOf(slot.id)) {
        const j = slot.id * arena.stride + k;
        this.setState(id, keys.keyAt(k), arena.flags[j]!, arena.n[j]!, arena.acc[j]!, arena.panes[j]!);
      }
      slot.id = id;
    }
  }

  private setState(slot: number, key: ColumnKey, flags: number, n: number, acc: number, panes: number): void {
    const k = this.keys.indexOf(key);
    this.arena.reserveKeys(this.keys.size);
    const a = this.arena;
    const j = slot * a.stride + k;
    if (a.flags[j] === 0) a.touch(slot, k, flags);
    [a.flags[j], a.n[j], a.acc[j], a.panes[j]] = [flags, n, acc, panes];
  }

  // ---- snapshots ----

  /** The input watermark, counters, and every window's per-key state (of the given key groups, default all). */
  snapshot(keyGroups?: Iterable<number>): Uint8Array {
    const wanted = keyGroups ? new Set(keyGroups) : null;
    const w = new BinaryWriter().u8(SNAPSHOT_FORMAT);
    w.varint(this.input).uvarint(this.droppedLate).uvarint(this.droppedClosed).u8(KEY_KINDS.indexOf(this.keys.kind));
    const a = this.arena;
    w.uvarint(this.slots.size);
    for (const slot of this.slots.values()) {
      const base = slot.id * a.stride;
      const order = a.keysOf(slot.id);
      // Each key with its first-arrival position, which a restore from several snapshots sorts by.
      const positions = [...order.keys()].filter((p) => !wanted || wanted.has(this.keyGroup(this.keys.keyAt(order[p]!))));
      w.varint(slot.start).varint(slot.end).bool(slot.fast).uvarint(positions.length);
      for (const p of positions) {
        const k = order[p]!;
        const key = this.keys.keyAt(k);
        if (typeof key === "string") w.string(key);
        else w.varint(key);
        w.uvarint(p)
          .u8(a.flags[base + k]!)
          .uvarint(a.n[base + k]!)
          .f64(a.acc[base + k]!)
          .uvarint(a.panes[base + k]!);
      }
    }
    return w.finish();
  }

  /**
   * An operator with the state of the key groups in `owned` (default all) from any number of
   * snapshots, as WindowOperator.restore: the watermark restarts at the earliest, counters add up.
   */
  static restore(options: ColumnarCombineOptions, snapshots: readonly Uint8Array[], owned?: KeyGroupRange): ColumnarCombine {
    const op = new ColumnarCombine(options);
    const range = owned ?? { start: 0, end: op.maxParallelism };
    const windows = new Map<Instant, RestoredWindow>();
    snapshots.forEach((bytes, i) => op.readSnapshot(new BinaryReader(bytes), i === 0, range, windows));
    for (const w of windows.values()) {
      const slot = op.slotAt(w.start, w.end);
      slot.fast = w.fast;
      // Keys in their first-arrival order, so panes come out as before (snapshots split by key group interleave).
      w.entries.sort((a, b) => a.position - b.position);
      for (const e of w.entries) op.setState(slot.id, e.key, e.flags, e.n, e.acc, e.panes);
    }
    return op;
  }

  private readSnapshot(r: BinaryReader, first: boolean, range: KeyGroupRange, windows: Map<Instant, RestoredWindow>): void {
    if (r.u8() !== SNAPSHOT_FORMAT) throw new RangeError(`columnar combine ${this.options.step}: unknown snapshot format`);
    const input = r.varint();
    this.input = first ? input : Math.min(this.input, input);
    this.droppedLate += r.uvarint();
    this.droppedClosed += r.uvarint();
    const keyKind = KEY_KINDS[r.u8()];
    for (let slots = r.uvarint(); slots > 0; slots--) {
      const [start, end, fast] = [r.varint(), r.varint(), r.bool()];
      for (let n = r.uvarint(); n > 0; n--) {
        const key: ColumnKey = keyKind === "string" ? r.string() : r.varint();
        const entry = { key, position: r.uvarint(), flags: r.u8(), n: r.uvarint(), acc: r.f64(), panes: r.uvarint() };
        if (!inKeyGroupRange(range, this.keyGroup(key))) continue;
        let w = windows.get(start);
        if (!w) windows.set(start, (w = { start, end, fast, entries: [] }));
        w.fast &&= fast;
        w.entries.push(entry);
      }
    }
    if (!r.done) throw new RangeError(`columnar combine ${this.options.step}: snapshot has trailing bytes`);
  }

  private keyGroup(key: ColumnKey): number {
    return keyGroupOf(encodeKey(key), this.maxParallelism);
  }
}
