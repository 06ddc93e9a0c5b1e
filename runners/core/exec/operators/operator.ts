import { Instant } from "../../../../sdk/index.js";
import { type KeyGroupRange } from "../../state/keys.js";
import { type Bundle } from "../bundle.js";

/** Where a step's output goes: every consumer of one collection. */
export interface Output {
  emit(bundle: Bundle): Promise<void>;
  watermark(at: Instant): Promise<void>;
}

/**
 * One step of the plan, pushed to: bundles and watermarks per input (0 is the main input;
 * side inputs and flatten inputs follow), and processing time. A watermark of Instant.MAX on
 * every input is the end of input; the operator then emits what it holds and forwards MAX.
 */
export interface Operator {
  readonly step: string;
  process(input: number, bundle: Bundle): Promise<void>;
  watermark(input: number, at: Instant): Promise<void>;
  processingTime(now: Instant): Promise<void>;
  /** Elements this step dropped as too late (grouping and stateful steps). */
  readonly droppedLate: number;
  /** Elements dropped because their window's trigger had finished (docs/core.md rule 2). */
  readonly droppedClosed?: number;
  /** The step's state for a checkpoint, keyed state laid out by key group; absent: the step holds none. */
  snapshot?(): Uint8Array;
  /** Takes the state of the key groups in `owned` from the snapshots of every former worker (any parallelism). */
  restore?(snapshots: readonly Uint8Array[], owned: KeyGroupRange): void;
}

/** The minimum over a step's inputs, never moving back: what event time the step has reached. */
export class InputWatermarks {
  private readonly at: Instant[];
  private current: Instant = Instant.MIN;

  constructor(inputs: number) {
    this.at = new Array<Instant>(Math.max(inputs, 1)).fill(Instant.MIN);
  }

  /** Records input `i` at `to`; returns the new minimum when it moved, else null. */
  update(i: number, to: Instant): Instant | null {
    if (to > (this.at[i] ?? Instant.MIN)) this.at[i] = to;
    const min = Math.min(...this.at);
    if (min <= this.current) return null;
    this.current = min;
    return min;
  }

  of(i: number): Instant {
    return this.at[i] ?? Instant.MIN;
  }

  get value(): Instant {
    return this.current;
  }
}

/** Names the step in an error thrown while running it, once. */
export function stepError(step: string, cause: unknown, detail?: string): Error {
  if (cause instanceof Error && (cause as { step?: string }).step !== undefined) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  const e = new Error(`step "${step}": ${message}${detail ? ` (${detail})` : ""}`, { cause });
  (e as { step?: string }).step = step;
  return e;
}

/** A short, safe rendering of an element for error messages. */
export function describeElement(value: unknown): string {
  let s: string;
  try {
    s =
      typeof value === "string"
        ? JSON.stringify(value)
        : (JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
