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
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, test } from "vitest";
import {
  type ColumnarCombiner,
  ColumnarCombine,
  type ColumnarCombineOptions,
  columnarProblems,
  isColumnarEligible,
  paneOutputs,
} from "../../../runners/core/grouping/columnar-combine.js";
import { type PaneOutput, WindowOperator } from "../../../runners/core/grouping/window-operator.js";
import { triggerMachines } from "../../../runners/core/triggers/index.js";
import { assignWindows } from "../../../runners/core/windows/assign.js";
import {
  type CombineFn,
  DEFAULT_WINDOWING,
  type WindowingStrategy,
  afterCount,
  afterWatermark,
  countDistinctFn,
  countFn,
  fixedWindows,
  globalWindows,
  maxFn,
  meanFn,
  minFn,
  repeatedly,
  sessions,
  slidingWindows,
  sumFn,
} from "../../../sdk/index.js";
import { seededRandom } from "../state/random.js";

type Key = string | number;
interface Row {
  readonly key: Key;
  readonly at: number;
  readonly value: number;
}
type Step = { kind: "batch"; rows: Row[] } | { kind: "watermark"; to: number } | { kind: "end" };
type Layout = { key: "dictionary" | "utf8" | "int32"; time: "int64" | "timestamp" | "float64" };
interface Scenario {
  readonly strategy: WindowingStrategy;
  readonly combiner: ColumnarCombiner;
  readonly layout: Layout;
  readonly steps: Step[];
}

const COMBINE_FNS: { readonly [C in ColumnarCombiner]: () => CombineFn<number, unknown, unknown> } = {
  sum: () => sumFn() as CombineFn<number, unknown, unknown>,
  count: () => countFn() as CombineFn<number, unknown, unknown>,
  mean: () => meanFn() as CombineFn<number, unknown, unknown>,
  min: () => minFn<number>() as CombineFn<number, unknown, unknown>,
  max: () => maxFn<number>() as CombineFn<number, unknown, unknown>,
};

// ---- seeded scenarios ----

function scenario(seed: number, outOfOrder: boolean, lateness: "none" | "some"): Scenario {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const size = pick([10, 25, 60]);
  const strategy: WindowingStrategy = {
    ...DEFAULT_WINDOWING,
    windowFn: rnd() < 0.1 ? globalWindows() : fixedWindows(size, Math.floor(rnd() * size)),
    trigger: rnd() < 0.5 ? DEFAULT_WINDOWING.trigger : afterWatermark(),
    allowedLateness: lateness === "none" ? 0 : pick([size, 7, 30, 2 * size + 3]),
    onTimeBehavior: pick(["fireAlways", "fireIfNonEmpty"] as const),
    closingBehavior: pick(["fireAlways", "fireIfNonEmpty"] as const),
  };
  const layout: Layout = {
    key: pick(["dictionary", "dictionary", "utf8", "int32"] as const),
    time: pick(["int64", "timestamp", "float64"] as const),
  };
  const keyCount = 1 + Math.floor(rnd() * 12);
  const keyOf = (i: number): Key => (layout.key === "int32" ? i * 7 - 20 : `k${i}`);
  const delay = outOfOrder ? pick([5, 20, 40]) : 0;
  const steps: Step[] = [];
  let cursor = Math.floor(rnd() * 200) - 100;
  let maxSeen = -Infinity;
  for (let b = 0, batches = 10 + Math.floor(rnd() * 25); b < batches; b++) {
    const rows: Row[] = [];
    for (let n = Math.floor(rnd() * 20); n > 0; n--) {
      cursor += Math.floor(rnd() * 4);
      const at = cursor - Math.floor(rnd() * (delay + 1)) - (rnd() < 0.05 ? Math.floor(rnd() * 80) : 0);
      maxSeen = Math.max(maxSeen, at);
      rows.push({ key: keyOf(Math.floor(rnd() * keyCount)), at, value: valueOf(rnd) });
    }
    steps.push({ kind: "batch", rows });
    if (rnd() < 0.6 && Number.isFinite(maxSeen)) steps.push({ kind: "watermark", to: maxSeen - Math.floor(rnd() * (delay + 1)) });
    if (rnd() < 0.1) steps.push({ kind: "watermark", to: maxSeen + Math.floor(rnd() * 100) });
  }
  if (rnd() < 0.85) steps.push({ kind: "end" });
  return { strategy, combiner: pick(["sum", "count", "mean", "min", "max"] as const), layout, steps };
}

/** Mostly quarters (exact sums), sometimes a fraction, -0 or NaN: min and max must keep the same one as minFn/maxFn. */
function valueOf(rnd: () => number): number {
  const r = rnd();
  if (r < 0.02) return NaN;
  if (r < 0.05) return -0;
  if (r < 0.2) return rnd() * 1e6 - 5e5;
  return Math.floor(rnd() * 80) / 4 - 10;
}

// ---- batches ----

function batchOf(rows: readonly Row[], layout: Layout, shuffle: () => number): RecordBatch {
  const n = rows.length;
  const fields: Field[] = [];
  const children: Data[] = [];
  const add = (name: string, data: Data) => {
    fields.push(new Field(name, data.type, false));
    children.push(data);
  };
  add("key", keyData(rows, layout, shuffle));
  const at = new Float64Array(rows.map((r) => r.at));
  if (layout.time === "float64") add("at", makeData({ type: new Float64(), length: n, data: at }));
  else {
    const data = BigInt64Array.from(rows, (r) => BigInt(r.at));
    if (layout.time === "int64") add("at", makeData({ type: new Int64(), length: n, data }));
    else add("at", makeData({ type: new Timestamp(TimeUnit.MILLISECOND, "UTC"), length: n, data }));
  }
  add("value", makeData({ type: new Float64(), length: n, data: new Float64Array(rows.map((r) => r.value)) }));
  const schema = new Schema(fields);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, children }));
}

function keyData(rows: readonly Row[], layout: Layout, shuffle: () => number): Data {
  const keys = rows.map((r) => r.key);
  if (layout.key === "int32") return makeData({ type: new Int32(), length: rows.length, data: new Int32Array(keys as number[]) });
  if (layout.key === "utf8") return vectorFromArray(keys as string[], new Utf8()).data[0] as Data;
  // A dictionary of this batch's keys in a random order, plus one key no row uses.
  const words = [...new Set(keys as string[]), "unused"].sort(() => shuffle() - 0.5);
  const dictionary = vectorFromArray(words, new Utf8());
  const codes = new Int32Array(keys.map((k) => words.indexOf(k as string)));
  return makeData({ type: new Dictionary(new Utf8(), new Int32()), length: rows.length, data: codes, dictionary });
}

// ---- running both operators ----

interface Trace {
  readonly panes: unknown[];
  readonly afterEachStep: unknown[];
}

const normalize = (o: PaneOutput<unknown>) => ({
  key: o.key,
  window: { start: o.window.start, end: o.window.end },
  value: o.value,
  timestamp: o.timestamp,
  pane: { ...o.pane },
  retraction: o.retraction,
});

function runRows(s: Scenario): Trace {
  const panes: unknown[] = [];
  const op = new WindowOperator({
    step: "rows",
    strategy: s.strategy,
    combineFn: COMBINE_FNS[s.combiner](),
    triggers: triggerMachines,
    emit: (o) => panes.push(normalize(o)),
  });
  const afterEachStep = s.steps.map((step) => {
    if (step.kind === "batch")
      for (const r of step.rows) op.processElement(r.key, r.value, r.at, assignWindows(s.strategy.windowFn, r.at));
    else if (step.kind === "watermark") op.advanceWatermark(step.to);
    else op.end();
    return observe(op);
  });
  return { panes, afterEachStep };
}

/** The columnar run, optionally restored from a snapshot after step `restoreAfter` (split by key group with `split`). */
function runColumnar(s: Scenario, restoreAfter = -1, split = false): Trace {
  const panes: unknown[] = [];
  const options: ColumnarCombineOptions = {
    step: "columnar",
    strategy: s.strategy,
    combiner: COMBINE_FNS[s.combiner](),
    columns: { key: "key", eventTime: "at", value: s.combiner === "count" ? undefined : "value" },
    emit: (batch) => panes.push(...paneOutputs(batch).map(normalize)),
  };
  let op = new ColumnarCombine(options);
  const shuffle = seededRandom(s.steps.length);
  const afterEachStep = s.steps.map((step, i) => {
    if (step.kind === "batch") op.processBatch(batchOf(step.rows, s.layout, shuffle));
    else if (step.kind === "watermark") op.advanceWatermark(step.to);
    else op.end();
    if (i === restoreAfter) {
      const groups = [...Array(128).keys()];
      const snapshots = split ? [op.snapshot(groups.slice(0, 50)), op.snapshot(groups.slice(50))] : [op.snapshot()];
      op = ColumnarCombine.restore(options, snapshots);
    }
    return observe(op);
  });
  return { panes, afterEachStep };
}

const observe = (op: WindowOperator<number, unknown, unknown> | ColumnarCombine) => ({
  droppedLate: op.droppedLate,
  droppedClosed: op.droppedClosed,
  state: op.stateSize,
  input: op.inputWatermark,
  output: op.outputWatermark,
});

/** Panes per (key, window) in emission order, for the one case where windows' timers may tie (see ColumnarCombine). */
function byKeyAndWindow(panes: unknown[]): unknown[] {
  const id = (p: unknown) => {
    const o = p as ReturnType<typeof normalize>;
    return `${typeof o.key}:${String(o.key)}:${o.window.start}:${o.window.end}`;
  };
  return panes
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (id(a.p) < id(b.p) ? -1 : id(a.p) > id(b.p) ? 1 : a.i - b.i))
    .map(({ p }) => p);
}

function timersMayTie(s: Scenario): boolean {
  const fn = s.strategy.windowFn;
  return (
    s.strategy.closingBehavior === "fireAlways" &&
    fn.kind === "fixed" &&
    s.strategy.allowedLateness % fn.size === 0 &&
    s.strategy.allowedLateness > 0
  );
}

const withoutCounters = (t: Trace) => ({
  panes: t.panes,
  afterEachStep: t.afterEachStep.map((o) => ({ ...(o as ReturnType<typeof observe>), droppedLate: 0, droppedClosed: 0 })),
});

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
const VARIANTS = [
  { name: "in order, no lateness", outOfOrder: false, lateness: "none" },
  { name: "in order, allowed lateness", outOfOrder: false, lateness: "some" },
  { name: "out of order, no lateness", outOfOrder: true, lateness: "none" },
  { name: "out of order, allowed lateness", outOfOrder: true, lateness: "some" },
] as const;

describe("columnar combine: the same panes as the window operator", () => {
  test.each(VARIANTS)("$name", ({ outOfOrder, lateness }) => {
    const totals = { droppedLate: 0, droppedClosed: 0, late: 0, panes: 0 };
    for (const seed of SEEDS) {
      const s = scenario(seed * 7919 + (outOfOrder ? 1 : 0), outOfOrder, lateness);
      const rows = runRows(s);
      const columnar = runColumnar(s);
      if (timersMayTie(s)) expect(byKeyAndWindow(columnar.panes), `seed ${seed}`).toEqual(byKeyAndWindow(rows.panes));
      else expect(columnar.panes, `seed ${seed}`).toEqual(rows.panes);
      expect(columnar.afterEachStep, `seed ${seed}`).toEqual(rows.afterEachStep);
      const last = rows.afterEachStep.at(-1) as ReturnType<typeof observe>;
      totals.droppedLate += last.droppedLate;
      totals.droppedClosed += last.droppedClosed;
      totals.panes += rows.panes.length;
      totals.late += rows.panes.filter((p) => (p as ReturnType<typeof normalize>).pane.timing === "LATE").length;
    }
    // The seeds reach the paths that matter: late data dropped, and (with lateness) late panes and closed windows.
    expect(totals.panes).toBeGreaterThan(500);
    expect(totals.droppedLate).toBeGreaterThan(0);
    if (lateness === "some") {
      expect(totals.late).toBeGreaterThan(0);
      expect(totals.droppedClosed).toBeGreaterThan(0);
    }
  });
});

describe("columnar combine: snapshot and restore", () => {
  test.each(VARIANTS)("restored after any step equals uninterrupted: $name", ({ outOfOrder, lateness }) => {
    for (const seed of SEEDS.slice(0, 15)) {
      const s = scenario(seed * 104729 + 3, outOfOrder, lateness);
      const uninterrupted = runColumnar(s);
      for (let i = 0; i < s.steps.length; i++) {
        expect(runColumnar(s, i), `seed ${seed}, restored after step ${i}`).toEqual(uninterrupted);
        // Split by key group, each snapshot brings the counters (restore adds them up, as the window operator's does).
        if (i % 4 === 0)
          expect(withoutCounters(runColumnar(s, i, true)), `seed ${seed}, split after step ${i}`).toEqual(
            withoutCounters(uninterrupted),
          );
      }
    }
  });

  test("a restore keeps only the owned key groups, as the window operator's does", () => {
    const s = scenario(42, true, "some");
    const at = s.steps.findIndex((step, i) => i > s.steps.length / 2 && step.kind === "watermark");
    const options = (emit: (b: RecordBatch) => void): ColumnarCombineOptions => ({
      step: "c",
      strategy: s.strategy,
      combiner: COMBINE_FNS[s.combiner](),
      columns: { key: "key", eventTime: "at", value: "value" },
      emit,
    });
    const columnar = new ColumnarCombine(options(() => {}));
    const rows = new WindowOperator({
      step: "r",
      strategy: s.strategy,
      combineFn: COMBINE_FNS[s.combiner](),
      triggers: triggerMachines,
      emit: () => {},
    });
    const shuffle = seededRandom(1);
    for (const step of s.steps.slice(0, at + 1)) {
      if (step.kind === "batch") {
        columnar.processBatch(batchOf(step.rows, s.layout, shuffle));
        for (const r of step.rows) rows.processElement(r.key, r.value, r.at, assignWindows(s.strategy.windowFn, r.at));
      } else if (step.kind === "watermark") {
        columnar.advanceWatermark(step.to);
        rows.advanceWatermark(step.to);
      }
    }
    for (const owned of [
      { start: 0, end: 40 },
      { start: 40, end: 128 },
    ]) {
      const c = ColumnarCombine.restore(
        options(() => {}),
        [columnar.snapshot()],
        owned,
      );
      const r = WindowOperator.restore(
        { step: "r", strategy: s.strategy, combineFn: COMBINE_FNS[s.combiner](), triggers: triggerMachines, emit: () => {} },
        [rows.snapshot()],
        owned,
      );
      expect(c.stateSize).toEqual(r.stateSize);
    }
  });
});

describe("columnar combine: what it takes", () => {
  const base: WindowingStrategy = { ...DEFAULT_WINDOWING, windowFn: fixedWindows(60_000) };

  test("fixed or global windows, default or afterWatermark() triggers, discarding, endOfWindow, builtin sum/count/min/max/mean", () => {
    for (const fn of [sumFn(), countFn(), minFn(), maxFn(), meanFn()]) expect(isColumnarEligible(base, fn)).toBe(true);
    expect(
      isColumnarEligible({ ...base, windowFn: globalWindows(), trigger: afterWatermark(), allowedLateness: 5000 }, sumFn()),
    ).toBe(true);
    expect(isColumnarEligible(base, { kind: "builtin", name: "mean", params: null })).toBe(true);
  });

  test("lists every reason it cannot take a step at once", () => {
    const problems = columnarProblems(
      {
        ...base,
        windowFn: sessions(1000),
        trigger: afterWatermark({ early: afterCount(1) }),
        accumulation: "accumulating",
        timestampCombiner: "earliest",
      },
      countDistinctFn(),
    );
    expect(problems).toHaveLength(5);
    expect(columnarProblems({ ...base, windowFn: slidingWindows(10, 5) }, sumFn())[0]).toMatch(/only fixed and global/);
    expect(columnarProblems({ ...base, trigger: repeatedly(afterCount(2)) }, sumFn())[0]).toMatch(/trigger repeatedly/);
    expect(columnarProblems(base, { kind: "user", canRetract: false })[0]).toMatch(/user CombineFn/);
    const options = {
      step: "s",
      strategy: { ...base, windowFn: sessions(5) },
      combiner: sumFn(),
      columns: { key: "k", eventTime: "t" },
      emit: () => {},
    };
    expect(() => new ColumnarCombine(options)).toThrow(/step s cannot combine columnar: sessions/);
  });

  const options = (emit: (b: RecordBatch) => void = () => {}): ColumnarCombineOptions => ({
    step: "s",
    strategy: base,
    combiner: sumFn(),
    columns: { key: "key", eventTime: "at", value: "value" },
    emit,
  });

  test("refuses nulls, unknown column types, missing columns and a second key type", () => {
    const op = new ColumnarCombine(options());
    const rows = [{ key: "a", at: 1, value: 2 }];
    const withNull = batchOf(rows, { key: "utf8", time: "int64" }, Math.random);
    const nullValue = makeData({
      type: new Float64(),
      length: 1,
      data: new Float64Array(1),
      nullBitmap: new Uint8Array(8),
      nullCount: 1,
    });
    const schema = withNull.schema;
    const broken = new RecordBatch(
      schema,
      makeData({
        type: new Struct(schema.fields),
        length: 1,
        children: [withNull.data.children[0]!, withNull.data.children[1]!, nullValue],
      }),
    );
    expect(() => op.processBatch(broken)).toThrow(/value column has 1 nulls/);
    expect(() =>
      new ColumnarCombine({ ...options(), columns: { key: "key", eventTime: "nope", value: "value" } }).processBatch(withNull),
    ).toThrow(/no column "nope"/);
    op.processBatch(withNull);
    expect(() => op.processBatch(batchOf([{ key: 1, at: 2, value: 3 }], { key: "int32", time: "int64" }, Math.random))).toThrow(
      /int32 keys after string keys/,
    );
  });

  test("emits each call's panes as one Arrow batch with window, value, timestamp and pane columns", () => {
    const batches: RecordBatch[] = [];
    const op = new ColumnarCombine(options((b) => batches.push(b)));
    const rows = [
      { key: "a", at: 1_000, value: 1 },
      { key: "b", at: 2_000, value: 2 },
      { key: "a", at: 61_000, value: 4 },
    ];
    op.processBatch(batchOf(rows, { key: "dictionary", time: "int64" }, Math.random));
    expect(batches).toEqual([]);
    op.advanceWatermark(60_000);
    op.end();
    expect(batches.map((b) => b.numRows)).toEqual([2, 1]);
    expect(batches[0]!.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      "key:Dictionary<Int32, Utf8>",
      "window_start:Timestamp<MILLISECOND, UTC>",
      "window_end:Timestamp<MILLISECOND, UTC>",
      "value:Float64",
      "timestamp:Timestamp<MILLISECOND, UTC>",
      "pane_index:Int32",
      "pane_nonspeculative_index:Int32",
      "pane_timing:Dictionary<Int8, Utf8>",
      "pane_is_first:Bool",
      "pane_is_last:Bool",
    ]);
    const pane = { index: 0, nonSpeculativeIndex: 0, timing: "ON_TIME", isFirst: true, isLast: true };
    expect(batches.flatMap(paneOutputs)).toEqual([
      { key: "a", window: { start: 0, end: 60_000 }, value: 1, timestamp: 59_999, pane, retraction: false },
      { key: "b", window: { start: 0, end: 60_000 }, value: 2, timestamp: 59_999, pane, retraction: false },
      { key: "a", window: { start: 60_000, end: 120_000 }, value: 4, timestamp: 119_999, pane, retraction: false },
    ]);
  });

  test("forgets keys that come and go (a key table compaction keeps the panes the same)", () => {
    const strategy: WindowingStrategy = { ...DEFAULT_WINDOWING, windowFn: fixedWindows(10) };
    const steps: Step[] = [];
    // 6,000 new keys and 10 lasting ones per window; the watermark lags a window, so one is open when the table compacts.
    for (let w = 0; w < 12; w++) {
      const rows = Array.from({ length: 6010 }, (_, i) => ({
        key: i < 10 ? `k${i}` : `w${w}k${i}`,
        at: w * 10 + (i % 10),
        value: i,
      }));
      steps.push({ kind: "batch", rows }, { kind: "watermark", to: w * 10 });
    }
    steps.push({ kind: "end" });
    const s: Scenario = { strategy, combiner: "sum", layout: { key: "dictionary", time: "int64" }, steps };
    expect(runColumnar(s)).toEqual(runRows(s));
  });
});
