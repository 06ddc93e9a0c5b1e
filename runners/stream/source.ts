import { type BuiltPipeline, Instant, type ReadChunk, type ReadStep, type SourceSplit } from "../../sdk/index.js";
import { ManualClock, systemClock } from "../core/clock.js";
import { BundleBuilder, TimedBundle, metaAt } from "../core/exec/bundle.js";
import { type Output, stepError } from "../core/exec/operators/operator.js";
import { fromSource, openReading, timedBundle } from "../core/exec/sources.js";
import { type ReplayEvent, replayTestStream } from "../core/test-stream.js";
import { SourceWatermarks } from "../core/watermarks.js";
import { type SignalTarget } from "./node.js";
import { type WorkerCheckpoints } from "./job.js";
import { type SplitPosition } from "./protocol.js";

export interface SourceTaskDeps {
  readonly step: ReadStep;
  readonly built: BuiltPipeline;
  readonly worker: number;
  readonly parallelism: number;
  /** Restored positions by split index: chunks (or TestStream events) already read, or done. */
  readonly positions: Readonly<Record<string, SplitPosition>>;
  readonly outputs: Readonly<Record<string, Output & SignalTarget>>;
  readonly mailbox: (action: () => Promise<void>) => Promise<void>;
  /** Resolves when the exchange can take more: the source waits here while it cannot. */
  readonly backpressure: () => Promise<void>;
  readonly checkpoints: WorkerCheckpoints;
}

/**
 * One read on one worker: the splits whose index modulo the parallelism is this worker's,
 * chunk by chunk, with checkpoint barriers put in between chunks. A split's position is the
 * number of chunks read: a restored source reads again from the start and skips that many
 * (sources are replayable and chunk deterministically). The watermark: a TestStream's own
 * steps; an unbounded source's, or a bounded one's given maxDelay, per split from the event
 * times seen (SourceWatermarks); otherwise, as on the local runner, MIN until the end.
 */
export class SourceTask {
  private readonly pending: number[] = [];
  /** This worker's splits only: a checkpoint merges every worker's, so another's would overwrite it with a stale one. */
  private readonly positions: Record<string, SplitPosition> = {};

  constructor(private readonly deps: SourceTaskDeps) {}

  get step(): ReadStep {
    return this.deps.step;
  }

  trigger(id: number): void {
    this.pending.push(id);
  }

  async run(): Promise<void> {
    const { step } = this.deps;
    if (step.source.kind === "testStream") await this.replay();
    else await this.read();
    await this.deps.mailbox(async () => {
      this.deps.checkpoints.sourceEnded(step.name, { ...this.positions });
      for (const out of Object.values(this.deps.outputs)) {
        await out.watermark(Instant.MAX);
        await out.signal({ kind: "end" });
      }
    });
  }

  /** Barriers asked for since the last chunk go in now, with the positions reached. */
  private async inject(): Promise<void> {
    while (this.pending.length > 0) {
      const id = this.pending.shift()!;
      await this.deps.mailbox(async () => {
        this.deps.checkpoints.injected(id, this.deps.step.name, { ...this.positions });
        for (const out of Object.values(this.deps.outputs)) await out.signal({ kind: "barrier", id });
      });
    }
  }

  private runtime() {
    const r = this.deps.built.runtime.get(this.deps.step.name);
    if (r?.kind !== "read") throw stepError(this.deps.step.name, new Error("internal: no source for this read"));
    return r;
  }

  private async read(): Promise<void> {
    const { step, worker, parallelism, outputs } = this.deps;
    const { source, eventTime } = this.runtime();
    const { reading, ctx, bad } = openReading(step, source, outputs.deadLetters !== undefined, () => {});
    const all = await fromSource(step, () => reading.splits(ctx));
    const mine: [number, SourceSplit][] = all.flatMap((s, i) =>
      i % parallelism === worker ? [[i, s] as [number, SourceSplit]] : [],
    );
    const generated = !source.bounded || step.maxDelay > 0;
    const marks = generated
      ? new SourceWatermarks({
          partitions: Math.max(1, mine.length),
          maxDelay: step.maxDelay,
          idleTimeout: step.idleTimeout,
          clock: systemClock,
        })
      : null;
    let emitted = Instant.MIN;
    // The splits are read a chunk each in turn, so that each one's event time moves on and the
    // watermark (their minimum) with them, as a reader of several partitions does.
    const open: { p: number; index: number; chunks: AsyncIterator<ReadChunk<unknown>>; n: number; skip: number }[] = [];
    mine.forEach(([index, split], p) => {
      const at = this.deps.positions[index];
      this.positions[index] = at ?? 0;
      if (at === "done") marks?.onEnd(p);
      else {
        // A source that gave positions resumes after the last one; any other is read again and skipped.
        const from = typeof at === "object" ? at.at : undefined;
        const chunks = (from === undefined ? reading.read(split, ctx) : reading.read(split, ctx, from))[Symbol.asyncIterator]();
        open.push({ p, index, chunks, n: 0, skip: typeof at === "number" ? at : 0 });
      }
    });
    try {
      while (open.length > 0)
        for (let k = 0; k < open.length; k++) {
          const s = open[k]!;
          let next = await fromSource(step, () => s.chunks.next());
          while (!next.done && s.n < s.skip) {
            s.n++;
            next = await fromSource(step, () => s.chunks.next());
          }
          if (next.done) {
            open.splice(k--, 1);
            await this.deps.mailbox(async () => {
              this.positions[s.index] = "done";
              marks?.onEnd(s.p);
            });
            continue;
          }
          await this.deps.backpressure();
          await this.inject();
          const chunk = next.value;
          await this.deps.mailbox(async () => {
            // A split is idle only idleTimeout after its reader delivered (a Kafka consumer joins its group first).
            if (s.n === s.skip) marks?.onStarted(s.p);
            s.n++;
            this.positions[s.index] = chunk.position !== undefined ? { at: chunk.position } : s.n;
            if (chunk.values.length > 0) {
              const bundle = timedBundle(step, chunk.values, eventTime, chunk.timestamps);
              if (marks) {
                if (bundle instanceof TimedBundle) marks.onEvents(s.p, bundle.timestamps);
                else marks.onEvent(s.p, Instant.MIN);
              }
              await outputs.main!.emit(bundle);
            }
            if (bad.length > 0) await outputs.deadLetters!.emit(bad.take());
            if (marks?.poll() && marks.current() > emitted) {
              emitted = marks.current();
              await outputs.main!.watermark(emitted);
            }
          });
        }
    } finally {
      // On a failure the splits still open are closed (a Kafka consumer leaves its group, a
      // Nexmark generator thread ends) rather than left to the pool's end; an error in closing
      // does not hide the failure.
      await Promise.allSettled(open.map((s) => s.chunks.return?.()));
    }
    if (bad.length > 0) await this.deps.mailbox(() => outputs.deadLetters!.emit(bad.take()));
  }

  /** A TestStream, replayed on worker 0 (it is one split); its position is the number of events replayed. */
  private async replay(): Promise<void> {
    const { step, worker, outputs } = this.deps;
    if (worker !== 0) return;
    const { source, eventTime } = this.runtime();
    const events = (source as { readonly events?: readonly ReplayEvent<unknown>[] }).events;
    if (!events) throw stepError(step.name, new Error('a "testStream" source needs its events (build it with testStream())'));
    const at = this.deps.positions["0"];
    this.positions["0"] = at ?? 0;
    if (at === "done") return;
    if (typeof at === "object") throw stepError(step.name, new Error("internal: a TestStream position is an event count"));
    const params = (source.params ?? {}) as { partitions?: number | null };
    const partitions = params.partitions ?? 1;
    const clock = new ManualClock(0);
    const marks =
      typeof params.partitions === "number"
        ? new SourceWatermarks({ partitions, maxDelay: step.maxDelay, idleTimeout: step.idleTimeout, clock })
        : null;
    let position = at ?? 0;
    const main = outputs.main!;
    const poll = async () => {
      if (marks?.poll()) await main.watermark(marks.current());
    };
    // Events before the restored position are replayed into nothing: only the clock and the watermark generators move.
    const step1 = async (action: () => Promise<void>, replaying: boolean) => {
      if (!replaying) {
        await this.deps.backpressure();
        await this.inject();
      }
      await this.deps.mailbox(async () => {
        if (!replaying) await action();
        position++;
        this.positions["0"] = position;
      });
    };
    let i = 0;
    const from = at ?? 0;
    await replayTestStream(events, clock, {
      elements: (bundle, partition) =>
        step1(async () => {
          const b = new BundleBuilder();
          for (const { value, timestamp } of bundle) {
            const t = eventTime ? eventTime(value) : timestamp;
            b.push(value, metaAt(t));
            marks?.onEvent(partition, t);
          }
          await main.emit(b.take());
          await poll();
        }, i++ < from),
      watermark: (to) =>
        step1(async () => {
          if (!marks) await main.watermark(to);
          else if (to === Instant.MAX) {
            for (let p = 0; p < partitions; p++) marks.onEnd(p);
            await poll();
          }
        }, i++ < from),
      processingTime: (now) =>
        step1(async () => {
          await poll();
          for (const out of Object.values(outputs)) await out.signal({ kind: "ptime", at: now });
        }, i++ < from),
    });
    this.positions["0"] = "done";
  }
}
