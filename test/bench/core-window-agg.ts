import {
  type Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import { ColumnarCombine } from "../../runners/core/grouping/columnar-combine.js";
import { DEFAULT_WINDOWING, type Instant, fixedWindows, minutes, seconds, sumFn } from "../../sdk/index.js";

/**
 * The core's windowed aggregation on columnar batches in one thread (issue #3): fixed
 * 1-minute windows, sum per key, in-order and out-of-order input, against a plain-JS Map
 * aggregation of the same events with the same firing, measured in the same run.
 */

export interface BenchConfig {
  readonly events: number;
  readonly keys: number;
  readonly batchRows: number;
  /** Event-time rate: events per second of event time. */
  readonly eventsPerSecond: number;
  /** Out-of-order variant: each timestamp is delayed by a uniform 0..maxDelay; the watermark lags the max seen by as much. */
  readonly maxDelay: number;
  readonly seed: number;
  readonly repeats: number;
}

export const DEFAULT_CONFIG: BenchConfig = {
  events: 10_000_000,
  keys: 10_000,
  batchRows: 65_536,
  eventsPerSecond: 5_000,
  maxDelay: seconds(30),
  seed: 20_240_601,
  repeats: 3,
};

const WINDOW = minutes(1);
const START = Date.UTC(2024, 0, 1);

/** Batches and, for each, the watermark to advance to after it. */
export interface Variant {
  readonly name: string;
  readonly batches: readonly RecordBatch[];
  readonly watermarks: readonly Instant[];
}

/** A seeded PRNG (mulberry32) in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The events as Arrow batches: keys uniform over `keys` (one shared dictionary, as an IPC
 * stream has), timestamps at a steady rate (Int64 epoch ms), values in [0, 100). The
 * out-of-order variant is the same events with each timestamp moved back by 0..maxDelay.
 */
export function generate(config: BenchConfig): Variant[] {
  const rnd = mulberry32(config.seed);
  const dictionary = vectorFromArray(
    Array.from({ length: config.keys }, (_, i) => `user-${String(i).padStart(5, "0")}`),
    new Utf8(),
  );
  const keyType = new Dictionary(new Utf8(), new Int32());
  const schema = new Schema([
    new Field("key", keyType, false),
    new Field("at", new Int64(), false),
    new Field("value", new Float64(), false),
  ]);
  const inOrder: Variant = { name: "in order", batches: [], watermarks: [] };
  const outOfOrder: Variant = { name: `out of order (0-${config.maxDelay / 1000} s)`, batches: [], watermarks: [] };
  let maxLate = -Infinity;
  for (let first = 0; first < config.events; first += config.batchRows) {
    const n = Math.min(config.batchRows, config.events - first);
    const codes = new Int32Array(n);
    const values = new Float64Array(n);
    const times = new BigInt64Array(n);
    const delayed = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      codes[i] = Math.floor(rnd() * config.keys);
      values[i] = Math.floor(rnd() * 10_000) / 100;
      const at = START + Math.floor(((first + i) * 1000) / config.eventsPerSecond);
      const late = at - Math.floor(rnd() * (config.maxDelay + 1));
      times[i] = BigInt(at);
      delayed[i] = BigInt(late);
      maxLate = Math.max(maxLate, late);
    }
    const keys = makeData({ type: keyType, length: n, data: codes, dictionary });
    const vals = makeData({ type: new Float64(), length: n, data: values });
    const batch = (at: BigInt64Array) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(schema.fields),
          length: n,
          children: [keys, makeData({ type: new Int64(), length: n, data: at }), vals],
        }),
      );
    (inOrder.batches as RecordBatch[]).push(batch(times));
    (inOrder.watermarks as Instant[]).push(Number(times[n - 1]));
    (outOfOrder.batches as RecordBatch[]).push(batch(delayed));
    (outOfOrder.watermarks as Instant[]).push(maxLate - config.maxDelay);
  }
  return [inOrder, outOfOrder];
}

/** What a run produced: panes and the sum of their values, to check both runs agree. */
export interface RunResult {
  readonly seconds: number;
  readonly panes: number;
  readonly checksum: number;
}

/** beamline: the core's columnar combine (sum per key, fixed 1-minute windows, default trigger). */
export function runBeamline(v: Variant): RunResult {
  let panes = 0;
  let checksum = 0;
  const op = new ColumnarCombine({
    step: "bench",
    strategy: { ...DEFAULT_WINDOWING, windowFn: fixedWindows(WINDOW) },
    combiner: sumFn(),
    columns: { key: "key", eventTime: "at", value: "value" },
    emit: (batch) => {
      const values = (batch.data.children[3] as Data).values as Float64Array;
      for (let i = 0; i < batch.numRows; i++) checksum += values[i]!;
      panes += batch.numRows;
    },
  });
  const t0 = performance.now();
  v.batches.forEach((b, i) => {
    op.processBatch(b);
    op.advanceWatermark(v.watermarks[i]!);
  });
  op.end();
  return { seconds: (performance.now() - t0) / 1000, panes, checksum };
}

/**
 * The baseline: what one would write by hand over the same typed arrays. A Map per window
 * start from key to sum (keys are the dictionary's strings), a window's sums emitted once
 * the watermark passes its end, as the default trigger does.
 */
export function runPlain(v: Variant): RunResult {
  let panes = 0;
  let checksum = 0;
  const windows = new Map<number, Map<string, number>>();
  const fire = (watermark: number) => {
    for (const [start, sums] of windows) {
      if (start + WINDOW - 1 >= watermark) continue;
      for (const sum of sums.values()) {
        checksum += sum;
        panes++;
      }
      windows.delete(start);
    }
  };
  let dictionary: unknown = null;
  let words: string[] = [];
  const t0 = performance.now();
  v.batches.forEach((b, bi) => {
    const [keyData, timeData, valueData] = b.data.children as Data[];
    if (keyData!.dictionary !== dictionary) {
      dictionary = keyData!.dictionary;
      words = keyData!.dictionary!.toArray() as string[];
    }
    const codes = keyData!.values as Int32Array;
    const big = timeData!.values as BigInt64Array;
    const time = new Int32Array(big.buffer, big.byteOffset, b.numRows * 2);
    const values = valueData!.values as Float64Array;
    let windowStart = NaN;
    let sums = new Map<string, number>();
    for (let i = 0; i < b.numRows; i++) {
      const t = time[2 * i + 1]! * 4294967296 + (time[2 * i]! >>> 0);
      const start = t - (t % WINDOW);
      if (start !== windowStart) {
        windowStart = start;
        const found = windows.get(start);
        if (found) sums = found;
        else windows.set(start, (sums = new Map()));
      }
      const key = words[codes[i]!]!;
      sums.set(key, (sums.get(key) ?? 0) + values[i]!);
    }
    fire(v.watermarks[bi]!);
  });
  fire(Infinity);
  return { seconds: (performance.now() - t0) / 1000, panes, checksum };
}

export interface VariantFigures {
  readonly name: string;
  readonly events: number;
  readonly beamline: RunResult;
  readonly plain: RunResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Warm-up, then `repeats` alternating runs of both; the median time of each. */
export function measure(v: Variant, events: number, repeats: number): VariantFigures {
  runBeamline(v);
  runPlain(v);
  const beamline: RunResult[] = [];
  const plain: RunResult[] = [];
  for (let r = 0; r < repeats; r++) {
    beamline.push(runBeamline(v));
    plain.push(runPlain(v));
  }
  const pick = (runs: RunResult[]): RunResult => {
    const seconds = median(runs.map((x) => x.seconds));
    return runs.find((x) => x.seconds === seconds) as RunResult;
  };
  return { name: v.name, events, beamline: pick(beamline), plain: pick(plain) };
}

// ---- report ----

const TARGET_RATE = 10_000_000;
const TARGET_RATIO = 0.5;

const rate = (events: number, r: RunResult): number => events / r.seconds;
const millions = (x: number): string => `${(x / 1e6).toFixed(1)} M`;
const agree = (f: VariantFigures): boolean =>
  f.beamline.panes === f.plain.panes && Math.abs(f.beamline.checksum - f.plain.checksum) <= 1e-9 * Math.abs(f.plain.checksum);

/** The table: variant, events/s of each, their ratio, and the targets (informative: never a failure). */
export function report(config: BenchConfig, batches: number, figures: readonly VariantFigures[]): string {
  const rows = [["variant", "beamline events/s", "plain events/s", "ratio", "panes", "same panes"]];
  for (const f of figures) {
    const b = rate(f.events, f.beamline);
    const p = rate(f.events, f.plain);
    rows.push([f.name, millions(b), millions(p), (b / p).toFixed(2), String(f.beamline.panes), agree(f) ? "yes" : "NO"]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("   "));
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const targets = figures.map((f) => {
    const b = rate(f.events, f.beamline);
    return `  ${f.name}: >= ${millions(TARGET_RATE)} events/s ${verdict(b >= TARGET_RATE)}; ratio >= ${TARGET_RATIO} ${verdict(b / rate(f.events, f.plain) >= TARGET_RATIO)}`;
  });
  return [
    `core windowed aggregation: fixed 1-minute windows, ${config.keys.toLocaleString("en")} keys, sum, default trigger; ` +
      `${config.events.toLocaleString("en")} events in ${batches} Arrow batches of ${config.batchRows.toLocaleString("en")} rows, ` +
      `${config.eventsPerSecond.toLocaleString("en")} events per event-time second; one thread; median of ${config.repeats} runs after a warm-up`,
    "",
    ...table,
    "",
    "targets (informative):",
    ...targets,
  ].join("\n");
}

export function runCoreWindowAgg(config: BenchConfig = DEFAULT_CONFIG): string {
  const variants = generate(config);
  const figures = variants.map((v) => measure(v, config.events, config.repeats));
  return report(config, variants[0]!.batches.length, figures);
}
