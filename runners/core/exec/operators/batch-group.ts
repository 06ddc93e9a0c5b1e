import {
  type CombineFn,
  GLOBAL_WINDOW,
  Instant,
  type PaneInfo,
  type Window,
  type WindowingStrategy,
  isKV,
  kv,
  maxTimestamp,
} from "../../../../sdk/index.js";
import { encodeKey, windowNamespace } from "../../state/keys.js";
import { type Bundle, BundleBuilder, type Meta, metaOf } from "../bundle.js";
import { type Operator, type Output, describeElement, stepError } from "./operator.js";

/** Entries by key: strings and numbers as themselves (no encoding per element), other keys by encodeKey. */
class KeyMap {
  readonly strings = new Map<string, Entry>();
  readonly numbers = new Map<number, Entry>();
  readonly others = new Map<string, Entry>();

  get(key: unknown): Entry | undefined {
    return typeof key === "string"
      ? this.strings.get(key)
      : typeof key === "number"
        ? this.numbers.get(key)
        : this.others.get(encodeKey(key));
  }

  set(key: unknown, e: Entry): void {
    if (typeof key === "string") this.strings.set(key, e);
    else if (typeof key === "number") this.numbers.set(key, e);
    else this.others.set(encodeKey(key), e);
  }

  *values(): IterableIterator<Entry> {
    yield* this.strings.values();
    yield* this.numbers.values();
    yield* this.others.values();
  }
}

interface Entry {
  readonly key: unknown;
  readonly window: Window;
  acc: unknown;
  earliest: Instant;
  latest: Instant;
}

/**
 * The one pane a bounded run gives each key and window when the trigger fires once at the
 * watermark (plan.ts, groupEngine): ON_TIME, first, and last unless allowed lateness keeps
 * the default trigger open. The same pane the shared core's window operator emits; see
 * test/local/engines.test.ts, which compares the two.
 */
export function batchPane(strategy: WindowingStrategy): PaneInfo {
  const isLast = strategy.trigger.kind === "afterWatermark" || strategy.allowedLateness === 0;
  return Object.freeze({ index: 0, nonSpeculativeIndex: 0, timing: "ON_TIME", isFirst: true, isLast });
}

/** The output timestamp of a key's window under the strategy's timestamp combiner (non-merging windows). */
export function batchTimestamp(strategy: WindowingStrategy, window: Window, earliest: Instant, latest: Instant): Instant {
  switch (strategy.timestampCombiner) {
    case "endOfWindow":
      return maxTimestamp(window);
    case "earliest":
      return earliest;
    case "latest":
      return latest;
  }
}

/**
 * groupByKey and combinePerKey for a bounded run whose trigger fires once at the end: values
 * are combined as they arrive (an accumulator per key and window, never a buffered list for
 * a combiner), and every pane is emitted when the input ends.
 */
export class BatchGroupOperator implements Operator {
  readonly droppedLate = 0;
  private readonly windows = new Map<string, KeyMap>();
  private readonly pane: PaneInfo;

  constructor(
    readonly step: string,
    private readonly strategy: WindowingStrategy,
    private readonly combineFn: CombineFn<unknown, unknown, unknown>,
    private readonly output: Output,
    /** Elements are the keys themselves, each with value null (count.perElement without its pairing map). */
    private readonly keysOnly = false,
  ) {
    this.pane = batchPane(strategy);
  }

  async process(_input: number, bundle: Bundle): Promise<void> {
    const { values } = bundle;
    const fn = this.combineFn;
    let lastMeta: Meta | null = null;
    let entries: KeyMap[] = [];
    const keysOnly = this.keysOnly;
    for (let i = 0; i < values.length; i++) {
      const v = keysOnly ? { key: values[i], value: null } : values[i];
      if (!isKV(v)) throw stepError(this.step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
      const m = metaOf(bundle, i);
      if (m !== lastMeta) {
        lastMeta = m;
        entries = m.windows.map((w) => this.windowEntries(w));
      }
      for (let j = 0; j < entries.length; j++) {
        const byKey = entries[j]!;
        let e = byKey.get(v.key);
        if (!e) {
          e = { key: v.key, window: m.windows[j]!, acc: fn.createAccumulator(), earliest: m.timestamp, latest: m.timestamp };
          byKey.set(v.key, e);
        } else {
          if (m.timestamp < e.earliest) e.earliest = m.timestamp;
          if (m.timestamp > e.latest) e.latest = m.timestamp;
        }
        try {
          e.acc = fn.addInput(e.acc, v.value);
        } catch (err) {
          throw stepError(this.step, err, `element ${describeElement(v)}`);
        }
      }
    }
  }

  private windowEntries(w: Window): KeyMap {
    const ns = w === GLOBAL_WINDOW ? "" : windowNamespace(w);
    let m = this.windows.get(ns);
    if (!m) this.windows.set(ns, (m = new KeyMap()));
    return m;
  }

  async watermark(_input: number, at: Instant): Promise<void> {
    if (at !== Instant.MAX) return;
    const out = new BundleBuilder();
    for (const byKey of this.windows.values()) {
      const first = byKey.values().next().value;
      if (!first) continue;
      const shared: Meta | null =
        this.strategy.timestampCombiner === "endOfWindow"
          ? { timestamp: maxTimestamp(first.window), windows: [first.window], pane: this.pane, retraction: false }
          : null;
      for (const e of byKey.values()) {
        let value: unknown;
        try {
          value = this.combineFn.extractOutput(e.acc);
        } catch (err) {
          throw stepError(this.step, err, `key ${describeElement(e.key)}`);
        }
        const meta = shared ?? {
          timestamp: batchTimestamp(this.strategy, e.window, e.earliest, e.latest),
          windows: [e.window],
          pane: this.pane,
          retraction: false,
        };
        out.push(kv(e.key, value), meta);
        if (out.length >= 65_536) await this.output.emit(out.take());
      }
    }
    this.windows.clear();
    if (out.length > 0) await this.output.emit(out.take());
    await this.output.watermark(Instant.MAX);
  }

  async processingTime(): Promise<void> {}
}
