import { type Duration, Instant } from "../../sdk/index.js";
import { BinaryReader, BinaryWriter } from "./codec.js";

/** Processing time: where the core asks "what time is it now?" (idleness, processing-time timers). */
export interface Clock {
  now(): Instant;
}

/** The wall clock, for jobs. */
export const systemClock: Clock = Object.freeze({ now: (): Instant => Date.now() });

const SNAPSHOT_FORMAT = 1;

/**
 * A clock that only moves when told to, for tests and deterministic drivers. It never
 * moves backwards: processing time that went back would un-fire timers and un-idle inputs.
 */
export class ManualClock implements Clock {
  private at: Instant;

  constructor(start: Instant = 0) {
    checkInstant(start, "ManualClock start");
    this.at = start;
  }

  now(): Instant {
    return this.at;
  }

  /** Moves to `t`, which must not be before now. */
  set(t: Instant): void {
    checkInstant(t, "ManualClock.set");
    if (t < this.at)
      throw new RangeError(
        `ManualClock cannot move backwards: asked to set ${Instant.format(t)}, but it is already at ${Instant.format(this.at)}`,
      );
    this.at = t;
  }

  /** Moves forward by `d` (zero or more milliseconds). */
  advance(d: Duration): void {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new RangeError(`ManualClock cannot move backwards: advance needs a non-negative whole duration, got ${d}`);
    this.set(this.at + d);
  }

  snapshot(): Uint8Array {
    return new BinaryWriter(16).u8(SNAPSHOT_FORMAT).varint(this.at).finish();
  }

  static restore(bytes: Uint8Array): ManualClock {
    const r = new BinaryReader(bytes);
    checkFormat(r.u8(), "ManualClock");
    const clock = new ManualClock(r.varint());
    if (!r.done) throw new RangeError("ManualClock snapshot has trailing bytes");
    return clock;
  }
}

function checkInstant(t: Instant, what: string): void {
  if (!Number.isInteger(t) || t < Instant.MIN || t > Instant.MAX)
    throw new RangeError(`${what} needs a whole-millisecond instant between Instant.MIN and Instant.MAX, got ${t}`);
}

function checkFormat(format: number, what: string): void {
  if (format !== SNAPSHOT_FORMAT)
    throw new RangeError(`${what} snapshot has format ${format}; this build reads ${SNAPSHOT_FORMAT}`);
}
