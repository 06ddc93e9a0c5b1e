import {
  type CombineFn,
  GLOBAL_WINDOW,
  Instant,
  type PaneInfo,
  type WindowingStrategy,
  isKV,
  kv,
  maxTimestamp,
} from "../../../../sdk/index.js";
import { type Clock } from "../../clock.js";
import { BinaryReader, BinaryWriter } from "../../codec.js";
import { type PaneOutput, WindowOperator, type WindowOperatorOptions } from "../../grouping/window-operator.js";
import { type KeyGroupRange } from "../../state/keys.js";
import { triggerMachines } from "../../triggers/index.js";
import { type Bundle, BundleBuilder, metaOf } from "../bundle.js";
import { type Operator, type Output, describeElement, stepError } from "./operator.js";

export interface GroupDeps {
  readonly step: string;
  /** perKey: KV input, KV output (groupByKey, combinePerKey); globally: one result per window. */
  readonly shape: "perKey" | "globally";
  readonly strategy: WindowingStrategy;
  readonly combineFn: CombineFn<unknown, unknown, unknown>;
  /** combineGlobally in the global window: the empty result when there was no input (Beam's default). */
  readonly withDefaults: boolean;
  readonly output: Output;
  readonly clock: Clock;
  /** How many elements an input stands for in the dropped counts (a lifted combine's partials); default 1. */
  readonly weightOf?: (value: unknown) => number;
}

const ON_TIME_ONLY: PaneInfo = Object.freeze({
  index: 0,
  nonSpeculativeIndex: 0,
  timing: "ON_TIME",
  isFirst: true,
  isLast: true,
});

/**
 * groupByKey, combinePerKey and combineGlobally on the shared core's window operator:
 * triggers, panes, lateness and accumulation exactly as docs/core.md describes.
 */
export class GroupOperator implements Operator {
  readonly step: string;
  private op: WindowOperator<unknown, unknown, unknown>;
  private readonly options: WindowOperatorOptions<unknown, unknown, unknown>;
  private readonly out = new BundleBuilder();
  private forwarded: Instant = Instant.MIN;
  private sawInput = false;

  constructor(private readonly deps: GroupDeps) {
    this.step = deps.step;
    const perKey = deps.shape === "perKey";
    this.options = {
      step: deps.step,
      strategy: deps.strategy,
      combineFn: deps.combineFn,
      triggers: triggerMachines,
      clock: deps.clock,
      ...(deps.weightOf ? { weightOf: deps.weightOf } : {}),
      emit: (o: PaneOutput<unknown>) =>
        this.out.push(perKey ? kv(o.key, o.value) : o.value, {
          timestamp: o.timestamp,
          windows: [o.window],
          pane: o.pane,
          retraction: o.retraction,
        }),
    };
    this.op = new WindowOperator(this.options);
  }

  snapshot(): Uint8Array {
    return new BinaryWriter()
      .u8(this.sawInput ? 1 : 0)
      .varint(this.forwarded)
      .bytes(this.op.snapshot())
      .finish();
  }

  restore(snapshots: readonly Uint8Array[], owned: KeyGroupRange): void {
    const inner: Uint8Array[] = [];
    let forwarded: Instant = Instant.MAX;
    for (const bytes of snapshots) {
      const r = new BinaryReader(bytes);
      const saw = r.u8() === 1; // read before ||=, which would skip it once sawInput is true
      this.sawInput ||= saw;
      forwarded = Math.min(forwarded, r.varint());
      inner.push(r.bytes());
      if (!r.done) throw new Error(`step "${this.step}": group snapshot has trailing bytes`);
    }
    if (inner.length === 0) return;
    this.forwarded = forwarded;
    this.op = WindowOperator.restore(this.options, inner, owned);
  }

  get droppedLate(): number {
    return this.op.droppedLate;
  }
  get droppedClosed(): number {
    return this.op.droppedClosed;
  }

  async process(_input: number, bundle: Bundle): Promise<void> {
    const perKey = this.deps.shape === "perKey";
    const { values } = bundle;
    this.sawInput ||= values.length > 0;
    try {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const m = metaOf(bundle, i);
        if (perKey) {
          if (!isKV(v)) throw new Error(`needs KV elements (key, value), got ${describeElement(v)}`);
          this.op.processElement(v.key, v.value, m.timestamp, m.windows, m.retraction);
        } else this.op.processElement(null, v, m.timestamp, m.windows, m.retraction);
      }
    } catch (e) {
      throw stepError(this.step, e);
    }
    await this.flush();
  }

  async watermark(_input: number, at: Instant): Promise<void> {
    try {
      this.op.advanceWatermark(at);
    } catch (e) {
      throw stepError(this.step, e);
    }
    if (at === Instant.MAX) this.emitDefault();
    await this.flush();
    const out = at === Instant.MAX ? Instant.MAX : this.op.outputWatermark;
    if (out > this.forwarded) {
      this.forwarded = out;
      await this.deps.output.watermark(out);
    }
  }

  async processingTime(now: Instant): Promise<void> {
    this.op.advanceProcessingTime(now);
    await this.flush();
  }

  /** combineGlobally of nothing in the global window gives the combiner's empty result, as in Beam. */
  private emitDefault(): void {
    const { shape, withDefaults, strategy, combineFn } = this.deps;
    if (shape !== "globally" || !withDefaults || this.sawInput || strategy.windowFn.kind !== "global") return;
    const value = combineFn.extractOutput(combineFn.createAccumulator());
    this.out.push(value, {
      timestamp: maxTimestamp(GLOBAL_WINDOW),
      windows: [GLOBAL_WINDOW],
      pane: ON_TIME_ONLY,
      retraction: false,
    });
  }

  private async flush(): Promise<void> {
    if (this.out.length > 0) await this.deps.output.emit(this.out.take());
  }
}
