import { GLOBAL_WINDOW, type Instant, type Window, type WindowFn } from "../../../../sdk/index.js";
import { assignerFor } from "../../windows/assign.js";
import { type Bundle, type Meta, isUniform, metaOf } from "../bundle.js";
import { InputWatermarks, type Operator, type Output } from "./operator.js";

/** windowInto: re-assigns each element's windows from its timestamp. */
export class WindowIntoOperator implements Operator {
  readonly droppedLate = 0;
  private readonly assign: (t: Instant) => readonly Window[];
  private readonly global: boolean;

  constructor(
    readonly step: string,
    windowFn: WindowFn,
    private readonly out: Output,
  ) {
    this.assign = assignerFor(windowFn);
    this.global = windowFn.kind === "global";
  }

  async process(_input: number, bundle: Bundle): Promise<void> {
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
