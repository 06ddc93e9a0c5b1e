import { type CombineFn, type CombinePerKeyStep, NO_FIRING, type Window, isKV, kv, maxTimestamp } from "../../../sdk/index.js";
import { encodeKey } from "../state/keys.js";
import { type Bundle, BundleBuilder, type Meta, metaOf } from "./bundle.js";
import { describeElement, stepError } from "./operators/operator.js";
import { type GraphIndex, upstreamRetracts } from "./plan.js";

type AnyCombine = CombineFn<unknown, unknown, unknown>;

/**
 * Whether a combinePerKey may be lifted: each bundle combined per key and window into partial
 * accumulators before the shuffle, the grouping merging them (Beam's combiner lifting). Only
 * where that gives the same panes: windows that do not merge, the default trigger (no pane
 * depends on how many elements came), no allowed lateness (so no late pane per element), the
 * end-of-window timestamp, and no retractions.
 */
export function liftable(index: GraphIndex, step: CombinePerKeyStep): boolean {
  const w = index.collection(step.inputs[0]!).windowing;
  return (
    w.windowFn.kind !== "sessions" &&
    w.trigger.kind === "default" &&
    w.allowedLateness === 0 &&
    w.timestampCombiner === "endOfWindow" &&
    w.accumulation !== "retracting" &&
    !upstreamRetracts(index, step.inputs[0]!)
  );
}

/** The grouping's side of a lifted combine: its inputs are accumulators, merged into the window's. */
export function mergingCombineFn(fn: AnyCombine): AnyCombine {
  return {
    createAccumulator: () => fn.createAccumulator(),
    addInput: (acc, partial) => fn.mergeAccumulators([acc, partial]),
    mergeAccumulators: (accs) => fn.mergeAccumulators(accs),
    extractOutput: (acc) => fn.extractOutput(acc),
  };
}

/**
 * The sending side: one bundle of KVs combined per key and window into `kv(key, accumulator)`,
 * each stamped at its window's end (the end-of-window timestamp the grouping gives it anyway).
 */
export function preCombine(step: string, fn: AnyCombine, bundle: Bundle): Bundle {
  // By window start, then end, then key: no string is built per element. String and number
  // keys are map keys as they are (a Map keeps "1" and 1 apart); other keys by their encoding.
  const byStart = new Map<number, WindowGroups[]>();
  const { values } = bundle;
  let last: Meta | null = null;
  let lastGroups: WindowGroups[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isKV(v)) throw stepError(step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
    const m = metaOf(bundle, i);
    if (m !== last) {
      last = m;
      lastGroups = m.windows.map((w) => windowGroups(byStart, w));
    }
    const key = v.key;
    const t = typeof key;
    for (let j = 0; j < lastGroups.length; j++) {
      const wg = lastGroups[j]!;
      const map = t === "string" || t === "number" ? wg.plain : wg.encoded;
      const id = map === wg.plain ? key : encodeKey(key);
      let g = map.get(id);
      if (!g) map.set(id, (g = { key, acc: fn.createAccumulator() }));
      g.acc = fn.addInput(g.acc, v.value);
    }
  }
  const out = new BundleBuilder();
  for (const list of byStart.values())
    for (const wg of list) {
      const meta: Meta = { timestamp: maxTimestamp(wg.window), windows: [wg.window], pane: NO_FIRING, retraction: false };
      for (const g of wg.plain.values()) out.push(kv(g.key, g.acc), meta);
      for (const g of wg.encoded.values()) out.push(kv(g.key, g.acc), meta);
    }
  return out.take();
}

interface WindowGroups {
  readonly window: Window;
  readonly plain: Map<unknown, { key: unknown; acc: unknown }>;
  readonly encoded: Map<unknown, { key: unknown; acc: unknown }>;
}

function windowGroups(byStart: Map<number, WindowGroups[]>, w: Window): WindowGroups {
  let list = byStart.get(w.start);
  if (!list) byStart.set(w.start, (list = []));
  let wg = list.find((x) => x.window.end === w.end);
  if (!wg) list.push((wg = { window: w, plain: new Map(), encoded: new Map() }));
  return wg;
}
