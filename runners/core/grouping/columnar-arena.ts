import { type RowKeys } from "./columnar-input.js";

/**
 * Dense accumulators of the columnar combine: one row of typed arrays per open window
 * (a slot), indexed by key index, so state for (slot s, key k) sits at `s * stride + k`.
 * Each slot also lists its keys in the order they first arrived (the order in which the
 * row operator sets their timers, so panes come out in the same order).
 */

/** The key has state in the window: an open or closed window of the row operator. */
export const HAS = 1;
/** Its end-of-window timer is set. */
export const EOW = 2;
/** Its trigger has finished: elements are dropped until garbage collection. */
export const CLOSED = 4;

export const COLUMNAR_COMBINERS = ["sum", "count", "min", "max", "mean"] as const;
export type ColumnarCombiner = (typeof COLUMNAR_COMBINERS)[number];

export class SlotArena {
  stride = 0;
  /** Sum (sum, mean) or the extreme (min, max) of the elements since the last pane. */
  acc = new Float64Array(0);
  /** Elements since the last pane: 0 is an empty pane (and, before any pane, no state). */
  n = new Int32Array(0);
  /** Panes emitted so far: the next pane's index. */
  panes = new Int32Array(0);
  flags = new Uint8Array(0);
  /** Per slot, its keys in first-arrival order, then how many. */
  order = new Int32Array(0);
  orderLen = new Int32Array(0);
  /** Per slot, the flags a key gets when a fast batch first adds it. */
  firstFlags = new Uint8Array(0);
  private slots = 0;
  private used = 0;
  private readonly free: number[] = [];

  alloc(firstFlags: number): number {
    let s = this.free.pop();
    if (s === undefined) {
      if (this.used === this.slots) this.resize(this.stride, Math.max(4, this.slots * 2));
      s = this.used++;
    }
    this.firstFlags[s] = firstFlags;
    return s;
  }

  /** Clears a slot's state (only the keys it touched) for reuse. */
  release(s: number): void {
    const base = s * this.stride;
    for (let t = 0, len = this.orderLen[s]!; t < len; t++) {
      const j = base + this.order[base + t]!;
      this.acc[j] = 0;
      this.n[j] = 0;
      this.panes[j] = 0;
      this.flags[j] = 0;
    }
    this.orderLen[s] = 0;
    this.free.push(s);
  }

  /** Makes room for keys 0..count-1 in every slot. */
  reserveKeys(count: number): void {
    if (count > this.stride) this.resize(Math.max(count, this.stride * 2, 1024), this.slots);
  }

  /** Adds key `k` to slot `s` with `flags`. */
  touch(s: number, k: number, flags: number): void {
    const base = s * this.stride;
    this.flags[base + k] = flags;
    this.order[base + this.orderLen[s]!++] = k;
  }

  /** The keys of slot `s` in first-arrival order. */
  keysOf(s: number): Int32Array {
    const base = s * this.stride;
    return this.order.subarray(base, base + this.orderLen[s]!);
  }

  private resize(stride: number, slots: number): void {
    const move = <T extends Float64Array | Int32Array | Uint8Array>(old: T, next: T): T => {
      for (let s = 0; s < this.used; s++) next.set(old.subarray(s * this.stride, (s + 1) * this.stride), s * stride);
      return next;
    };
    const size = stride * slots;
    this.acc = move(this.acc, new Float64Array(size));
    this.n = move(this.n, new Int32Array(size));
    this.panes = move(this.panes, new Int32Array(size));
    this.flags = move(this.flags, new Uint8Array(size));
    this.order = move(this.order, new Int32Array(size));
    this.orderLen = grow(this.orderLen, new Int32Array(slots));
    this.firstFlags = grow(this.firstFlags, new Uint8Array(slots));
    this.stride = stride;
    this.slots = slots;
  }
}

const grow = <T extends Int32Array | Uint8Array>(old: T, next: T): T => {
  next.set(old);
  return next;
};

// ---- adding rows ----

/** Adds the rows whose slot is not negative (fast slots: a key with no elements has no state). */
export type Kernel = (a: SlotArena, rows: number, slotOf: Int32Array, keys: RowKeys, values: Float64Array) => void;

function sumRows(a: SlotArena, rows: number, slotOf: Int32Array, keys: RowKeys, values: Float64Array): void {
  const { acc, n, stride } = a;
  const { codes, map } = keys;
  for (let i = 0; i < rows; i++) {
    const s = slotOf[i]!;
    if (s < 0) continue;
    const k = map[codes[i]!]!;
    const j = s * stride + k;
    if (n[j]!++ === 0) a.touch(s, k, a.firstFlags[s]!);
    acc[j]! += values[i]!;
  }
}

function countRows(a: SlotArena, rows: number, slotOf: Int32Array, keys: RowKeys): void {
  const { n, stride } = a;
  const { codes, map } = keys;
  for (let i = 0; i < rows; i++) {
    const s = slotOf[i]!;
    if (s < 0) continue;
    const k = map[codes[i]!]!;
    if (n[s * stride + k]!++ === 0) a.touch(s, k, a.firstFlags[s]!);
  }
}

// min and max keep the first element, then replace it only by a strictly better one (as minFn/maxFn do, NaN included).
function minRows(a: SlotArena, rows: number, slotOf: Int32Array, keys: RowKeys, values: Float64Array): void {
  const { acc, n, stride } = a;
  const { codes, map } = keys;
  for (let i = 0; i < rows; i++) {
    const s = slotOf[i]!;
    if (s < 0) continue;
    const k = map[codes[i]!]!;
    const j = s * stride + k;
    const v = values[i]!;
    if (n[j]!++ === 0) {
      a.touch(s, k, a.firstFlags[s]!);
      acc[j] = v;
    } else if (v < acc[j]!) acc[j] = v;
  }
}

function maxRows(a: SlotArena, rows: number, slotOf: Int32Array, keys: RowKeys, values: Float64Array): void {
  const { acc, n, stride } = a;
  const { codes, map } = keys;
  for (let i = 0; i < rows; i++) {
    const s = slotOf[i]!;
    if (s < 0) continue;
    const k = map[codes[i]!]!;
    const j = s * stride + k;
    const v = values[i]!;
    if (n[j]!++ === 0) {
      a.touch(s, k, a.firstFlags[s]!);
      acc[j] = v;
    } else if (v > acc[j]!) acc[j] = v;
  }
}

export const KERNELS: { readonly [C in ColumnarCombiner]: Kernel } = {
  sum: sumRows,
  mean: sumRows,
  count: countRows,
  min: minRows,
  max: maxRows,
};

/** Adds one element at `j` (the row path of a slot that is not fast). */
export function addOne(kind: ColumnarCombiner, a: SlotArena, j: number, v: number): void {
  const first = a.n[j]! === 0;
  a.n[j]!++;
  if (kind === "sum" || kind === "mean") a.acc[j]! += v;
  else if (kind === "min") a.acc[j] = first || v < a.acc[j]! ? v : a.acc[j]!;
  else if (kind === "max") a.acc[j] = first || v > a.acc[j]! ? v : a.acc[j]!;
}

/** What the builtin CombineFn's extractOutput gives for the pane at `j`. */
export function paneValue(kind: ColumnarCombiner, a: SlotArena, j: number): number | null {
  const n = a.n[j]!;
  switch (kind) {
    case "sum":
      return a.acc[j]!;
    case "count":
      return n;
    case "mean":
      return n === 0 ? NaN : a.acc[j]! / n;
    case "min":
    case "max":
      return n === 0 ? null : a.acc[j]!;
  }
}
