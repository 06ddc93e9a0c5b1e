import { type Duration, formatDuration } from "./time.js";

/**
 * When panes are emitted, as plain data (Beam's trigger language). The shared core in
 * runners/core interprets this; the SDK only builds and describes it.
 */
export type Trigger =
  /** Beam's default: fire when the watermark passes the end of the window, then once per late element. */
  | { readonly kind: "default" }
  | { readonly kind: "afterWatermark"; readonly early: Trigger | null; readonly late: Trigger | null }
  | { readonly kind: "afterProcessingTime"; readonly delay: Duration }
  | { readonly kind: "afterCount"; readonly count: number }
  | { readonly kind: "repeatedly"; readonly trigger: Trigger }
  | { readonly kind: "afterEach"; readonly triggers: readonly Trigger[] }
  | { readonly kind: "afterAny"; readonly triggers: readonly Trigger[] }
  | { readonly kind: "afterAll"; readonly triggers: readonly Trigger[] }
  | { readonly kind: "orFinally"; readonly trigger: Trigger; readonly until: Trigger }
  | { readonly kind: "never" };

export type TriggerKind = Trigger["kind"];

const freeze = <T extends Trigger>(t: T): T => Object.freeze(t);

export const defaultTrigger = (): Trigger => freeze({ kind: "default" });

/**
 * Fires on time when the watermark passes the end of the window. `early` fires repeatedly
 * before that, `late` repeatedly for data that arrives after it (within allowed lateness).
 */
export const afterWatermark = (firings: { early?: Trigger; late?: Trigger } = {}): Trigger =>
  freeze({ kind: "afterWatermark", early: firings.early ?? null, late: firings.late ?? null });

/** Fires once `delay` of processing time has passed since the first element of the pane. */
export const afterProcessingTime = (delay: Duration): Trigger => freeze({ kind: "afterProcessingTime", delay });

/** Fires once at least `count` elements have arrived in the pane. */
export const afterCount = (count: number): Trigger => freeze({ kind: "afterCount", count });

/** Fires every time `trigger` would fire, forever (the window's end still closes it). */
export const repeatedly = (trigger: Trigger): Trigger => freeze({ kind: "repeatedly", trigger });

/** Fires each trigger in turn, moving to the next once the current one has finished. */
export const afterEach = (...triggers: Trigger[]): Trigger => freeze({ kind: "afterEach", triggers: Object.freeze(triggers) });

/** Fires once, when any of the triggers fires. */
export const afterAny = (...triggers: Trigger[]): Trigger => freeze({ kind: "afterAny", triggers: Object.freeze(triggers) });

/** Fires once, when every trigger has fired. */
export const afterAll = (...triggers: Trigger[]): Trigger => freeze({ kind: "afterAll", triggers: Object.freeze(triggers) });

/** Fires as `trigger` does until `until` fires, which fires a final pane and closes the window. */
export const orFinally = (trigger: Trigger, until: Trigger): Trigger => freeze({ kind: "orFinally", trigger, until });

/** Never fires early or on time; only the end of the window (plus lateness) emits a final pane. */
export const never = (): Trigger => freeze({ kind: "never" });

export function describeTrigger(t: Trigger): string {
  switch (t.kind) {
    case "default":
      return "default";
    case "afterWatermark": {
      const parts = [t.early && `early=${describeTrigger(t.early)}`, t.late && `late=${describeTrigger(t.late)}`].filter(Boolean);
      return `afterWatermark(${parts.join(", ")})`;
    }
    case "afterProcessingTime":
      return `afterProcessingTime(${formatDuration(t.delay)})`;
    case "afterCount":
      return `afterCount(${t.count})`;
    case "repeatedly":
      return `repeatedly(${describeTrigger(t.trigger)})`;
    case "afterEach":
    case "afterAny":
    case "afterAll":
      return `${t.kind}(${t.triggers.map(describeTrigger).join(", ")})`;
    case "orFinally":
      return `orFinally(${describeTrigger(t.trigger)}, ${describeTrigger(t.until)})`;
    case "never":
      return "never";
  }
}

/** Problems with a trigger's parameters, each a sentence. */
export function triggerProblems(t: Trigger): string[] {
  switch (t.kind) {
    case "afterCount":
      return Number.isInteger(t.count) && t.count > 0 ? [] : [`afterCount needs a positive whole count, got ${t.count}`];
    case "afterProcessingTime":
      return t.delay >= 0 ? [] : [`afterProcessingTime needs a delay of at least 0 ms, got ${t.delay}`];
    case "afterWatermark":
      return [...(t.early ? triggerProblems(t.early) : []), ...(t.late ? triggerProblems(t.late) : [])];
    case "repeatedly":
      return triggerProblems(t.trigger);
    case "afterEach":
    case "afterAny":
    case "afterAll":
      return t.triggers.length === 0 ? [`${t.kind} needs at least one trigger`] : t.triggers.flatMap(triggerProblems);
    case "orFinally":
      return [...triggerProblems(t.trigger), ...triggerProblems(t.until)];
    case "default":
    case "never":
      return [];
  }
}
