import { type Instant } from "../../../sdk/index.js";
import { type TriggerContext } from "./machine.js";
import { ListNode } from "./composite.js";
import { type TriggerNode } from "./node.js";

/**
 * Beam's AfterFirstStateMachine: every subtrigger sees every element; fires when any of them
 * is ready (or already finished), then is finished. Subtriggers not ready at that firing are
 * cleared: the pane they were tracking has been emitted.
 */
export class AfterAnyNode extends ListNode {
  onElement(ctx: TriggerContext, timestamp: Instant): void {
    for (const s of this.subs) s.onElement(ctx, timestamp);
  }

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    for (let i = 0; i < this.subs.length; i++) this.mergeSub(ctx, sources, i);
    this.finished = this.subs.some((s) => s.finished);
  }

  shouldFire(ctx: TriggerContext): boolean {
    return this.subs.some((s) => s.finished || s.shouldFire(ctx));
  }

  onFire(ctx: TriggerContext): void {
    for (const s of this.subs) {
      if (s.shouldFire(ctx)) s.onFire(ctx);
      else s.clear();
    }
    this.finished = true;
  }

  collectDeadlines(out: Instant[]): void {
    this.collectUnfinished(out);
  }

  fresh(): AfterAnyNode {
    return new AfterAnyNode(this.merging, this.freshSubs());
  }
}
