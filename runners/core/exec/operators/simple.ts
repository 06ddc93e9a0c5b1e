import { GLOBAL_WINDOW, type Instant, type Window, type WindowFn } from "../../../../sdk/index.js";
import { assignerFor } from "../../windows/assign.js";
import { type Bundle, type Meta, TimedBundle, isUniform, metaOf } from "../bundle.js";
import { InputWatermarks, type Operator, type Output } from "./operator.js";

/** windowInto: re-assigns each element's windows from its timestamp. */
export class WindowIntoOperator implements Operator {
  readonly droppedLate = 0;
  private readonly assign: (t: Instant) => readonly Window[];
  private readonly global: boolean;
  /** Fixed and calendar windows cut time into disjoint windows: one each, shared by every element in it. */
  private readonly tiling: boolean;
  private readonly interned = new Map<Instant, Window>();

  constructor(
    readonly step: string,
    windowFn: WindowFn,
    private readonly out: Output,
  ) {
    this.assign = assignerFor(windowFn);
    this.global = windowFn.kind === "global";
    this.tiling = windowFn.kind === "fixed" || windowFn.kind === "calendarDays";
  }

  async process(_input: number, bundle: Bundle): Promise<void> {
    if (bundle instanceof TimedBundle && (this.global || this.tiling)) return this.out.emit(this.columnar(bundle));
    if (isUniform(bundle.metas) && this.global) {
      const m = bundle.metas;
      const metas = m.windows.length === 1 && m.windows[0] === GLOBAL_WINDOW ? m : { ...m, windows: [GLOBAL_WINDOW] };
      return this.out.emit({ values: bundle.values, metas });
    }
    const metas = new Array<Meta>(bundle.values.length);
    let last: Meta | null = null;
    let lastOut: Meta | null = null;
    for (let i = 0; i < metas.length; i++) {
      const m = metaOf(bundle, i);
      if (m !== last) {
        last = m;
        lastOut = { ...m, windows: this.assign(m.timestamp) };
      }
      metas[i] = lastOut!;
    }
    return this.out.emit({ values: bundle.values, metas });
  }

  watermark(_input: number, at: Instant): Promise<void> {
    return this.out.watermark(at);
  }

  async processingTime(): Promise<void> {}

  /** A columnar bundle stays columnar: a window per element, the same object for every element in it. */
  private columnar(bundle: TimedBundle): TimedBundle {
    const { values, timestamps } = bundle;
    if (this.global) return new TimedBundle(values, timestamps, null);
    const windows = new Array<Window>(values.length);
    let w: Window | null = null;
    for (let i = 0; i < windows.length; i++) {
      const t = timestamps[i]!;
      if (w === null || t < w.start || t >= w.end) w = this.intern(this.assign(t)[0]!);
      windows[i] = w;
    }
    return new TimedBundle(values, timestamps, windows);
  }

  private intern(w: Window): Window {
    let shared = this.interned.get(w.start);
    if (shared?.end !== w.end) {
      if (this.interned.size >= 4096) this.interned.clear();
      this.interned.set(w.start, (shared = Object.freeze({ start: w.start, end: w.end })));
    }
    return shared;
  }
}

/** flatten: every input's elements, unchanged; the watermark is the inputs' minimum. */
export class FlattenOperator implements Operator {
  readonly droppedLate = 0;
  private readonly watermarks: InputWatermarks;

  constructor(
    readonly step: string,
    inputs: number,
    private readonly out: Output,
  ) {
    this.watermarks = new InputWatermarks(inputs);
  }

  process(_input: number, bundle: Bundle): Promise<void> {
    return this.out.emit(bundle);
  }

  async watermark(input: number, at: Instant): Promise<void> {
    const moved = this.watermarks.update(input, at);
    if (moved !== null) await this.out.watermark(moved);
  }

  async processingTime(): Promise<void> {}
}

/** Bundles pass unchanged: configureWindowing (the strategy changes, elements do not), and steps the plan fused away. */
export class PassOperator implements Operator {
  readonly droppedLate = 0;

  constructor(
    readonly step: string,
    private readonly out: Output,
  ) {}

  process(_input: number, bundle: Bundle): Promise<void> {
    return this.out.emit(bundle);
  }

  watermark(_input: number, at: Instant): Promise<void> {
    return this.out.watermark(at);
  }

  async processingTime(): Promise<void> {}
}
