import {
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int8,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import { type Instant, type PaneInfo, type PaneTiming } from "../../../sdk/index.js";
import { type ColumnKey, type KeyKind, type KeyTable } from "./columnar-input.js";
import { type PaneOutput } from "./window-operator.js";

/**
 * The panes of the columnar combine, one row per pane, as an Arrow RecordBatch (the output
 * stays columnar for the steps after it). Columns, in order:
 *
 * | column | type | what |
 * |---|---|---|
 * | key | Dictionary<Int32, Utf8> (the operator's key table), or Int32 for Int32 keys | the grouping key |
 * | window_start, window_end | Timestamp(ms, UTC) | the window `[start, end)` |
 * | value | Float64, nullable | the combined value; null for min/max of an empty pane |
 * | timestamp | Timestamp(ms, UTC) | the pane's timestamp (maxTimestamp(window): endOfWindow) |
 * | pane_index, pane_nonspeculative_index | Int32 | PaneInfo.index, .nonSpeculativeIndex |
 * | pane_timing | Dictionary<Int8, Utf8> | "EARLY", "ON_TIME", "LATE" or "UNKNOWN" |
 * | pane_is_first, pane_is_last | Bool | PaneInfo.isFirst, .isLast |
 *
 * `paneOutputs` turns a batch back into the window operator's PaneOutput objects.
 */
export const PANE_TIMINGS: readonly PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];
export const ON_TIME = 1;
export const LATE = 2;

const TIMING_DICTIONARY = vectorFromArray([...PANE_TIMINGS], new Utf8());
const instantType = (): Timestamp => new Timestamp(TimeUnit.MILLISECOND, "UTC");

export function paneSchema(keyKind: KeyKind): Schema {
  return new Schema([
    new Field("key", keyKind === "int32" ? new Int32() : new Dictionary(new Utf8(), new Int32()), false),
    new Field("window_start", instantType(), false),
    new Field("window_end", instantType(), false),
    new Field("value", new Float64(), true),
    new Field("timestamp", instantType(), false),
    new Field("pane_index", new Int32(), false),
    new Field("pane_nonspeculative_index", new Int32(), false),
    new Field("pane_timing", new Dictionary(new Utf8(), new Int8()), false),
    new Field("pane_is_first", new Bool(), false),
    new Field("pane_is_last", new Bool(), false),
  ]);
}

/** Pane rows as they are produced; `flush` makes them one RecordBatch. */
export class PaneColumnsBuilder {
  private length = 0;
  private keys = new Int32Array(1024);
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  private values = new Float64Array(1024);
  private valid = new Uint8Array(1024);
  private indexes = new Int32Array(1024);
  private timings = new Int8Array(1024);
  private firsts = new Uint8Array(1024);
  private lasts = new Uint8Array(1024);

  /** One pane of a non-early, non-retracting firing: nonSpeculativeIndex equals index. */
  add(key: number, start: Instant, end: Instant, value: number | null, index: number, timing: number, isLast: boolean): void {
    if (this.length === this.keys.length) this.grow();
    const i = this.length++;
    this.keys[i] = key;
    this.starts[i] = start;
    this.ends[i] = end;
    this.values[i] = value ?? 0;
    this.valid[i] = value === null ? 0 : 1;
    this.indexes[i] = index;
    this.timings[i] = timing;
    this.firsts[i] = index === 0 ? 1 : 0;
    this.lasts[i] = isLast ? 1 : 0;
  }

  /** The rows added since the last flush as a batch, or null if there are none. */
  flush(table: KeyTable): RecordBatch | null {
    const n = this.length;
    if (n === 0) return null;
    this.length = 0;
    const kind = table.kind ?? "string";
    const schema = paneSchema(kind);
    const types = schema.fields.map((f) => f.type as DataType);
    const keyCodes = this.keys.slice(0, n);
    const keyData =
      kind === "int32"
        ? makeData({ type: new Int32(), length: n, data: keyCodes.map((k) => table.keyAt(k) as number) })
        : makeData({ type: types[0] as Dictionary<Utf8, Int32>, length: n, data: keyCodes, dictionary: table.dictionary() });
    const ends = this.ends.subarray(0, n);
    const children: Data[] = [
      keyData,
      instantData(this.starts.subarray(0, n)),
      instantData(ends),
      makeData({ type: new Float64(), length: n, data: this.values.slice(0, n), nullBitmap: bitmap(this.valid, n, true) }),
      instantData(ends.map((e) => e - 1)),
      makeData({ type: new Int32(), length: n, data: this.indexes.slice(0, n) }),
      makeData({ type: new Int32(), length: n, data: this.indexes.slice(0, n) }),
      makeData({
        type: types[7] as Dictionary<Utf8, Int8>,
        length: n,
        data: this.timings.slice(0, n),
        dictionary: TIMING_DICTIONARY,
      }),
      makeData({ type: new Bool(), length: n, data: bitmap(this.firsts, n) }),
      makeData({ type: new Bool(), length: n, data: bitmap(this.lasts, n) }),
    ];
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, children }));
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array | Int8Array>(a: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(a);
      return next;
    };
    this.keys = grown(this.keys, (n) => new Int32Array(n));
    this.starts = grown(this.starts, (n) => new Float64Array(n));
    this.ends = grown(this.ends, (n) => new Float64Array(n));
    this.values = grown(this.values, (n) => new Float64Array(n));
    this.valid = grown(this.valid, (n) => new Uint8Array(n));
    this.indexes = grown(this.indexes, (n) => new Int32Array(n));
    this.timings = grown(this.timings, (n) => new Int8Array(n));
    this.firsts = grown(this.firsts, (n) => new Uint8Array(n));
    this.lasts = grown(this.lasts, (n) => new Uint8Array(n));
  }
}

/** Whole-millisecond instants as a Timestamp(ms) column, written as two 32-bit words each. */
function instantData(instants: Float64Array): Data<Timestamp> {
  const n = instants.length;
  const words = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const t = instants[i]!;
    const high = Math.floor(t / 4294967296);
    words[2 * i] = (t - high * 4294967296) | 0;
    words[2 * i + 1] = high;
  }
  return makeData({ type: instantType(), length: n, data: new BigInt64Array(words.buffer) });
}

/** An Arrow bitmap of `flags`; with `onlyIfUnset`, undefined when every flag is set (no nulls). */
function bitmap(flags: Uint8Array, n: number, onlyIfUnset = false): Uint8Array | undefined {
  const bits = new Uint8Array(((n + 63) >> 6) << 3);
  let unset = false;
  for (let i = 0; i < n; i++) {
    if (flags[i]) bits[i >> 3]! |= 1 << (i & 7);
    else unset = true;
  }
  return onlyIfUnset && !unset ? undefined : bits;
}

/** A pane batch as the window operator's outputs (for row consumers and the equivalence tests). */
export function paneOutputs(batch: RecordBatch): PaneOutput<number | null>[] {
  const col = (name: string) => {
    const v = batch.getChild(name);
    if (!v) throw new RangeError(`not a pane batch: no column "${name}"`);
    return v;
  };
  const [key, start, end, value, timestamp, index, nonSpeculative, timing, first, last] = [
    "key",
    "window_start",
    "window_end",
    "value",
    "timestamp",
    "pane_index",
    "pane_nonspeculative_index",
    "pane_timing",
    "pane_is_first",
    "pane_is_last",
  ].map(col);
  const out: PaneOutput<number | null>[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const pane: PaneInfo = {
      index: index!.get(i) as number,
      nonSpeculativeIndex: nonSpeculative!.get(i) as number,
      timing: timing!.get(i) as PaneTiming,
      isFirst: first!.get(i) as boolean,
      isLast: last!.get(i) as boolean,
    };
    out.push({
      key: key!.get(i) as ColumnKey,
      window: { start: start!.get(i) as number, end: end!.get(i) as number },
      value: value!.get(i) as number | null,
      timestamp: timestamp!.get(i) as number,
      pane,
      retraction: false,
    });
  }
  return out;
}
