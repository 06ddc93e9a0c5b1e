import {
  type CombineFn,
  type CombinePerKeyStep,
  GLOBAL_WINDOW,
  NO_FIRING,
  type Window,
  isKV,
  kv,
  maxTimestamp,
} from "../../../sdk/index.js";
import { encodeKey, windowNamespace } from "../state/keys.js";
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
  const groups = new Map<string, { key: unknown; window: Window; ns: string; acc: unknown }>();
  const { values } = bundle;
  let last: Meta | null = null;
  let namespaces: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isKV(v)) throw stepError(step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
    const m = metaOf(bundle, i);
    if (m !== last) {
      last = m;
      namespaces = m.windows.map((w) => (w === GLOBAL_WINDOW ? "" : windowNamespace(w)));
    }
    const k = typeof v.key === "string" ? `s${v.key}` : encodeKey(v.key);
    for (let j = 0; j < namespaces.length; j++) {
      const id = `${namespaces[j]}|${k}`;
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { key: v.key, window: m.windows[j]!, ns: namespaces[j]!, acc: fn.createAccumulator() }));
      g.acc = fn.addInput(g.acc, v.value);
    }
  }
  const out = new BundleBuilder();
  const metas = new Map<string, Meta>();
  for (const g of groups.values()) {
    let meta = metas.get(g.ns);
    if (!meta) {
      meta = { timestamp: maxTimestamp(g.window), windows: [g.window], pane: NO_FIRING, retraction: false };
      metas.set(g.ns, meta);
    }
    out.push(kv(g.key, g.acc), meta);
  }
  return out.take();
}
