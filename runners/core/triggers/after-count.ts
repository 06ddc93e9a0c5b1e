import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { type TriggerContext } from "./machine.js";
import { TriggerNode, sameKind } from "./node.js";

/**
 * Beam's AfterPaneStateMachine.elementCountAtLeast: counts the pane's elements and fires once
 * there are at least `count`; a once-trigger, finished by its firing.
 */
export class AfterCountNode extends TriggerNode {
  private seen = 0;

  constructor(
    merging: boolean,
    private readonly count: number,
  ) {
    super(merging);
  }

  onElement(): void {
    this.seen++;
  }

  mergeFrom(_ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    const others = sameKind<AfterCountNode>(sources);
    // Finished in any merged window means it already fired for some of these elements: stay finished.
    if (others.some((s) => s.finished)) {
      this.finished = true;
      this.seen = 0;
      return;
    }
    for (const s of others) this.seen += s.seen;
  }

  shouldFire(): boolean {
    return this.seen >= this.count;
  }

  onFire(): void {
    this.seen = 0;
    this.finished = true;
  }

  clear(): void {
    this.seen = 0;
  }

  collectDeadlines(): void {}

  fresh(): AfterCountNode {
    return new AfterCountNode(this.merging, this.count);
  }

  // One varint holds both: the count shifted left, the finished bit in bit 0.
  write(w: BinaryWriter): void {
    w.uvarint(this.seen * 2 + (this.finished ? 1 : 0));
  }

  read(r: BinaryReader): void {
    const v = r.uvarint();
    this.finished = v % 2 === 1;
    this.seen = Math.floor(v / 2);
  }
}
