import { GLOBAL_WINDOW, Instant, NO_FIRING, type PaneInfo, type Window } from "../../../sdk/index.js";

/** Where an element is in time: its event time, windows, pane, and whether it withdraws an earlier result. */
export interface Meta {
  readonly timestamp: Instant;
  readonly windows: readonly Window[];
  readonly pane: PaneInfo;
  readonly retraction: boolean;
}

/**
 * A run of elements moving between steps: values, and their metadata either shared by all
 * (the common case: everything a source read is at MIN in the global window) or one each.
 * Sharing keeps the per-element cost of a bounded global-window pipeline to the value itself.
 */
export interface Bundle {
  readonly values: readonly unknown[];
  readonly metas: Meta | readonly Meta[];
}

export const metaOf = (b: Bundle, i: number): Meta => {
  const metas = b.metas;
  return isUniform(metas) ? metas : (metas[i] as Meta);
};

export const isUniform = (m: Meta | readonly Meta[]): m is Meta => !Array.isArray(m);

/** Elements read from a source without timestamps: MIN, in the global window, not yet through a trigger. */
export const SOURCE_META: Meta = Object.freeze({
  timestamp: Instant.MIN,
  windows: Object.freeze([GLOBAL_WINDOW]),
  pane: NO_FIRING,
  retraction: false,
});

export const metaAt = (timestamp: Instant): Meta =>
  timestamp === Instant.MIN ? SOURCE_META : Object.freeze({ ...SOURCE_META, timestamp });

/**
 * A bundle as a source reads it and windowInto assigns it, kept in columns: each element's event
 * time, and (once windowed, when each element has exactly one window) its window, as shared
 * Window objects. Every element is in no pane yet and not a retraction. Steps that know it
 * (windowInto, the lifted pre-combine) read the columns; any other step reads `metas`, made
 * once on first use, so nothing is made per element on the columnar path.
 */
export class TimedBundle implements Bundle {
  private made: readonly Meta[] | null = null;

  constructor(
    readonly values: readonly unknown[],
    readonly timestamps: ArrayLike<Instant>,
    /** One window per element; null: the global window. */
    readonly windows: readonly Window[] | null,
  ) {}

  get metas(): readonly Meta[] {
    return (this.made ??= this.make());
  }

  private make(): Meta[] {
    const { timestamps, windows } = this;
    const metas = new Array<Meta>(this.values.length);
    let lastT = NaN;
    let lastW: Window | null = null;
    let last: Meta = SOURCE_META;
    for (let i = 0; i < metas.length; i++) {
      const t = timestamps[i]!;
      const w = windows ? windows[i]! : null;
      if (t !== lastT || w !== lastW) {
        lastT = t;
        lastW = w;
        last = w ? Object.freeze({ ...SOURCE_META, timestamp: t, windows: Object.freeze([w]) }) : metaAt(t);
      }
      metas[i] = last;
    }
    return metas;
  }
}

/** Collects outputs into a bundle, keeping shared metadata shared until an element differs. */
export class BundleBuilder {
  private values: unknown[] = [];
  private shared: Meta | null = null;
  private metas: Meta[] | null = null;

  get length(): number {
    return this.values.length;
  }

  push(value: unknown, meta: Meta): void {
    if (this.metas) this.metas.push(meta);
    else if (this.shared === null || this.shared === meta) this.shared = meta;
    else {
      this.metas = new Array<Meta>(this.values.length).fill(this.shared);
      this.metas.push(meta);
    }
    this.values.push(value);
  }

  /** The bundle so far, and a fresh start. */
  take(): Bundle {
    const b: Bundle = { values: this.values, metas: this.metas ?? this.shared ?? SOURCE_META };
    this.values = [];
    this.shared = null;
    this.metas = null;
    return b;
  }
}

/** Windows equal to the global window point at GLOBAL_WINDOW again (a structured clone loses its identity). */
export function canonicalMeta(m: Meta): Meta {
  const w = m.windows[0];
  return m.windows.length === 1 && w !== GLOBAL_WINDOW && w!.start === GLOBAL_WINDOW.start && w!.end === GLOBAL_WINDOW.end
    ? { ...m, windows: [GLOBAL_WINDOW] }
    : m;
}
