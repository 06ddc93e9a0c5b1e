import { type Instant } from "../../../sdk/index.js";
import { type TriggerContext } from "./machine.js";
import { ListNode } from "./composite.js";
import { type TriggerNode } from "./node.js";

/**
 * Beam's AfterAllStateMachine: unfinished subtriggers see each element; fires when every
 * subtrigger is ready or already finished, then is finished.
 */
export class AfterAllNode extends ListNode {
  onElement(ctx: TriggerContext, timestamp: Instant): void {
    for (const s of this.subs) if (!s.finished) s.onElement(ctx, timestamp);
  }

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    for (let i = 0; i < this.subs.length; i++) this.mergeSub(ctx, sources, i);
    this.finished = this.subs.every((s) => s.finished);
  }

  shouldFire(ctx: TriggerContext): boolean {
    return this.subs.every((s) => s.finished || s.shouldFire(ctx));
  }

  onFire(ctx: TriggerContext): void {
    for (const s of this.subs) s.onFire(ctx);
    this.finished = true;
  }

  collectDeadlines(out: Instant[]): void {
    this.collectUnfinished(out);
  }

  fresh(): AfterAllNode {
    return new AfterAllNode(this.merging, this.freshSubs());
  }
}
