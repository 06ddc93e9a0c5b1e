import { type TriggerContext } from "./machine.js";
import { TriggerNode, endOfWindowReached } from "./node.js";

/**
 * Beam's DefaultTriggerStateMachine (Repeatedly.forever(AfterWatermark.pastEndOfWindow())):
 * ready whenever the watermark is past the end of the window, so it fires on time and then at
 * the next evaluation after each late element. It has no state and never finishes.
 */
export class DefaultNode extends TriggerNode {
  onElement(): void {}
  mergeFrom(): void {}

  shouldFire(ctx: TriggerContext): boolean {
    return endOfWindowReached(ctx);
  }

  onFire(): void {}
  clear(): void {}

  collectDeadlines(): void {}

  fresh(): DefaultNode {
    return new DefaultNode(this.merging);
  }

  write(): void {}
  read(): void {}
}
