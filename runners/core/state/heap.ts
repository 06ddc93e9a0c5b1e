/** A binary min-heap on an array: push and pop in O(log n), peek in O(1). */
export class BinaryHeap<T> {
  private items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const xs = this.items;
    let i = xs.length;
    xs.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = xs[parent] as T;
      if (!this.less(item, p)) break;
      xs[i] = p;
      i = parent;
    }
    xs[i] = item;
  }

  pop(): T | undefined {
    const xs = this.items;
    const top = xs[0];
    const last = xs.pop();
    if (xs.length > 0 && last !== undefined) this.siftDown(0, last);
    return top;
  }

  /** Keeps only the items `keep` accepts, re-heapified in O(n). */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i, this.items[i] as T);
  }

  private siftDown(start: number, item: T): void {
    const xs = this.items;
    const n = xs.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(xs[r] as T, xs[l] as T) ? r : l;
      const child = xs[c] as T;
      if (!this.less(child, item)) break;
      xs[i] = child;
      i = c;
    }
    xs[i] = item;
  }
}
