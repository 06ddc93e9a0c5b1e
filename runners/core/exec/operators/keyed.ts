import {
  GLOBAL_WINDOW,
  Instant,
  type StateSpec,
  type Timer,
  type TimerSpec,
  type Window,
  isKV,
  maxTimestamp,
} from "../../../../sdk/index.js";
import { KeyedStateBackend, type FiredTimer, TimerService } from "../../state/index.js";
import { BinaryReader, BinaryWriter } from "../../codec.js";
import { type KeyGroupRange, encodeKey, keyGroupOf, windowNamespace } from "../../state/keys.js";

/** The internal timer that clears a window's state once it expires (a name no DoFn can declare). */
const GC_TIMER = "\u0000gc";

export interface KeyScope {
  readonly key: unknown;
  readonly encoded: string;
  readonly keyGroup: number;
  readonly window: Window;
  readonly namespace: string;
}

/**
 * State and timers of a stateful DoFn, per key and window, on the shared core's backend
 * and timer service. A window's state is cleared 1 ms after it expires (its end plus the
 * allowed lateness), after any user timer at its end, as in Beam's StatefulDoFnRunner.
 */
export class KeyedDoFnState {
  backend = new KeyedStateBackend();
  timers = new TimerService();
  private readonly keys = new Map<string, unknown>();
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly step: string,
    private readonly stateSpecs: Readonly<Record<string, StateSpec<unknown>>>,
    private readonly timerSpecs: Readonly<Record<string, TimerSpec>>,
    private readonly allowedLateness: number,
  ) {}

  /** State, timers, and the keys and windows they belong to, for a checkpoint. */
  snapshot(): Uint8Array {
    return new BinaryWriter()
      .bytes(this.backend.snapshot())
      .bytes(this.timers.snapshot())
      .value([...this.keys])
      .value([...this.windows])
      .finish();
  }

  /** The key groups in `owned` from every former worker's snapshot. */
  restore(snapshots: readonly Uint8Array[], owned: KeyGroupRange): void {
    const backends: Uint8Array[] = [];
    const timers: Uint8Array[] = [];
    for (const bytes of snapshots) {
      const r = new BinaryReader(bytes);
      backends.push(r.bytes());
      timers.push(r.bytes());
      for (const [k, v] of r.value() as [string, unknown][]) this.keys.set(k, v);
      for (const [k, v] of r.value() as [string, Window][]) this.windows.set(k, v);
      if (!r.done) throw new Error(`step "${this.step}": keyed state snapshot has trailing bytes`);
    }
    this.backend = KeyedStateBackend.restore(backends, owned);
    this.timers = TimerService.restore(timers, owned);
  }

  /** The key and window an element belongs to; the element must be a KV. */
  scope(element: unknown, window: Window): KeyScope {
    if (!isKV(element))
      throw new Error(`step "${this.step}": a DoFn with state or timers needs KV elements (key, value), got ${typeof element}`);
    const encoded = encodeKey(element.key);
    const namespace = windowNamespace(window);
    if (!this.keys.has(encoded)) this.keys.set(encoded, element.key);
    if (!this.windows.has(namespace)) this.windows.set(namespace, window);
    const s = { key: element.key, encoded, keyGroup: keyGroupOf(encoded), window, namespace };
    if (window !== GLOBAL_WINDOW && window.end !== GLOBAL_WINDOW.end) {
      const gc = this.expiry(window);
      if (gc < Instant.MAX) this.timers.setTimer(this.address(s, GC_TIMER), gc + 1, "eventTime");
    }
    return s;
  }

  /** A window's last instant plus the allowed lateness: after it, its state is gone. */
  expiry(window: Window): Instant {
    return Math.min(maxTimestamp(window) + this.allowedLateness, Instant.MAX - 1);
  }

  isExpired(window: Window, inputWatermark: Instant): boolean {
    return window.end !== GLOBAL_WINDOW.end && this.expiry(window) < inputWatermark;
  }

  state(s: KeyScope): Record<string, unknown> {
    return this.backend.handles(this.step, this.stateSpecs, s.encoded, s.keyGroup, s.namespace) as Record<string, unknown>;
  }

  timerHandles(s: KeyScope): Record<string, Timer> {
    const out: Record<string, Timer> = {};
    for (const [name, spec] of Object.entries(this.timerSpecs)) {
      const address = this.address(s, name);
      out[name] = {
        set: (at: Instant) => {
          if (spec.domain === "eventTime" && at > this.expiry(s.window))
            throw new Error(
              `step "${this.step}": event-time timer "${name}" set at ${Instant.format(at)}, after its window expires at ${Instant.format(this.expiry(s.window))}`,
            );
          this.timers.setTimer(address, at, spec.domain);
        },
        clear: () => void this.timers.deleteTimer(address),
      };
    }
    return out;
  }

  private address(s: { encoded: string; keyGroup: number; namespace: string }, name: string) {
    return { step: this.step, keyGroup: s.keyGroup, key: s.encoded, namespace: s.namespace, name };
  }

  /** The scope a fired timer belongs to. */
  scopeOf(t: FiredTimer): KeyScope {
    const window = this.windows.get(t.namespace) ?? GLOBAL_WINDOW;
    return { key: this.keys.get(t.key), encoded: t.key, keyGroup: t.keyGroup, window, namespace: t.namespace };
  }

  /** Handles the internal GC timer; returns false for user timers. */
  collect(t: FiredTimer): boolean {
    if (t.name !== GC_TIMER) return false;
    this.backend.clearNamespace(this.step, t.key, t.keyGroup, t.namespace);
    for (const name of Object.keys(this.timerSpecs)) this.timers.deleteTimer({ ...t, name });
    return true;
  }
}
