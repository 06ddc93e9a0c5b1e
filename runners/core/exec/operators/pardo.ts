import {
  type DoFn,
  type DoFnDeclarations,
  GLOBAL_WINDOW,
  Instant,
  NO_FIRING,
  type ParDoStep,
  type Window,
} from "../../../../sdk/index.js";
import { BinaryReader, BinaryWriter } from "../../codec.js";
import { type FiredTimer } from "../../state/index.js";
import { type KeyGroupRange } from "../../state/keys.js";
import { type Bundle, BundleBuilder, type Meta, metaOf } from "../bundle.js";
import { type KeyScope, KeyedDoFnState } from "./keyed.js";
import { InputWatermarks, type Operator, type Output, describeElement, stepError } from "./operator.js";
import { type SideInputSpec, SideInputs } from "./side-inputs.js";

export interface ParDoDeps {
  readonly step: ParDoStep;
  readonly doFn: DoFn<unknown, unknown>;
  readonly declarations: DoFnDeclarations;
  /** Output collections by tag (`main` and the DoFn's declared outputs). */
  readonly outputs: Readonly<Record<string, Output>>;
  readonly sideInputs: readonly SideInputSpec[];
  readonly allowedLateness: number;
}

type TimerCallback = (ctx: never) => void | Promise<void>;

/**
 * A parDo: runs the DoFn over each element in each of its windows, with state and timers
 * per key and window when declared, side inputs once their matching window is complete
 * (elements wait until then), and bounded concurrency for async DoFns.
 */
export class ParDoOperator implements Operator {
  readonly step: string;
  droppedLate = 0;
  private readonly doFn: DoFn<unknown, unknown>;
  private readonly builders: Record<string, BundleBuilder> = {};
  private readonly watermarks: InputWatermarks;
  private readonly side: SideInputs;
  private readonly keyed: KeyedDoFnState | null;
  private readonly waiting: { value: unknown; meta: Meta }[] = [];
  private setUp = false;
  private readonly shared: ElementContext;
  private inputWatermark: Instant = Instant.MIN;
  /** The latest processing time given to the timers: Instant.MAX once the input has ended. */
  private processingNow: Instant = Instant.MIN;
  private forwarded: Instant = Instant.MIN;

  constructor(private readonly deps: ParDoDeps) {
    this.step = deps.step.name;
    this.doFn = deps.doFn;
    for (const tag of Object.keys(deps.outputs)) this.builders[tag] = new BundleBuilder();
    this.watermarks = new InputWatermarks(1 + deps.sideInputs.length);
    this.side = new SideInputs(this.step, deps.sideInputs);
    const d = deps.declarations;
    const stateful = Object.keys(d.state ?? {}).length + Object.keys(d.timers ?? {}).length > 0;
    this.keyed = stateful ? new KeyedDoFnState(this.step, d.state ?? {}, d.timers ?? {}, deps.allowedLateness) : null;
    this.shared = new ElementContext(this.step, this.builders);
  }

  snapshot(): Uint8Array {
    if (this.deps.sideInputs.length > 0)
      throw stepError(this.step, new Error("checkpointing a DoFn with side inputs is not supported yet"));
    const w = new BinaryWriter().varint(this.inputWatermark).varint(this.forwarded);
    return (this.keyed ? w.u8(1).bytes(this.keyed.snapshot()) : w.u8(0)).finish();
  }

  restore(snapshots: readonly Uint8Array[], owned: KeyGroupRange): void {
    const keyed: Uint8Array[] = [];
    let input: Instant = Instant.MAX;
    let forwarded: Instant = Instant.MAX;
    for (const bytes of snapshots) {
      const r = new BinaryReader(bytes);
      input = Math.min(input, r.varint());
      forwarded = Math.min(forwarded, r.varint());
      if (r.u8() === 1) keyed.push(r.bytes());
    }
    if (snapshots.length === 0) return;
    this.inputWatermark = input;
    this.forwarded = forwarded;
    if (this.keyed && keyed.length > 0) this.keyed.restore(keyed, owned);
  }

  async process(input: number, bundle: Bundle): Promise<void> {
    if (input > 0) {
      this.side.add(input - 1, bundle);
      return;
    }
    await this.ensureSetUp();
    await this.call("startBundle", () => this.doFn.startBundle?.());
    if (this.deps.step.concurrency) await this.processAsync(bundle, this.deps.step.concurrency);
    else
      for (let i = 0; i < bundle.values.length; i++) {
        const meta = metaOf(bundle, i);
        if (this.side.count > 0 && !meta.windows.every((w) => this.side.ready(w)))
          this.waiting.push({ value: bundle.values[i], meta });
        else await this.element(bundle.values[i], meta);
      }
    await this.finishBundle();
    await this.flush();
  }

  async watermark(input: number, at: Instant): Promise<void> {
    if (input > 0) this.side.setWatermark(input - 1, at);
    const moved = this.watermarks.update(input, at);
    if (input > 0 && this.waiting.length > 0) await this.release();
    if (moved === null) return;
    this.inputWatermark = moved;
    await this.ensureSetUp();
    if (this.keyed) {
      this.keyed.timers.setWatermark(moved);
      for (let t = this.keyed.timers.pollEventTimer(); t; t = this.keyed.timers.pollEventTimer()) await this.fire(t);
      if (moved === Instant.MAX) {
        // End of input: processing time runs out too, as in Beam's direct runner.
        this.processingNow = Instant.MAX;
        this.keyed.timers.setProcessingTime(Instant.MAX);
        for (let t = this.keyed.timers.pollProcessingTimer(); t; t = this.keyed.timers.pollProcessingTimer()) await this.fire(t);
      }
    }
    await this.flush();
    await this.forward();
    if (moved === Instant.MAX) await this.call("teardown", () => this.doFn.teardown?.());
  }

  async processingTime(now: Instant): Promise<void> {
    // Once the input has ended, processing time has run out (above); a tick that comes before
    // the end signal, or any clock reading not later than the last, moves nothing.
    if (!this.keyed || now <= this.processingNow) return;
    this.processingNow = now;
    this.keyed.timers.setProcessingTime(now);
    for (let t = this.keyed.timers.pollProcessingTimer(); t; t = this.keyed.timers.pollProcessingTimer()) await this.fire(t);
    await this.flush();
  }

  // ---- elements ----

  private async element(value: unknown, meta: Meta): Promise<void> {
    const one = meta.windows.length === 1;
    for (const window of meta.windows) {
      if (this.keyed?.isExpired(window, this.inputWatermark)) {
        this.droppedLate++;
        continue;
      }
      const scope = this.keyed ? this.keyed.scope(value, window) : null;
      const ctx = this.fill(this.shared, value, meta, window, one ? meta : { ...meta, windows: [window] }, scope);
      try {
        const r = this.doFn.process(value, ctx as never);
        if (r instanceof Promise) await r;
      } catch (e) {
        throw stepError(this.step, e, `element ${describeElement(value)}`);
      }
    }
  }

  /** Points a context at one element in one window. */
  private fill(ctx: ElementContext, value: unknown, meta: Meta, window: Window, windowMeta: Meta, scope: KeyScope | null) {
    ctx.value = value;
    ctx.timestamp = meta.timestamp;
    ctx.pane = meta.pane;
    ctx.retraction = meta.retraction;
    ctx.window = window;
    ctx.windowMeta = windowMeta;
    if (scope) {
      ctx.state = this.keyed!.state(scope);
      ctx.timers = this.keyed!.timerHandles(scope);
    }
    if (this.side.count > 0) ctx.side = this.side.viewsFor(window);
    return ctx;
  }

  /** Async DoFns: at most `limit` elements in flight; ordered keeps the outputs in input order. */
  private async processAsync(bundle: Bundle, c: { readonly limit: number; readonly ordered: boolean }): Promise<void> {
    const results: { tag: string; value: unknown; meta: Meta }[][] = [];
    const pending = new Set<Promise<void>>();
    let next = 0;
    const emitReady = () => {
      while (next < results.length && results[next]) {
        for (const o of results[next]!) this.builders[o.tag]!.push(o.value, o.meta);
        next++;
      }
    };
    for (let i = 0; i < bundle.values.length; i++) {
      const value = bundle.values[i];
      const meta = metaOf(bundle, i);
      for (const window of meta.windows) {
        const slot = results.length;
        results.push(undefined as never);
        const outs: { tag: string; value: unknown; meta: Meta }[] = [];
        const targets = Object.fromEntries(
          Object.keys(this.builders).map((tag) => [
            tag,
            { push: (v: unknown, m: Meta) => void outs.push({ tag, value: v, meta: m }) },
          ]),
        );
        const ctx = this.fill(new ElementContext(this.step, targets), value, meta, window, { ...meta, windows: [window] }, null);
        const p = (async () => {
          try {
            await this.doFn.process(value, ctx as never);
          } catch (e) {
            throw stepError(this.step, e, `element ${describeElement(value)}`);
          }
          if (c.ordered) {
            results[slot] = outs;
            emitReady();
          } else for (const o of outs) this.builders[o.tag]!.push(o.value, o.meta);
        })();
        const tracked: Promise<void> = p.finally(() => pending.delete(tracked));
        pending.add(tracked);
        if (pending.size >= c.limit) await Promise.race(pending);
      }
    }
    await Promise.all(pending);
  }

  private async release(): Promise<void> {
    const still: { value: unknown; meta: Meta }[] = [];
    const ready: { value: unknown; meta: Meta }[] = [];
    for (const w of this.waiting) (w.meta.windows.every((x) => this.side.ready(x)) ? ready : still).push(w);
    if (ready.length === 0) return;
    this.waiting.length = 0;
    this.waiting.push(...still);
    await this.call("startBundle", () => this.doFn.startBundle?.());
    for (const r of ready) await this.element(r.value, r.meta);
    await this.finishBundle();
    await this.flush();
  }

  // ---- timers ----

  private async fire(t: FiredTimer): Promise<void> {
    const keyed = this.keyed!;
    if (keyed.collect(t)) return;
    const callback = (this.doFn.onTimer as Readonly<Record<string, TimerCallback | undefined>> | undefined)?.[t.name];
    if (!callback) throw stepError(this.step, new Error(`timer "${t.name}" fired but the DoFn has no onTimer.${t.name}`));
    const scope = keyed.scopeOf(t);
    // Event-time timers output at their time; processing-time ones at the input watermark, within the window.
    const at =
      t.domain === "eventTime"
        ? t.time
        : Math.min(Math.max(this.inputWatermark, scope.window.start), Math.max(scope.window.start, scope.window.end - 1));
    const meta: Meta = { timestamp: at, windows: [scope.window], pane: NO_FIRING, retraction: false };
    const ctx = this.fill(new ElementContext(this.step, this.builders), undefined, meta, scope.window, meta, scope);
    try {
      await callback(Object.assign(ctx, { key: scope.key, domain: t.domain, timestamp: t.time }) as never);
    } catch (e) {
      throw stepError(this.step, e, `timer "${t.name}" of key ${describeElement(scope.key)}`);
    }
  }

  private async finishBundle(): Promise<void> {
    const finish = this.doFn.finishBundle;
    if (!finish) return;
    await this.call("finishBundle", () =>
      finish.call(this.doFn, {
        output: (value: unknown, timestamp: Instant, window: Window) =>
          this.builders.main!.push(value, { timestamp, windows: [window ?? GLOBAL_WINDOW], pane: NO_FIRING, retraction: false }),
      }),
    );
  }

  private async ensureSetUp(): Promise<void> {
    if (this.setUp) return;
    this.setUp = true;
    await this.call("setup", () => this.doFn.setup?.());
  }

  private async call(what: string, f: () => void | Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      throw stepError(this.step, e, what);
    }
  }

  private async flush(): Promise<void> {
    for (const [tag, b] of Object.entries(this.builders)) if (b.length > 0) await this.deps.outputs[tag]!.emit(b.take());
  }

  /** The output watermark: the inputs', held back by waiting elements and pending event-time timers. */
  private async forward(): Promise<void> {
    let at = this.watermarks.value;
    for (const w of this.waiting) at = Math.min(at, w.meta.timestamp);
    const timer = this.keyed?.timers.nextEventTime();
    if (timer !== undefined) at = Math.min(at, timer);
    if (at <= this.forwarded) return;
    this.forwarded = at;
    for (const o of Object.values(this.deps.outputs)) await o.watermark(at);
  }
}

/** Where a context's outputs go, by tag: the step's bundle builders, or one async element's own buffer. */
interface OutputTarget {
  push(value: unknown, meta: Meta): void;
}

/**
 * What a DoFn's process and onTimer see. Synchronous calls reuse one per step (fill() points
 * it at each element, so there is no allocation per element); async elements and timers get their own.
 */
class ElementContext {
  value: unknown = undefined;
  windowMeta: Meta;
  timestamp: Instant = Instant.MIN;
  window: Window = GLOBAL_WINDOW;
  pane = NO_FIRING;
  retraction = false;
  state: Record<string, unknown> = {};
  timers: Record<string, unknown> = {};
  side: Record<string, unknown> = {};
  private readonly main: OutputTarget;

  constructor(
    private readonly step: string,
    private readonly builders: Readonly<Record<string, OutputTarget>>,
  ) {
    this.main = builders.main!;
    this.windowMeta = { timestamp: Instant.MIN, windows: [GLOBAL_WINDOW], pane: NO_FIRING, retraction: false };
  }

  output(value: unknown): void {
    this.main.push(value, this.windowMeta);
  }

  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.main.push(value, { ...this.windowMeta, timestamp: checkedTimestamp(timestamp, this.timestamp) });
  }

  outputTo(tag: string, value: unknown): void {
    const b = this.builders[tag];
    if (!b)
      throw new Error(
        `outputTo("${tag}"): no such output; declared: ${Object.keys(this.builders).join(", ")} (step "${this.step}")`,
      );
    b.push(value, this.windowMeta);
  }
}

function checkedTimestamp(timestamp: Instant, input: Instant): Instant {
  if (!Number.isInteger(timestamp) || timestamp < input)
    throw new Error(
      `outputWithTimestamp(${Instant.format(timestamp)}) is earlier than the input's timestamp ${Instant.format(input)} (allowed skew 0, as in Beam)`,
    );
  return timestamp;
}
