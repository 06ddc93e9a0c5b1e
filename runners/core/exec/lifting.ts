import {
  type CombineFn,
  type CombinePerKeyStep,
  Instant,
  NO_FIRING,
  type Trigger,
  type Window,
  isKV,
  kv,
  maxTimestamp,
} from "../../../sdk/index.js";
import { encodeKey } from "../state/keys.js";
import { type Bundle, BundleBuilder, type Meta, TimedBundle, metaOf } from "./bundle.js";
import { describeElement, stepError } from "./operators/operator.js";
import { type GraphIndex, upstreamRetracts } from "./plan.js";

type AnyCombine = CombineFn<unknown, unknown, unknown>;

/**
 * How a combinePerKey may be lifted (Beam's combiner lifting): each worker combines its elements
 * per key and window into partial accumulators before the shuffle, and the grouping merges them.
 * Only where that gives the same panes: windows that do not merge, no allowed lateness (so no
 * late pane per element), the end-of-window timestamp, no retractions, and a trigger that does
 * not count elements (a count would count partials).
 *
 * - `"untilWindowEnd"`, the default trigger: partials are held across bundles until the
 *   watermark reaches their window's end, since no pane is due before then.
 * - `"perBundle"`, any other such trigger (processing-time and watermark triggers, early or
 *   late firings): a pane may be due at any time, so each bundle's partials are sent at once.
 * - `"none"`: every element is sent.
 */
export type Lifting = "none" | "untilWindowEnd" | "perBundle";

export function lifting(index: GraphIndex, step: CombinePerKeyStep): Lifting {
  const w = index.collection(step.inputs[0]!).windowing;
  const ok =
    w.windowFn.kind !== "sessions" &&
    w.allowedLateness === 0 &&
    w.timestampCombiner === "endOfWindow" &&
    w.accumulation !== "retracting" &&
    !countsElements(w.trigger) &&
    !upstreamRetracts(index, step.inputs[0]!);
  return !ok ? "none" : w.trigger.kind === "default" ? "untilWindowEnd" : "perBundle";
}

function countsElements(t: Trigger): boolean {
  switch (t.kind) {
    case "afterCount":
      return true;
    case "afterWatermark":
      return (t.early !== null && countsElements(t.early)) || (t.late !== null && countsElements(t.late));
    case "repeatedly":
      return countsElements(t.trigger);
    case "orFinally":
      return countsElements(t.trigger) || countsElements(t.until);
    case "afterEach":
    case "afterAny":
    case "afterAll":
      return t.triggers.some(countsElements);
    default:
      return false;
  }
}

/** What a lifted combine sends for a key and window: the partial accumulator and how many elements it holds. */
export interface LiftedPartial {
  readonly acc: unknown;
  readonly n: number;
}

/** The elements a lifted combine's input stands for: the grouping counts dropped elements by it. */
export const liftedWeight = (partial: unknown): number => (partial as LiftedPartial).n;

/** The grouping's side of a lifted combine: its inputs are partials, merged into the window's accumulator. */
export function mergingCombineFn(fn: AnyCombine): AnyCombine {
  return {
    createAccumulator: () => fn.createAccumulator(),
    addInput: (acc, partial) => fn.mergeAccumulators([acc, (partial as LiftedPartial).acc]),
    mergeAccumulators: (accs) => fn.mergeAccumulators(accs),
    extractOutput: (acc) => fn.extractOutput(acc),
  };
}

/**
 * The sending side of a lifted combine: KVs combined per key and window into partial
 * accumulators as they come, across bundles, until they are taken as `kv(key, accumulator)`
 * stamped at the window's end (the end-of-window timestamp the grouping gives it anyway).
 * The caller takes a window's partials before the watermark it passes on reaches the window's
 * last timestamp (so the grouping sees them on time, exactly as it would have seen the
 * elements), everything before a barrier or the end, and everything when `groups` grows large.
 */
export class PreCombiner {
  // By window start, then end, then key: no string is built per element. String and number
  // keys are map keys as they are (a Map keeps "1" and 1 apart); other keys by their encoding.
  private readonly byStart = new Map<number, WindowGroups[]>();
  private count = 0;

  constructor(
    private readonly step: string,
    private readonly fn: AnyCombine,
  ) {}

  /** Partial accumulators held. */
  get groups(): number {
    return this.count;
  }

  add(bundle: Bundle): void {
    const { values } = bundle;
    if (bundle instanceof TimedBundle && bundle.windows) {
      const windows = bundle.windows;
      let last: Window | null = null;
      let wg: WindowGroups | null = null;
      for (let i = 0; i < values.length; i++) {
        const w = windows[i]!;
        if (w !== last) {
          last = w;
          wg = this.windowGroups(w);
        }
        this.addTo(wg!, values[i]);
      }
      return;
    }
    let last: Meta | null = null;
    let lastGroups: WindowGroups[] = [];
    for (let i = 0; i < values.length; i++) {
      const m = metaOf(bundle, i);
      if (m !== last) {
        last = m;
        lastGroups = m.windows.map((w) => this.windowGroups(w));
      }
      for (let j = 0; j < lastGroups.length; j++) this.addTo(lastGroups[j]!, values[i]);
    }
  }

  /** The partials of every window whose last timestamp is at or before `upTo` (all, by default), no longer held. */
  take(upTo: Instant = Instant.MAX): Bundle {
    const out = new BundleBuilder();
    for (const [start, list] of this.byStart) {
      for (let k = 0; k < list.length; k++) {
        const wg = list[k]!;
        const timestamp = maxTimestamp(wg.window);
        if (upTo !== Instant.MAX && timestamp > upTo) continue;
        const meta: Meta = { timestamp, windows: [wg.window], pane: NO_FIRING, retraction: false };
        for (const g of wg.plain.values()) out.push(kv(g.key, { acc: g.acc, n: g.n } satisfies LiftedPartial), meta);
        for (const g of wg.encoded.values()) out.push(kv(g.key, { acc: g.acc, n: g.n } satisfies LiftedPartial), meta);
        this.count -= wg.plain.size + wg.encoded.size;
        list.splice(k--, 1);
      }
      if (list.length === 0) this.byStart.delete(start);
    }
    return out.take();
  }

  private addTo(wg: WindowGroups, v: unknown): void {
    if (!isKV(v)) throw stepError(this.step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
    const key = v.key;
    const t = typeof key;
    const map = t === "string" || t === "number" ? wg.plain : wg.encoded;
    const id = map === wg.plain ? key : encodeKey(key);
    let g = map.get(id);
    if (!g) {
      map.set(id, (g = { key, acc: this.fn.createAccumulator(), n: 0 }));
      this.count++;
    }
    g.acc = this.fn.addInput(g.acc, v.value);
    g.n++;
  }

  private windowGroups(w: Window): WindowGroups {
    let list = this.byStart.get(w.start);
    if (!list) this.byStart.set(w.start, (list = []));
    let wg = list.find((x) => x.window.end === w.end);
    if (!wg) list.push((wg = { window: w, plain: new Map(), encoded: new Map() }));
    return wg;
  }
}

interface WindowGroups {
  readonly window: Window;
  readonly plain: Map<unknown, Group>;
  readonly encoded: Map<unknown, Group>;
}

interface Group {
  readonly key: unknown;
  acc: unknown;
  /** Elements combined into acc. */
  n: number;
}
