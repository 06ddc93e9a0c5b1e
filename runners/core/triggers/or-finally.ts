import { type Instant } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { type TriggerContext } from "./machine.js";
import { TriggerNode, mergeChild } from "./node.js";

/**
 * Beam's OrFinallyStateMachine: runs `actual` and `until` side by side; fires when either is
 * ready; finished when `until` fires (one last pane) or `actual` finishes. `until` keeps
 * counting across the firings of `actual`, so its final pane may hold fewer elements.
 */
export class OrFinallyNode extends TriggerNode {
  constructor(
    merging: boolean,
    private readonly actual: TriggerNode,
    private readonly until: TriggerNode,
  ) {
    super(merging);
  }

  onElement(ctx: TriggerContext, timestamp: Instant): void {
    this.actual.onElement(ctx, timestamp);
    this.until.onElement(ctx, timestamp);
  }

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    mergeChild<OrFinallyNode>(ctx, this.actual, sources, (s) => s.actual);
    mergeChild<OrFinallyNode>(ctx, this.until, sources, (s) => s.until);
    this.finished = this.actual.finished || this.until.finished;
  }

  shouldFire(ctx: TriggerContext): boolean {
    return this.actual.shouldFire(ctx) || this.until.shouldFire(ctx);
  }

  onFire(ctx: TriggerContext): void {
    if (this.until.shouldFire(ctx)) {
      this.until.onFire(ctx);
      this.actual.clear();
      // Beam's until is a once-trigger, finished by this firing; ours may be any trigger, and its firing still closes.
      this.finished = true;
    } else {
      this.actual.onFire(ctx);
      this.finished = this.actual.finished || this.until.finished;
    }
  }

  clear(): void {
    this.actual.clear();
    this.until.clear();
  }

  override resetTree(): void {
    this.finished = false;
    this.actual.resetTree();
    this.until.resetTree();
  }

  collectDeadlines(out: Instant[]): void {
    this.actual.collectDeadlines(out);
    this.until.collectDeadlines(out);
  }

  fresh(): OrFinallyNode {
    return new OrFinallyNode(this.merging, this.actual.fresh(), this.until.fresh());
  }

  write(w: BinaryWriter): void {
    w.bool(this.finished);
    this.actual.write(w);
    this.until.write(w);
  }

  read(r: BinaryReader): void {
    this.finished = r.bool();
    this.actual.read(r);
    this.until.read(r);
  }
}
