import { Instant } from "../../sdk/index.js";
import { type ManualClock } from "../core/clock.js";
import { type Operator, stepError } from "../core/exec/operators/operator.js";
import { type ChannelMessage, type Signal } from "./signals.js";

/** Where a node's signals go: every consumer of each of its output collections. */
export interface SignalTarget {
  signal(s: Signal): Promise<void>;
}

/** What a node tells the worker when a barrier has passed it or it has finished. */
export interface NodeListener {
  aligned(step: string, barrier: number): Promise<void>;
  finished(step: string): void;
}

/**
 * One step's operator on one worker, with its input channels: one per input for an edge from
 * this worker, one per worker for an edge through the exchange. It keeps each channel's
 * watermark (the operator sees the minimum per input), aligns checkpoint barriers as Flink
 * does (a channel that delivered barrier n is held back until every channel has, then the
 * worker snapshots the step and the barrier goes on), and finishes when every channel ended.
 */
export class StepNode {
  private readonly watermarks: Instant[][];
  private readonly inputAt: Instant[];
  private readonly ptimes: Instant[][];
  private ptime: Instant = Instant.MIN;
  private readonly ended: boolean[][];
  private readonly held: (ChannelMessage[] | null)[][];
  private barrier: number | null = null;
  private waitingFor = 0;
  private done = false;

  constructor(
    readonly step: string,
    readonly operator: Operator,
    /** Channels per input. */
    channels: readonly number[],
    private readonly outputs: readonly SignalTarget[],
    private readonly listener: NodeListener,
    /** Set when processing time is manual (a TestStream run): moved by ptime signals. */
    private readonly clock: ManualClock | null,
  ) {
    this.watermarks = channels.map((n) => new Array<Instant>(n).fill(Instant.MIN));
    this.ptimes = channels.map((n) => new Array<Instant>(n).fill(Instant.MIN));
    this.inputAt = channels.map(() => Instant.MIN);
    this.ended = channels.map((n) => new Array<boolean>(n).fill(false));
    this.held = channels.map((n) => new Array<ChannelMessage[] | null>(n).fill(null));
  }

  /** Event time this step has reached: the minimum over its inputs. */
  get reached(): Instant {
    return this.done ? Instant.MAX : Math.min(...this.inputAt);
  }

  get finished(): boolean {
    return this.done;
  }

  async receive(input: number, channel: number, message: ChannelMessage): Promise<void> {
    const held = this.held[input]![channel];
    if (held) {
      held.push(message);
      return;
    }
    switch (message.kind) {
      case "data":
        if (message.bundle.values.length > 0) await this.operator.process(input, message.bundle);
        return;
      case "watermark":
        return this.watermark(input, channel, message.at);
      case "ptime":
        return this.processingTime(input, channel, message.at);
      case "barrier":
        return this.onBarrier(input, channel, message.id);
      case "end":
        return this.onEnd(input, channel);
    }
  }

  private async watermark(input: number, channel: number, at: Instant): Promise<void> {
    const marks = this.watermarks[input]!;
    if (at <= marks[channel]!) return;
    marks[channel] = at;
    const min = Math.min(...marks);
    if (min <= this.inputAt[input]!) return;
    this.inputAt[input] = min;
    await this.operator.watermark(input, min);
  }

  private async processingTime(input: number, channel: number, at: Instant): Promise<void> {
    const times = this.ptimes[input]!;
    if (at <= times[channel]!) return;
    times[channel] = at;
    // Only channels still open count: one that ended will never move its processing time again.
    let min = Instant.MAX;
    this.ptimes.forEach((ts, i) => ts.forEach((t, c) => void (!this.ended[i]![c] && (min = Math.min(min, t)))));
    if (min === Instant.MAX || min <= this.ptime) return;
    this.ptime = min;
    if (this.clock && min > this.clock.now()) this.clock.set(min);
    await this.operator.processingTime(min);
    for (const o of this.outputs) await o.signal({ kind: "ptime", at: min });
  }

  private async onBarrier(input: number, channel: number, id: number): Promise<void> {
    if (this.barrier === null) {
      this.barrier = id;
      this.waitingFor = this.openChannels();
    } else if (this.barrier !== id)
      throw stepError(this.step, new Error(`internal: barrier ${id} came while barrier ${this.barrier} was being aligned`));
    this.held[input]![channel] = [];
    if (--this.waitingFor === 0) await this.align();
  }

  private openChannels(): number {
    return this.ended.reduce((n, chs) => n + chs.filter((e) => !e).length, 0);
  }

  /** Every open channel delivered the barrier: snapshot, pass it on, then let the held messages through. */
  private async align(): Promise<void> {
    const id = this.barrier!;
    this.barrier = null;
    await this.listener.aligned(this.step, id);
    for (const o of this.outputs) await o.signal({ kind: "barrier", id });
    const held = this.held.map((chs) => chs.map((h) => h ?? []));
    for (const chs of this.held) chs.fill(null);
    for (let i = 0; i < held.length; i++)
      for (let c = 0; c < held[i]!.length; c++) for (const m of held[i]![c]!) await this.receive(i, c, m);
  }

  private async onEnd(input: number, channel: number): Promise<void> {
    if (this.ended[input]![channel]) return;
    await this.watermark(input, channel, Instant.MAX);
    this.ended[input]![channel] = true;
    // An ended channel has nothing more to align: a barrier waiting on it may now be complete.
    if (this.barrier !== null && --this.waitingFor === 0) await this.align();
    // align() may have replayed another channel's held end, which finished the step already.
    if (!this.done && this.ended.every((chs) => chs.every(Boolean))) {
      this.done = true;
      this.listener.finished(this.step);
      for (const o of this.outputs) await o.signal({ kind: "end" });
    }
  }
}
