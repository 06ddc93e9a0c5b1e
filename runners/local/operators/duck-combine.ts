import {
  GLOBAL_WINDOW,
  Instant,
  type PaneInfo,
  type Window,
  type WindowingStrategy,
  isKV,
  kv,
  maxFn,
  maxTimestamp,
  minFn,
} from "../../../sdk/index.js";
import { windowNamespace } from "../../core/state/keys.js";
import { type Bundle, BundleBuilder, type Meta, isUniform, metaOf } from "../../core/exec/bundle.js";
import { type DuckAggregate, DuckCombine, type LocalDb } from "../duckdb/index.js";
import { BatchGroupOperator, batchPane } from "../../core/exec/operators/batch-group.js";
import { type Operator, type Output, describeElement, stepError } from "../../core/exec/operators/operator.js";

/**
 * combinePerKey with a built-in combiner in DuckDB: each bundle is pre-aggregated in JS
 * (combiner lifting); past 65,536 partials they spill to DuckDB tables as data chunks, and the
 * final GROUP BY key, window runs in SQL at the end of input, under the job's memory limit
 * (spilling to the temp directory beyond it). A step whose partials never outgrow JS finishes
 * there and never opens DuckDB. The panes are the batch engine's (batch-group.ts).
 */
export class DuckCombineOperator implements Operator {
  readonly droppedLate = 0;
  private readonly windowIndex = new Map<string, number>();
  private readonly windows: Window[] = [];
  private readonly pane: PaneInfo;
  private combine: DuckCombine | null = null;
  /** min or max of bigints (DuckDB's columns hold numbers and strings): the batch engine takes the step. */
  private fallback: BatchGroupOperator | null = null;

  constructor(
    readonly step: string,
    private readonly strategy: WindowingStrategy,
    private readonly aggregate: DuckAggregate,
    private readonly db: () => Promise<LocalDb>,
    private readonly output: Output,
    /** Elements are the keys themselves (count.perElement without its pairing map). */
    private readonly keysOnly = false,
  ) {
    this.pane = batchPane(strategy);
  }

  async process(input: number, bundle: Bundle): Promise<void> {
    if (bundle.values.length === 0) return;
    if (this.combine === null && this.fallback === null && this.needsJs(bundle))
      this.fallback = new BatchGroupOperator(
        this.step,
        this.strategy,
        this.aggregate === "min" ? minFn<bigint>() : maxFn<bigint>(),
        this.output,
        this.keysOnly,
      );
    if (this.fallback) return this.fallback.process(input, bundle);
    const c = (this.combine ??= await DuckCombine.create(this.db, { step: this.step, aggregate: this.aggregate }));
    const n = bundle.values.length;
    const { metas } = bundle;
    if (isUniform(metas) && metas.windows.length === 1) {
      // The common case (one shared window): whole columns, no per-element bookkeeping.
      const windows = new Array<number>(n).fill(this.indexOf(metas.windows[0]!));
      if (this.keysOnly) return c.add(bundle.values, windows, []);
      const keys = new Array<unknown>(n);
      const values = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const v = bundle.values[i];
        if (!isKV(v)) throw stepError(this.step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
        keys[i] = v.key;
        values[i] = v.value;
      }
      return c.add(keys, windows, values);
    }
    const keys: unknown[] = [];
    const values: unknown[] = [];
    const windows: number[] = [];
    let last: Meta | null = null;
    let lastWindows: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = metaOf(bundle, i);
      if (m !== last) {
        last = m;
        lastWindows = m.windows.map((w) => this.indexOf(w));
      }
      const v = bundle.values[i];
      for (const w of lastWindows) {
        if (this.keysOnly) keys.push(v);
        else {
          if (!isKV(v)) throw stepError(this.step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
          keys.push(v.key);
          values.push(v.value);
        }
        windows.push(w);
      }
    }
    await c.add(keys, windows, this.keysOnly ? [] : values);
  }

  /** Whether the step's first value is a bigint for min or max, which only JS compares. */
  private needsJs(bundle: Bundle): boolean {
    if (this.aggregate !== "min" && this.aggregate !== "max") return false;
    const v = bundle.values[0];
    return isKV(v) && typeof v.value === "bigint";
  }

  private indexOf(w: Window): number {
    const ns = w === GLOBAL_WINDOW ? "" : windowNamespace(w);
    let i = this.windowIndex.get(ns);
    if (i === undefined) {
      i = this.windows.length;
      this.windows.push(w);
      this.windowIndex.set(ns, i);
    }
    return i;
  }

  async watermark(input: number, at: Instant): Promise<void> {
    if (this.fallback) return this.fallback.watermark(input, at);
    if (at !== Instant.MAX) return;
    if (this.combine) {
      const metas = this.windows.map((w): Meta => ({
        timestamp: maxTimestamp(w),
        windows: [w],
        pane: this.pane,
        retraction: false,
      }));
      for await (const batch of this.combine.results()) {
        const out = new BundleBuilder();
        for (let i = 0; i < batch.keys.length; i++) out.push(kv(batch.keys[i], batch.values[i]), metas[batch.windows[i]!]!);
        await this.output.emit(out.take());
      }
      this.combine = null;
    }
    await this.output.watermark(Instant.MAX);
  }

  async processingTime(): Promise<void> {}
}
