import { BinaryReader, BinaryWriter } from "../../../runners/core/codec.js";
import {
  type TriggerContext,
  type TriggerMachine,
  type TriggerMachineFactory,
  type TriggerMachineOptions,
  triggerMachines,
} from "../../../runners/core/triggers/index.js";
import { Instant, type Trigger, type Window } from "../../../sdk/index.js";

/** The two clocks every window of a test shares, like an operator's input watermark and processing time. */
export class Clocks {
  watermark: Instant = Instant.MIN;
  processing: Instant = 0;
}

export const win = (start: Instant, end: Instant): Window => ({ start, end });

/** One (key, window) and its machine, driven the way the window operator drives it. */
export class WindowRun {
  constructor(
    readonly factory: TriggerMachineFactory,
    readonly window: Window,
    readonly clocks: Clocks,
    public machine: TriggerMachine = factory.create(),
  ) {}

  get ctx(): TriggerContext {
    return { window: this.window, inputWatermark: this.clocks.watermark, processingTime: this.clocks.processing };
  }

  /** Elements of the pane, at the window's start unless told (no machine here reads the timestamp). */
  elements(n = 1, at: Instant = this.window.start): this {
    for (let i = 0; i < n; i++) this.machine.onElement(this.ctx, at);
    return this;
  }

  watermark(t: Instant): this {
    this.clocks.watermark = t;
    return this;
  }

  processing(t: Instant): this {
    this.clocks.processing = t;
    return this;
  }

  get ready(): boolean {
    return this.machine.shouldFire(this.ctx);
  }

  get finished(): boolean {
    return this.machine.isFinished;
  }

  /** The processing time to wake the machine at, as the operator asks for it (with now). */
  get next(): Instant | null {
    return this.machine.nextProcessingTime(this.ctx);
  }

  /** Fires a pane, which the operator only does when the machine is ready. */
  fire(): this {
    if (!this.ready) throw new Error("fire() called on a machine that is not ready");
    this.machine.onFire(this.ctx);
    return this;
  }

  snapshot(): Uint8Array {
    const w = new BinaryWriter();
    this.machine.snapshot(w);
    return w.finish();
  }

  /** Replaces the machine by one restored from its own snapshot, checking every byte was read. */
  roundTrip(): this {
    const r = new BinaryReader(this.snapshot());
    this.machine = this.factory.restore(r);
    if (!r.done) throw new Error("restore left bytes unread");
    return this;
  }
}

/** A test world: one trigger, shared clocks, windows created and merged on demand. */
export class World {
  readonly clocks = new Clocks();
  readonly factory: TriggerMachineFactory;

  constructor(trigger: Trigger, options: TriggerMachineOptions = {}) {
    this.factory = triggerMachines(trigger, options);
  }

  window(start: Instant, end: Instant): WindowRun {
    return new WindowRun(this.factory, win(start, end), this.clocks);
  }

  /** Merges windows into a new window with a fresh machine (a session's span). */
  merge(parts: readonly WindowRun[]): WindowRun {
    const into = this.window(Math.min(...parts.map((p) => p.window.start)), Math.max(...parts.map((p) => p.window.end)));
    into.machine.onMerge(
      into.ctx,
      parts.map((p) => p.machine),
    );
    return into;
  }

  /** Merges windows into `into`, one of the windows merged (a session that already spans the others). */
  absorb(into: WindowRun, others: readonly WindowRun[]): WindowRun {
    into.machine.onMerge(
      into.ctx,
      [into, ...others].map((p) => p.machine),
    );
    return into;
  }
}

/** One step of a scripted run: input, a clock moving, or the operator firing if the machine is ready. */
export type Step = { element: Instant } | { watermark: Instant } | { processing: Instant } | "fire";

/** What the operator can observe after a step. */
export interface Observation {
  readonly ready: boolean;
  readonly fired: boolean;
  readonly finished: boolean;
  readonly next: Instant | null;
}

/** Runs steps the way the operator would: elements only while open, firing only when ready. */
export function runSteps(run: WindowRun, steps: readonly Step[]): Observation[] {
  return steps.map((step) => {
    let fired = false;
    if (step === "fire") {
      if (run.ready && !run.finished) {
        run.fire();
        fired = true;
      }
    } else if ("element" in step) {
      if (!run.finished) run.elements(1, step.element);
    } else if ("watermark" in step) run.watermark(step.watermark);
    else run.processing(step.processing);
    return { ready: run.ready, fired, finished: run.finished, next: run.next };
  });
}
