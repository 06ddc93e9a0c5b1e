import { type Instant } from "../../../sdk/index.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";
import { type TriggerContext } from "./machine.js";
import { TriggerNode, mergeChild } from "./node.js";

/** What afterEach, afterAny and afterAll share: a list of subtriggers, cleared, reset and snapshotted together. */
export abstract class ListNode extends TriggerNode {
  constructor(
    merging: boolean,
    protected readonly subs: readonly TriggerNode[],
  ) {
    super(merging);
  }

  /** Merges the i-th subtrigger from the i-th subtrigger of every source. */
  protected mergeSub(ctx: TriggerContext, sources: readonly TriggerNode[], i: number): TriggerNode {
    const sub = this.subs[i] as TriggerNode;
    mergeChild<ListNode>(ctx, sub, sources, (s) => s.subs[i] as TriggerNode);
    return sub;
  }

  protected freshSubs(): TriggerNode[] {
    return this.subs.map((s) => s.fresh());
  }

  protected firstUnfinished(): TriggerNode | undefined {
    return this.subs.find((s) => !s.finished);
  }

  clear(): void {
    for (const s of this.subs) s.clear();
  }

  override resetTree(): void {
    this.finished = false;
    for (const s of this.subs) s.resetTree();
  }

  write(w: BinaryWriter): void {
    w.bool(this.finished);
    for (const s of this.subs) s.write(w);
  }

  read(r: BinaryReader): void {
    this.finished = r.bool();
    for (const s of this.subs) s.read(r);
  }

  /** A finished subtrigger counts as ready in afterAny and afterAll, whatever its deadlines. */
  protected collectUnfinished(out: Instant[]): void {
    for (const s of this.subs) if (!s.finished) s.collectDeadlines(out);
  }
}
