import { type Window } from "../../../sdk/index.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import { intervalWindow, sameWindow } from "./interval.js";

const SNAPSHOT_FORMAT = 1;
const NONE: readonly Window[] = Object.freeze([]);

/** What adding a proto-window did to a key's active windows. */
export interface MergeOutcome {
  /** The active window the proto-window ended up in: the element's window from now on. */
  readonly window: Window;
  /** Where `window`'s state lives (its state address); stays put while the window grows by merges. */
  readonly stateWindow: Window;
  /** Whether `window` was not active before (a fresh session or the result of a merge). */
  readonly isNew: boolean;
  /**
   * Previously active windows that no longer exist because they became part of `window`, by start.
   * The caller moves their triggers and timers to `window`. Empty when nothing merged.
   */
  readonly merged: readonly Window[];
  /** The state windows of `merged` other than `stateWindow`: their state is merged into `stateWindow`, then cleared. */
  readonly mergedStateWindows: readonly Window[];
}

/**
 * One key's active session windows, kept merged as Beam's MergeOverlappingIntervalWindows does:
 * windows that intersect (share a timestamp) merge into their span; windows that only touch
 * ([a, b) and [b, c)) stay apart. Each active window has one state window, the window its state is
 * stored under; when windows merge, the result keeps the state window of the earliest merged
 * window (Beam's mergedWriteStateAddress), so only the others' state has to move.
 */
export class MergingWindowSet {
  /** Active windows by start; they never intersect, so their ends are in order too. */
  private readonly active: Window[] = [];
  /** The state window of `active[i]`. */
  private readonly state: Window[] = [];

  get size(): number {
    return this.active.length;
  }

  /** The active windows, by start. */
  windows(): readonly Window[] {
    return this.active.slice();
  }

  /** The state window of an active window, or undefined if it is not active. */
  stateWindowOf(window: Window): Window | undefined {
    const i = this.indexOf(window);
    return i < 0 ? undefined : this.state[i];
  }

  /** Adds an element's proto-window, merging it with every active window it intersects. */
  add(proto: Window): MergeOutcome {
    if (!(proto.start < proto.end)) throw new RangeError(`a proto-window must not be empty, got [${proto.start}, ${proto.end})`);
    const lo = this.firstEndingAfter(proto.start);
    let hi = lo;
    while (hi < this.active.length && (this.active[hi] as Window).start < proto.end) hi++;
    if (lo === hi) {
      const window = intervalWindow(proto.start, proto.end);
      this.active.splice(lo, 0, window);
      this.state.splice(lo, 0, window);
      return { window, stateWindow: window, isNew: true, merged: NONE, mergedStateWindows: NONE };
    }
    const first = this.active[lo] as Window;
    const last = this.active[hi - 1] as Window;
    const stateWindow = this.state[lo] as Window;
    const start = Math.min(proto.start, first.start);
    const end = Math.max(proto.end, last.end);
    // Inside one active window: nothing changes shape.
    if (hi - lo === 1 && start === first.start && end === first.end)
      return { window: first, stateWindow, isNew: false, merged: NONE, mergedStateWindows: NONE };
    const window = intervalWindow(start, end);
    const merged = this.active.splice(lo, hi - lo, window);
    const mergedStateWindows = this.state.splice(lo, hi - lo, stateWindow).slice(1);
    return { window, stateWindow, isNew: true, merged, mergedStateWindows };
  }

  /** Forgets an active window (garbage collection); returns its state window, or undefined if it was not active. */
  remove(window: Window): Window | undefined {
    const i = this.indexOf(window);
    if (i < 0) return undefined;
    this.active.splice(i, 1);
    return this.state.splice(i, 1)[0];
  }

  snapshot(): Uint8Array {
    const w = new BinaryWriter(8 + this.active.length * 14);
    this.writeTo(w);
    return w.finish();
  }

  static restore(bytes: Uint8Array): MergingWindowSet {
    const r = new BinaryReader(bytes);
    const set = MergingWindowSet.readFrom(r);
    if (!r.done) throw new RangeError("MergingWindowSet snapshot has trailing bytes");
    return set;
  }

  /** Writes the set into a larger snapshot (for example all keys of a key group). */
  writeTo(w: BinaryWriter): void {
    w.u8(SNAPSHOT_FORMAT).uvarint(this.active.length);
    // Absolute instants: differences of instants near Instant.MIN and MAX would not be exact doubles.
    this.active.forEach((window, i) => {
      const stateWindow = this.state[i] as Window;
      const own = sameWindow(window, stateWindow);
      w.varint(window.start).varint(window.end).bool(own);
      if (!own) w.varint(stateWindow.start).varint(stateWindow.end);
    });
  }

  static readFrom(r: BinaryReader): MergingWindowSet {
    const format = r.u8();
    if (format !== SNAPSHOT_FORMAT)
      throw new RangeError(`MergingWindowSet snapshot has format ${format}; this build reads ${SNAPSHOT_FORMAT}`);
    const set = new MergingWindowSet();
    const count = r.uvarint();
    for (let i = 0; i < count; i++) {
      const window = intervalWindow(r.varint(), r.varint());
      const stateWindow = r.bool() ? window : intervalWindow(r.varint(), r.varint());
      const previous = set.active[i - 1];
      if (!(window.start < window.end) || (previous && window.start < previous.end))
        throw new RangeError(
          `MergingWindowSet snapshot is corrupt: window ${i} [${window.start}, ${window.end}) is out of order`,
        );
      set.active.push(window);
      set.state.push(stateWindow);
    }
    return set;
  }

  /** The index of the first active window ending after `t` (binary search on the ordered ends). */
  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.active.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.active[mid] as Window).end > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private indexOf(window: Window): number {
    const i = this.firstEndingAfter(window.start);
    const candidate = this.active[i];
    return candidate && sameWindow(candidate, window) ? i : -1;
  }
}
