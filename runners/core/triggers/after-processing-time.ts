import { type Duration, type Instant } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { type TriggerContext } from "./machine.js";
import { TriggerNode, earlier, sameKind } from "./node.js";

const FINISHED = 1;
const HAS_DEADLINE = 2;

/**
 * Beam's AfterProcessingTimeStateMachine (pastFirstElementInPane().plusDelayOf(delay)): the
 * pane's first element sets a deadline `delay` after the processing time it arrived at; ready
 * once processing time reaches it; a once-trigger. Merged windows keep the earliest deadline.
 */
export class AfterProcessingTimeNode extends TriggerNode {
  private deadline: Instant | null = null;

  constructor(
    merging: boolean,
    private readonly delay: Duration,
  ) {
    super(merging);
  }

  onElement(ctx: TriggerContext): void {
    // Later elements of the pane would only set later deadlines, which the first one pre-empts.
    if (this.deadline === null) this.deadline = ctx.processingTime + this.delay;
  }

  mergeFrom(_ctx: TriggerContext, sources: readonly TriggerNode[]): void {
    // Beam looks at the result window's own bit here (not the merged windows'): once fired it stays done.
    if (this.finished) {
      this.deadline = null;
      return;
    }
    for (const s of sameKind<AfterProcessingTimeNode>(sources)) this.deadline = earlier(this.deadline, s.deadline);
  }

  // Beam fires strictly after the deadline (its timers fire once time is past them); ours fire at it, as a timer at T fires at T.
  shouldFire(ctx: TriggerContext): boolean {
    return this.deadline !== null && ctx.processingTime >= this.deadline;
  }

  onFire(): void {
    this.deadline = null;
    this.finished = true;
  }

  clear(): void {
    this.deadline = null;
  }

  collectDeadlines(out: Instant[]): void {
    if (this.deadline !== null) out.push(this.deadline);
  }

  fresh(): AfterProcessingTimeNode {
    return new AfterProcessingTimeNode(this.merging, this.delay);
  }

  write(w: BinaryWriter): void {
    w.u8((this.finished ? FINISHED : 0) | (this.deadline === null ? 0 : HAS_DEADLINE));
    if (this.deadline !== null) w.varint(this.deadline);
  }

  read(r: BinaryReader): void {
    const flags = r.u8();
    this.finished = (flags & FINISHED) !== 0;
    this.deadline = flags & HAS_DEADLINE ? r.varint() : null;
  }
}
