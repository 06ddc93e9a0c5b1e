import { TriggerNode } from "./node.js";

/**
 * Beam's NeverStateMachine: never ready, so only the window's closing (end plus allowed
 * lateness) emits a pane. No state; it never finishes.
 */
export class NeverNode extends TriggerNode {
  onElement(): void {}
  mergeFrom(): void {}

  shouldFire(): boolean {
    return false;
  }

  // Beam throws here; onFire only follows shouldFire, so reaching it is harmless and we ignore it.
  onFire(): void {}
  clear(): void {}

  collectDeadlines(): void {}

  fresh(): NeverNode {
    return new NeverNode(this.merging);
  }

  write(): void {}
  read(): void {}
}
