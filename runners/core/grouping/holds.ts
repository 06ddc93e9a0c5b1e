import { Instant } from "../../../sdk/index.js";
import { BinaryHeap } from "../state/heap.js";

/**
 * The watermark holds of one operator: a multiset of instants whose minimum holds the
 * output watermark back. A lazy min-heap plus counts, so add/remove are O(log n).
 */
export class HoldTracker {
  private readonly counts = new Map<Instant, number>();
  private readonly heap = new BinaryHeap<Instant>((a, b) => a < b);

  add(t: Instant): void {
    const n = this.counts.get(t) ?? 0;
    this.counts.set(t, n + 1);
    if (n === 0) this.heap.push(t);
  }

  remove(t: Instant): void {
    const n = this.counts.get(t);
    if (n === undefined) throw new Error(`internal: no watermark hold at ${Instant.format(t)}`);
    if (n === 1) this.counts.delete(t);
    else this.counts.set(t, n - 1);
  }

  /** The earliest hold, or Instant.MAX when nothing holds the watermark. */
  min(): Instant {
    for (;;) {
      const top = this.heap.peek();
      if (top === undefined) return Instant.MAX;
      if (this.counts.has(top)) return top;
      this.heap.pop();
    }
  }
}
