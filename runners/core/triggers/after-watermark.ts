import { type Instant } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { type TriggerContext } from "./machine.js";
import { TriggerNode, endOfWindowReached, mergeChild, sameKind } from "./node.js";

const FINISHED = 1;
const EARLY_FINISHED = 2;

/**
 * Beam's AfterWatermarkStateMachine.FromEndOfWindow (afterWatermark() without early or late
 * firings): fires once when the watermark passes the end of the window, then is finished.
 */
export class EndOfWindowNode extends TriggerNode {
  onElement(): void {}

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    // Still pending in any merged window, or the merged window's end not yet reached: active again.
    this.finished = sources.every((s) => s.finished) && endOfWindowReached(ctx);
  }

  shouldFire(ctx: TriggerContext): boolean {
    return endOfWindowReached(ctx);
  }

  onFire(): void {
    this.finished = true;
  }

  clear(): void {}

  collectDeadlines(): void {}

  fresh(): EndOfWindowNode {
    return new EndOfWindowNode(this.merging);
  }

  write(w: BinaryWriter): void {
    w.bool(this.finished);
  }

  read(r: BinaryReader): void {
    this.finished = r.bool();
  }
}

/**
 * Beam's AfterWatermarkEarlyAndLate. Before the end of the window the early trigger runs,
 * reset after each of its firings; the watermark passing the end of the window fires the
 * on-time pane and finishes the early trigger for good; after that the late trigger runs,
 * reset after each firing, or, without one, the whole trigger is finished.
 *
 * Deliberate differences from Beam: after each early or late firing we reset the subtrigger's
 * whole subtree (Beam clears its state and only its own finished bit, which leaves e.g. an
 * afterAny early trigger ready forever after its first firing); and a merge recomputes this
 * node's own finished bit (Beam leaves the result window's old bit, so a fresh merged window
 * whose early part is done, with no late trigger, could never fire or finish).
 */
export class EarlyLateNode extends TriggerNode {
  constructor(
    merging: boolean,
    private readonly early: TriggerNode,
    private readonly late: TriggerNode | null,
  ) {
    super(merging);
  }

  onElement(ctx: TriggerContext, timestamp: Instant): void {
    // With merging windows both run in parallel: a merge may send the window back to early firings.
    if (this.merging || !this.early.finished) this.early.onElement(ctx, timestamp);
    if (this.late && (this.merging || this.early.finished)) this.late.onElement(ctx, timestamp);
  }

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    if (!sameKind<EarlyLateNode>(sources).every((s) => s.early.finished) || !endOfWindowReached(ctx)) {
      // Some merged window was still before its on-time firing (or the merged window is): back to early firings.
      mergeChild<EarlyLateNode>(ctx, this.early, sources, (s) => s.early);
      this.early.finished = false;
      this.late?.resetTree();
    } else {
      this.early.finished = true;
      if (this.late) mergeChild<EarlyLateNode>(ctx, this.late, sources, (s) => s.late as TriggerNode);
    }
    this.finished = this.late === null && this.early.finished;
  }

  shouldFire(ctx: TriggerContext): boolean {
    if (!this.early.finished) return this.early.shouldFire(ctx) || endOfWindowReached(ctx);
    return this.late !== null && this.late.shouldFire(ctx);
  }

  onFire(ctx: TriggerContext): void {
    if (!this.early.finished) this.onTimelyFiring(ctx);
    else if (this.late) this.onLateFiring(ctx);
    else this.finished = true;
  }

  private onTimelyFiring(ctx: TriggerContext): void {
    if (!endOfWindowReached(ctx)) {
      this.early.onFire(ctx);
      this.early.resetTree();
      return;
    }
    // The on-time pane also takes a pending early firing. The early trigger is done for good, its
    // subtree left clean in case a merge revives it.
    this.early.resetTree();
    this.early.finished = true;
    // The late trigger saw pre-deadline elements (in parallel, when merging); late firings start afresh.
    if (this.late) this.late.resetTree();
    else this.finished = true;
  }

  private onLateFiring(ctx: TriggerContext): void {
    const late = this.late as TriggerNode;
    late.onFire(ctx);
    late.resetTree();
  }

  clear(): void {
    this.early.clear();
    this.late?.clear();
  }

  override resetTree(): void {
    this.finished = false;
    this.early.resetTree();
    this.late?.resetTree();
  }

  collectDeadlines(out: Instant[]): void {
    if (!this.early.finished) this.early.collectDeadlines(out);
    else this.late?.collectDeadlines(out);
  }

  fresh(): EarlyLateNode {
    return new EarlyLateNode(this.merging, this.early.fresh(), this.late?.fresh() ?? null);
  }

  // The early trigger's bit (past the end of the window) is kept here too: a default or never early trigger writes no bytes.
  write(w: BinaryWriter): void {
    w.u8((this.finished ? FINISHED : 0) | (this.early.finished ? EARLY_FINISHED : 0));
    this.early.write(w);
    this.late?.write(w);
  }

  read(r: BinaryReader): void {
    const flags = r.u8();
    this.early.read(r);
    this.late?.read(r);
    this.finished = (flags & FINISHED) !== 0;
    this.early.finished = (flags & EARLY_FINISHED) !== 0;
  }
}
