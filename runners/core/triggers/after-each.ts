import { type Instant } from "../../../sdk/index.js";
import { type TriggerContext } from "./machine.js";
import { ListNode } from "./composite.js";
import { type TriggerNode } from "./node.js";

/**
 * Beam's AfterEachStateMachine: runs its subtriggers in order, firing whenever the current
 * one (the first unfinished) fires and moving on when it finishes; finished after the last.
 * With merging windows every subtrigger sees every element and all are cleared at each firing,
 * because a merge may send the window back to an earlier subtrigger.
 */
export class AfterEachNode extends ListNode {
  onElement(ctx: TriggerContext, timestamp: Instant): void {
    if (this.merging) for (const s of this.subs) s.onElement(ctx, timestamp);
    else this.firstUnfinished()?.onElement(ctx, timestamp);
  }

  mergeFrom(ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    // Subtriggers after the first one still unfinished have not started in the merged window.
    let priorFinished = true;
    for (let i = 0; i < this.subs.length; i++) {
      if (priorFinished) priorFinished = this.mergeSub(ctx, sources, i).finished;
      else this.subs[i]?.clear();
    }
    this.finished = this.firstUnfinished() === undefined;
  }

  shouldFire(ctx: TriggerContext): boolean {
    return this.firstUnfinished()?.shouldFire(ctx) ?? false;
  }

  onFire(ctx: TriggerContext): void {
    this.firstUnfinished()?.onFire(ctx);
    if (this.merging) this.clear();
    this.finished = this.firstUnfinished() === undefined;
  }

  collectDeadlines(out: Instant[]): void {
    this.firstUnfinished()?.collectDeadlines(out);
  }

  fresh(): AfterEachNode {
    return new AfterEachNode(this.merging, this.freshSubs());
  }
}
