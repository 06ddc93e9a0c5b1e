import { type Duration, Instant } from "../../sdk/index.js";
import { type Clock } from "./clock.js";
import { BinaryReader, BinaryWriter } from "./codec.js";

/**
 * Event-time progress (docs/core.md, "watermarks").
 *
 * Convention, as in Beam: a watermark W promises that no element with a timestamp before W
 * follows. An element with timestamp < W is late; one at exactly W is on time. Flink's
 * watermark promises nothing at or before it, which is why its bounded-out-of-orderness
 * generator subtracts an extra millisecond; we subtract neither, so the boundary between
 * late and on time falls on the same element in both.
 */
export const isLate = (timestamp: Instant, watermark: Instant): boolean => timestamp < watermark;

const SNAPSHOT_FORMAT = 1;

export interface WatermarkGeneratorOptions {
  /** How far out of order events may arrive: the watermark trails the largest timestamp seen by this much. */
  readonly maxDelay: Duration;
  /** Processing time without events after which the partition stops holding the watermark back; null: never. */
  readonly idleTimeout: Duration | null;
  readonly clock: Clock;
}

/**
 * The watermark of one source partition: bounded out-of-orderness (Flink's
 * BoundedOutOfOrdernessWatermarks) with idleness (Flink's WatermarksWithIdleness).
 * Idleness is exact rather than sampled: the partition is idle from the moment idleTimeout
 * of processing time has passed since its last event (or since it was created, if it has
 * had none), and active again as soon as an event arrives.
 */
export class WatermarkGenerator {
  readonly maxDelay: Duration;
  readonly idleTimeout: Duration | null;
  private readonly clock: Clock;
  private maxSeen: Instant = Instant.MIN;
  private lastActivity: Instant;
  private ended = false;

  constructor(options: WatermarkGeneratorOptions) {
    checkDuration(options.maxDelay, "maxDelay", 0);
    if (options.idleTimeout !== null) checkDuration(options.idleTimeout, "idleTimeout", 1);
    this.maxDelay = options.maxDelay;
    this.idleTimeout = options.idleTimeout;
    this.clock = options.clock;
    this.lastActivity = this.clock.now();
  }

  /** The partition's reader is running now (it got its first chunk): idleness counts from here, not from before it connected. */
  onStarted(): void {
    this.lastActivity = this.clock.now();
  }

  onEvent(timestamp: Instant): void {
    checkInstant(timestamp, "an event timestamp");
    if (this.ended) throw new Error(`an event at ${Instant.format(timestamp)} arrived after its partition ended`);
    if (timestamp > this.maxSeen) this.maxSeen = timestamp;
    this.lastActivity = this.clock.now();
  }

  /** Largest timestamp seen minus maxDelay; Instant.MIN before any event, Instant.MAX after the end. */
  current(): Instant {
    if (this.ended) return Instant.MAX;
    return Math.max(Instant.MIN, this.maxSeen - this.maxDelay);
  }

  isIdle(): boolean {
    return this.idleSince() !== null;
  }

  /** The processing time the partition went idle (idleTimeout after its last activity); null while it is not. */
  idleSince(): Instant | null {
    if (this.ended || this.idleTimeout === null) return null;
    const since = this.lastActivity + this.idleTimeout;
    return this.clock.now() >= since ? since : null;
  }

  /** The partition is finished (a bounded split read to its end): nothing can be late any more. */
  onEnd(): void {
    this.ended = true;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /**
   * Stores how long the partition has been inactive, not when its last event came: time
   * the job spends down does not count towards idleness, so a restored partition is not
   * declared idle (and its backlog made late) just because the restart took a while.
   */
  snapshot(): Uint8Array {
    const w = new BinaryWriter(32).u8(SNAPSHOT_FORMAT).uvarint(this.maxDelay);
    w.bool(this.idleTimeout !== null);
    if (this.idleTimeout !== null) w.uvarint(this.idleTimeout);
    w.varint(this.maxSeen)
      .bool(this.ended)
      .varint(this.clock.now() - this.lastActivity);
    return w.finish();
  }

  static restore(bytes: Uint8Array, deps: { readonly clock: Clock }): WatermarkGenerator {
    const r = new BinaryReader(bytes);
    checkFormat(r.u8(), "WatermarkGenerator");
    const maxDelay = r.uvarint();
    const idleTimeout = r.bool() ? r.uvarint() : null;
    const generator = new WatermarkGenerator({ maxDelay, idleTimeout, clock: deps.clock });
    generator.maxSeen = r.varint();
    generator.ended = r.bool();
    generator.lastActivity = deps.clock.now() - r.varint();
    checkDone(r, "WatermarkGenerator");
    return generator;
  }
}

interface InputState {
  watermark: Instant;
  idle: boolean;
}

/**
 * The input watermark of an operator with several inputs (channels, or a reader's
 * partitions), modelled on Flink's StatusWatermarkValve:
 *
 * - the output is the minimum over inputs that are neither idle nor ended, and never goes
 *   backwards: an input's watermark going down is ignored, and an idle input that returns
 *   behind the output holds the output where it is (until it catches up) instead of
 *   lowering it. Flink instead leaves such an input out until it catches up, letting the
 *   others advance past it; holding keeps its data on time.
 * - an idle input keeps the watermarks it is given but counts only once marked active
 *   again; update never changes idleness.
 * - when no input is active and at least one is idle, the output holds at its last value
 *   (Flink's CombinedWatermarkStatus, which combines a source's splits; its valve instead
 *   jumps to the largest input watermark). An ended input alone never releases an idle
 *   one: only inputs that still make progress do.
 * - when every input has ended, the output is Instant.MAX.
 *
 * Mutators return whether the output advanced, so a caller emits a watermark only then.
 * Each recomputes the minimum in O(inputs), which is cheap for the handful of inputs an
 * operator has.
 */
export class WatermarkTracker {
  private readonly inputs: InputState[];
  private output: Instant = Instant.MIN;

  constructor(inputs: number) {
    if (!Number.isSafeInteger(inputs) || inputs < 1)
      throw new RangeError(`a watermark tracker needs at least one input, got ${inputs}`);
    this.inputs = Array.from({ length: inputs }, () => ({ watermark: Instant.MIN, idle: false }));
  }

  get inputCount(): number {
    return this.inputs.length;
  }

  current(): Instant {
    return this.output;
  }

  /** True while no input is active and some input is idle: the whole operator input is idle. */
  isIdle(): boolean {
    const open = this.inputs.filter((s) => s.watermark !== Instant.MAX);
    return open.length > 0 && open.every((s) => s.idle);
  }

  inputWatermark(input: number): Instant {
    return this.state(input).watermark;
  }

  isInputIdle(input: number): boolean {
    return this.state(input).idle;
  }

  update(input: number, watermark: Instant): boolean {
    checkInstant(watermark, "a watermark");
    const s = this.state(input);
    if (watermark <= s.watermark) return false;
    s.watermark = watermark;
    if (watermark === Instant.MAX) s.idle = false;
    return this.advance();
  }

  /** Marks inputs idle. Inputs that went idle at the same moment belong in one call: they release the output together. */
  markIdle(input: number, ...more: number[]): boolean {
    const changing = [input, ...more].map((i) => this.state(i)).filter((s) => !s.idle && s.watermark !== Instant.MAX);
    for (const s of changing) s.idle = true;
    return changing.length > 0 && this.advance();
  }

  /** Never advances the output: one more active input can only hold it back. */
  markActive(input: number): void {
    const s = this.state(input);
    if (s.watermark !== Instant.MAX) s.idle = false;
  }

  /** The input is finished: its watermark is Instant.MAX. */
  end(input: number): boolean {
    return this.update(input, Instant.MAX);
  }

  private state(input: number): InputState {
    const s = Number.isInteger(input) ? this.inputs[input] : undefined;
    if (!s) throw new RangeError(`no input ${input}: this tracker has inputs 0..${this.inputs.length - 1}`);
    return s;
  }

  private advance(): boolean {
    let min: Instant = Instant.MAX;
    let anyActive = false;
    let anyIdle = false;
    for (const s of this.inputs) {
      if (s.watermark === Instant.MAX) continue;
      if (s.idle) anyIdle = true;
      else {
        anyActive = true;
        min = Math.min(min, s.watermark);
      }
    }
    // No active input: hold if some are idle; if all have ended, min is Instant.MAX.
    const next = anyActive || !anyIdle ? min : this.output;
    if (next <= this.output) return false;
    this.output = next;
    return true;
  }

  snapshot(): Uint8Array {
    const w = new BinaryWriter(16 + 10 * this.inputs.length).u8(SNAPSHOT_FORMAT);
    w.varint(this.output).uvarint(this.inputs.length);
    for (const s of this.inputs) w.varint(s.watermark).bool(s.idle);
    return w.finish();
  }

  static restore(bytes: Uint8Array): WatermarkTracker {
    const r = new BinaryReader(bytes);
    checkFormat(r.u8(), "WatermarkTracker");
    const output = r.varint();
    const tracker = new WatermarkTracker(r.uvarint());
    tracker.output = output;
    for (const s of tracker.inputs) {
      s.watermark = r.varint();
      s.idle = r.bool();
    }
    checkDone(r, "WatermarkTracker");
    return tracker;
  }
}

export interface SourceWatermarksOptions extends WatermarkGeneratorOptions {
  /** How many partitions this reader owns; each gets its own generator. */
  readonly partitions: number;
}

/**
 * The watermark of one source reader: a generator per partition it owns, combined through
 * a tracker, so a partition without data stops holding the others back after idleTimeout.
 * onEvent and onEnd record; poll publishes (Flink's periodic emit), so call poll after
 * each batch and on a processing-time tick, and emit a watermark when it returns true.
 */
export class SourceWatermarks {
  private generators: readonly WatermarkGenerator[];
  private tracker: WatermarkTracker;

  constructor(options: SourceWatermarksOptions) {
    if (!Number.isSafeInteger(options.partitions) || options.partitions < 1)
      throw new RangeError(`source watermarks need at least one partition, got ${options.partitions}`);
    this.generators = Array.from({ length: options.partitions }, () => new WatermarkGenerator(options));
    this.tracker = new WatermarkTracker(options.partitions);
  }

  get partitions(): number {
    return this.generators.length;
  }

  onEvent(partition: number, timestamp: Instant): void {
    this.generator(partition).onEvent(timestamp);
  }

  onStarted(partition: number): void {
    this.generator(partition).onStarted();
  }

  /** A run of events in one partition: only the latest matters, so one call (none for an empty run). */
  onEvents(partition: number, timestamps: ArrayLike<Instant>): void {
    if (timestamps.length === 0) return;
    let max = timestamps[0]!;
    for (let i = 1; i < timestamps.length; i++) if (timestamps[i]! > max) max = timestamps[i]!;
    this.generator(partition).onEvent(max);
  }

  onEnd(partition: number): void {
    this.generator(partition).onEnd();
  }

  /**
   * Brings the combined watermark up to date with every partition's watermark and idleness
   * now. Every partition's watermark is recorded before any is released, and newly idle ones
   * are released in the order they went idle (together when at the same moment), so the
   * result depends neither on the order of partitions nor on how often poll is called.
   */
  poll(): boolean {
    const idleSince = this.generators.map((g) => g.idleSince());
    let advanced = false;
    idleSince.forEach((at, p) => {
      if (at === null) this.tracker.markActive(p);
    });
    this.generators.forEach((g, p) => {
      if (this.tracker.update(p, g.current())) advanced = true;
    });
    const newlyIdle = idleSince.flatMap((at, p) => (at !== null && !this.tracker.isInputIdle(p) ? [{ at, p }] : []));
    for (const group of groupByTime(newlyIdle)) if (this.tracker.markIdle(...group)) advanced = true;
    return advanced;
  }

  /** The combined watermark as of the last poll. */
  current(): Instant {
    return this.tracker.current();
  }

  /** Whether, as of the last poll, every partition still open is idle. */
  isIdle(): boolean {
    return this.tracker.isIdle();
  }

  private generator(partition: number): WatermarkGenerator {
    const g = Number.isInteger(partition) ? this.generators[partition] : undefined;
    if (!g) throw new RangeError(`no partition ${partition}: this reader owns partitions 0..${this.generators.length - 1}`);
    return g;
  }

  snapshot(): Uint8Array {
    const w = new BinaryWriter().u8(SNAPSHOT_FORMAT).uvarint(this.generators.length);
    for (const g of this.generators) w.bytes(g.snapshot());
    return w.bytes(this.tracker.snapshot()).finish();
  }

  static restore(bytes: Uint8Array, deps: { readonly clock: Clock }): SourceWatermarks {
    const r = new BinaryReader(bytes);
    checkFormat(r.u8(), "SourceWatermarks");
    const generators = Array.from({ length: r.uvarint() }, () => WatermarkGenerator.restore(r.bytes(), deps));
    const tracker = WatermarkTracker.restore(r.bytes());
    checkDone(r, "SourceWatermarks");
    const first = generators[0];
    if (!first || tracker.inputCount !== generators.length)
      throw new RangeError(
        `SourceWatermarks snapshot has ${generators.length} partitions but a tracker of ${tracker.inputCount}`,
      );
    const { maxDelay, idleTimeout } = first;
    const source = new SourceWatermarks({ maxDelay, idleTimeout, partitions: generators.length, clock: deps.clock });
    source.generators = generators;
    source.tracker = tracker;
    return source;
  }
}

/** Partitions grouped by the time they went idle, earliest first. */
function groupByTime(idle: readonly { readonly at: Instant; readonly p: number }[]): [number, ...number[]][] {
  const groups = new Map<Instant, [number, ...number[]]>();
  for (const { at, p } of [...idle].sort((a, b) => a.at - b.at)) {
    const group = groups.get(at);
    if (group) group.push(p);
    else groups.set(at, [p]);
  }
  return [...groups.values()];
}

function checkInstant(t: Instant, what: string): void {
  if (!Number.isInteger(t) || t < Instant.MIN || t > Instant.MAX)
    throw new RangeError(`${what} must be a whole-millisecond instant between Instant.MIN and Instant.MAX, got ${t}`);
}

function checkDuration(d: Duration, what: string, least: number): void {
  if (!Number.isSafeInteger(d) || d < least)
    throw new RangeError(`${what} must be a whole number of milliseconds, at least ${least}, got ${d}`);
}

function checkFormat(format: number, what: string): void {
  if (format !== SNAPSHOT_FORMAT)
    throw new RangeError(`${what} snapshot has format ${format}; this build reads ${SNAPSHOT_FORMAT}`);
}

function checkDone(r: BinaryReader, what: string): void {
  if (!r.done) throw new RangeError(`${what} snapshot has trailing bytes`);
}
