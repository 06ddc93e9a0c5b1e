import { type Instant, type Trigger, type Window } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";

/** What a trigger may look at when it is asked: the window and the two clocks. */
export interface TriggerContext {
  readonly window: Window;
  /** The operator's input watermark: no element earlier than this is expected. */
  readonly inputWatermark: Instant;
  /** Current processing time (a ManualClock in tests). */
  readonly processingTime: Instant;
}

/**
 * The state machine of one trigger for one (key, window), with Beam's semantics
 * (TriggerStateMachine): the window operator calls onElement for each element, asks
 * shouldFire after each element and each timer, calls onFire when it emits a pane, and
 * stops using a window whose machine isFinished (the window is closed).
 */
export interface TriggerMachine {
  onElement(ctx: TriggerContext, timestamp: Instant): void;
  /** This machine becomes the merged window's: absorb the state of the machines of the windows merged into it. */
  onMerge(ctx: TriggerContext, merged: readonly TriggerMachine[]): void;
  shouldFire(ctx: TriggerContext): boolean;
  onFire(ctx: TriggerContext): void;
  readonly isFinished: boolean;
  /**
   * The earliest processing time at which shouldFire could turn true without new input, or null.
   * Pass the context (now): then it is exact, later than now, and null when no processing time
   * alone can make the machine ready (afterAll still waiting for elements, or ready already).
   * Without it: the earliest pending deadline, which may have passed without making it ready.
   */
  nextProcessingTime(ctx?: TriggerContext): Instant | null;
  snapshot(w: BinaryWriter): void;
}

/** Builds machines for a trigger (given as graph data) and restores them from snapshots. */
export interface TriggerMachineFactory {
  create(): TriggerMachine;
  restore(r: BinaryReader): TriggerMachine;
}

export interface TriggerMachineOptions {
  /**
   * Whether the windows merge (sessions). Beam runs afterEach and afterWatermark's subtriggers
   * differently then, and only such machines accept onMerge. Default false.
   */
  readonly merging?: boolean;
}

export type MachineFactoryFor = (trigger: Trigger, options?: TriggerMachineOptions) => TriggerMachineFactory;
