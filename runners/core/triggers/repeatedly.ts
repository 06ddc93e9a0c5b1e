import { type Instant } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { type TriggerContext } from "./machine.js";
import { TriggerNode, mergeChild } from "./node.js";

/**
 * Beam's RepeatedlyStateMachine: fires whenever its subtrigger would; when a firing finishes
 * the subtrigger, resets it (state and finished bits) to start over. Never finishes itself.
 */
export class RepeatedlyNode extends TriggerNode {
  constructor(
    merging: boolean,
    private readonly repeated: TriggerNode,
  ) {
    super(merging);
  }

  onElement(ctx: TriggerContext, timestamp: Instant): void {
    this.repeated.onElement(ctx, timestamp);
  }

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    mergeChild<RepeatedlyNode>(ctx, this.repeated, sources, (s) => s.repeated);
  }

  shouldFire(ctx: TriggerContext): boolean {
    return this.repeated.shouldFire(ctx);
  }

  onFire(ctx: TriggerContext): void {
    this.repeated.onFire(ctx);
    if (this.repeated.finished) this.repeated.resetTree();
  }

  clear(): void {
    this.repeated.clear();
  }

  override resetTree(): void {
    this.finished = false;
    this.repeated.resetTree();
  }

  collectDeadlines(out: Instant[]): void {
    this.repeated.collectDeadlines(out);
  }

  fresh(): RepeatedlyNode {
    return new RepeatedlyNode(this.merging, this.repeated.fresh());
  }

  // No bit of its own: it never finishes.
  write(w: BinaryWriter): void {
    this.repeated.write(w);
  }

  read(r: BinaryReader): void {
    this.repeated.read(r);
  }
}
