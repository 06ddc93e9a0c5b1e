import { type SideInputNode, type Window, type WindowFn, isKV, maxTimestamp } from "../../../../sdk/index.js";
import { windowNamespace } from "../../state/keys.js";
import { assignWindows } from "../../windows/assign.js";
import { type Bundle, metaOf } from "../bundle.js";

export interface SideInputSpec {
  readonly node: SideInputNode;
  /** The side collection's window function: main windows map into it. */
  readonly windowFn: WindowFn;
}

/**
 * The side inputs of one parDo: every element received so far, by side window, and when a
 * side window is complete. A main-input window sees the side window that contains its last
 * instant (Beam's default window mapping), once the side input's watermark has passed it.
 */
export class SideInputs {
  private readonly data: Map<string, unknown[]>[];
  private readonly watermarks: number[];
  private readonly views = new Map<string, unknown>();

  constructor(
    private readonly step: string,
    private readonly specs: readonly SideInputSpec[],
  ) {
    this.data = specs.map(() => new Map());
    this.watermarks = specs.map(() => -Infinity);
  }

  get count(): number {
    return this.specs.length;
  }

  add(i: number, bundle: Bundle): void {
    const store = this.data[i]!;
    for (let j = 0; j < bundle.values.length; j++) {
      const meta = metaOf(bundle, j);
      if (meta.retraction) continue;
      for (const w of meta.windows) {
        const ns = windowNamespace(w);
        const list = store.get(ns);
        if (list) list.push(bundle.values[j]);
        else store.set(ns, [bundle.values[j]]);
        this.views.delete(`${i}|${ns}`);
      }
    }
  }

  setWatermark(i: number, at: number): void {
    if (at > this.watermarks[i]!) this.watermarks[i] = at;
  }

  private sideWindow(i: number, main: Window): Window {
    const spec = this.specs[i]!;
    const w = assignWindows(spec.windowFn, maxTimestamp(main))[0];
    if (!w) throw new Error(`step "${this.step}": side input "${spec.node.tag}" has no window for ${main.start}..${main.end}`);
    return w;
  }

  /** Whether every side input is complete for main window `w`. */
  ready(w: Window): boolean {
    for (let i = 0; i < this.specs.length; i++) if (!(this.watermarks[i]! > maxTimestamp(this.sideWindow(i, w)))) return false;
    return true;
  }

  /** The views for main window `w`, by tag, as the DoFn's `ctx.side` shows them. */
  viewsFor(w: Window): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.specs.forEach((spec, i) => {
      const ns = windowNamespace(this.sideWindow(i, w));
      const cacheKey = `${i}|${ns}`;
      if (!this.views.has(cacheKey)) this.views.set(cacheKey, this.view(spec.node, this.data[i]!.get(ns) ?? []));
      out[spec.node.tag] = this.views.get(cacheKey);
    });
    return out;
  }

  private view(node: SideInputNode, values: readonly unknown[]): unknown {
    const what = `side input "${node.tag}"`;
    switch (node.view) {
      case "singleton":
        if (values.length !== 1)
          throw new Error(`step "${this.step}": ${what} is a singleton view but its window has ${values.length} elements`);
        return values[0];
      case "list":
        return Object.freeze([...values]);
      case "map": {
        const m = new Map<unknown, unknown>();
        for (const v of values) {
          const { key, value } = kvOf(this.step, what, v);
          if (m.has(key)) throw new Error(`step "${this.step}": ${what} is a map view with duplicate key ${String(key)}`);
          m.set(key, value);
        }
        return m;
      }
      case "multimap": {
        const m = new Map<unknown, unknown[]>();
        for (const v of values) {
          const { key, value } = kvOf(this.step, what, v);
          const list = m.get(key);
          if (list) list.push(value);
          else m.set(key, [value]);
        }
        return m;
      }
    }
  }
}

function kvOf(step: string, what: string, v: unknown): { key: unknown; value: unknown } {
  if (!isKV(v)) throw new Error(`step "${step}": ${what} needs KV elements for a map view, got ${typeof v}`);
  return v;
}
