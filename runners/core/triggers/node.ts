import { type Instant, maxTimestamp } from "../../../sdk/index.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import { type TriggerContext, type TriggerMachine } from "./machine.js";

/**
 * One node of a trigger's state machine: the root is the machine the window operator holds,
 * composite nodes own their subtriggers. Each node keeps its own finished bit (Beam keeps them
 * in a FinishedTriggersBitSet beside the tree; here they live in the nodes, so a machine is one
 * small object tree with plain fields).
 *
 * Subclasses implement Beam's TriggerStateMachine hooks; `mergeFrom` gets the same node of every
 * merged window's machine, and composites recurse into the matching children.
 */
export abstract class TriggerNode implements TriggerMachine {
  /** Beam's finished bit for this node. Parents read and set their children's. */
  finished = false;

  /** Whether the window function merges (Beam's TriggerInfo.isMerging): afterEach and afterWatermark run subtriggers in parallel then. */
  constructor(readonly merging: boolean) {}

  get isFinished(): boolean {
    return this.finished;
  }

  abstract onElement(ctx: TriggerContext, timestamp: Instant): void;
  abstract shouldFire(ctx: TriggerContext): boolean;
  abstract onFire(ctx: TriggerContext): void;

  /** Adds the processing-time deadlines shouldFire depends on now (Beam: the timers its leaves have set). */
  abstract collectDeadlines(out: Instant[]): void;

  nextProcessingTime(ctx?: TriggerContext): Instant | null {
    if (this.finished) return null;
    const deadlines: Instant[] = [];
    this.collectDeadlines(deadlines);
    if (deadlines.length === 0) return null;
    return ctx ? this.firstReadyDeadline(ctx, deadlines) : Math.min(...deadlines);
  }

  // Readiness only changes at a deadline and, time moving on alone, never turns back: try them in order.
  private firstReadyDeadline(ctx: TriggerContext, deadlines: Instant[]): Instant | null {
    if (this.shouldFire(ctx)) return null;
    deadlines.sort((a, b) => a - b);
    for (const t of deadlines) if (t > ctx.processingTime && this.shouldFire({ ...ctx, processingTime: t })) return t;
    return null;
  }

  /**
   * Combines `sources` (this trigger's node in each merged window, all of this class) into this node,
   * which starts from its own state and bits (Beam's onMerge with the result window's finished set).
   */
  abstract mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void;

  /** Forgets the state of the current pane, keeping finished bits (Beam's clear). */
  abstract clear(): void;

  /** Clears state and every finished bit in this subtree (Beam's resetTree). */
  resetTree(): void {
    this.finished = false;
    this.clear();
  }

  /** A node of the same trigger with no state. */
  abstract fresh(): TriggerNode;

  abstract write(w: BinaryWriter): void;
  abstract read(r: BinaryReader): void;

  snapshot(w: BinaryWriter): void {
    this.write(w);
  }

  onMerge(ctx: TriggerContext, merged: readonly TriggerMachine[]): void {
    if (!this.merging)
      throw new Error(
        "this trigger machine was built for non-merging windows: build it with triggerMachines(trigger, { merging: true })",
      );
    if (merged.length === 0) return;
    const sources = merged.map((m) => this.sourceFrom(m));
    // Beam replaces a merging result window's state with the merge of all sources, its own included once.
    if (merged.includes(this)) this.clear();
    this.mergeFrom(ctx, sources);
  }

  private sourceFrom(m: TriggerMachine): TriggerNode {
    if (!(m instanceof TriggerNode) || m.constructor !== this.constructor)
      throw new TypeError("onMerge: every merged machine must come from the same trigger's factory");
    // Merging into one of the merged machines: read its pre-merge state from a copy, as Beam reads the old bits.
    return m === this ? this.copy() : m;
  }

  private copy(): TriggerNode {
    const w = new BinaryWriter(32);
    this.write(w);
    const copy = this.fresh();
    copy.read(new BinaryReader(w.finish()));
    return copy;
  }
}

/** Beam's end-of-window test: the watermark has passed the window's last timestamp. */
export const endOfWindowReached = (ctx: TriggerContext): boolean => ctx.inputWatermark > maxTimestamp(ctx.window);

/** The earlier of two optional instants. */
export const earlier = (a: Instant | null, b: Instant | null): Instant | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Merge sources as their own class: onMerge checked they were built from the same trigger. */
export const sameKind = <N extends TriggerNode>(sources: readonly TriggerNode[]): readonly N[] => sources as readonly N[];

/** Merges a composite's child from the matching child of every source. */
export function mergeChild<N extends TriggerNode>(
  ctx: TriggerContext,
  child: TriggerNode,
  sources: readonly TriggerNode[],
  pick: (source: N) => TriggerNode,
): void {
  child.mergeFrom(ctx, sameKind<N>(sources).map(pick));
}
