import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import { type BuiltPipeline, Instant, type Json, type SinkWriting } from "../../sdk/index.js";
import { CheckpointStore, type CompletedCheckpoint } from "../core/checkpoint/index.js";
import { decodeBundle } from "../core/exec/bundle-codec.js";
import { GraphIndex, planStages } from "../core/exec/plan.js";
import { DEFAULT_MAX_PARALLELISM } from "../core/state/keys.js";
import { type StreamRunOptions, type StreamRunSummary } from "./api.js";
import { StreamMetrics } from "./metrics.js";
import {
  type CoordinatorMessage,
  type RestoreState,
  type SplitPosition,
  type SplitPositions,
  type StageCounts,
  type WorkerAck,
  type WorkerInit,
  type WorkerMessage,
} from "./protocol.js";

/** What a completed checkpoint holds beyond its files: where sources were, and what its writes pre-committed. */
interface CheckpointMeta {
  readonly sources: Record<string, Record<string, SplitPosition>>;
  readonly pending: Record<string, Json[]>;
  readonly finished: boolean;
  /** The files of each step's state, one per former worker. */
  readonly states: Record<string, string[]>;
}

/**
 * The stream runner's coordinator, on the main thread: starts one pool thread per worker with a
 * port to every other worker, triggers checkpoints every interval, collects each worker's part,
 * writes the checkpoint (core/checkpoint) and then commits what its writes pre-committed; restarts
 * the job from the last completed checkpoint when a worker fails; takes a savepoint and stops
 * when asked to.
 */
export async function runStream(built: BuiltPipeline, options: StreamRunOptions): Promise<StreamRunSummary> {
  const started = Date.now();
  const parallelism = options.parallelism ?? availableParallelism();
  const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism)
    throw new RangeError(`--parallelism must be a whole number from 1 to ${maxParallelism}, got ${parallelism}`);
  const interval = options.checkpointIntervalMs ?? 10_000;
  if (options.failAt && !built.graph.steps.some((s) => s.name === options.failAt!.step))
    throw new Error(`failAt: the pipeline has no step "${options.failAt.step}"`);
  const store = options.checkpointDir
    ? new CheckpointStore(options.checkpointDir, { retain: options.retainCheckpoints ?? 3 })
    : null;
  const index = new GraphIndex(built.graph);
  const { stages } = planStages(index, () => "js");
  const stepIndex = new Map(built.graph.steps.map((s, i) => [s.name, i]));
  const writes = new Map(
    built.graph.steps.flatMap((s) => {
      const r = built.runtime.get(s.name);
      return s.kind === "write" && r?.kind === "write" && r.sink.writing
        ? [[s.name, { kind: r.sink.kind, writing: r.sink.writing }] as const]
        : [];
    }),
  );
  // Sources told of completed checkpoints (Kafka commits offsets to its group), one report after another.
  const told = built.graph.steps.flatMap((s) => {
    const r = built.runtime.get(s.name);
    const reading = s.kind === "read" && r?.kind === "read" ? r.source.reading : undefined;
    return reading?.checkpointed ? [[s.name, reading] as const] : [];
  });
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  let telling: Promise<void> = Promise.resolve();
  const toldAll = async () => {
    await telling;
    for (const [read, reading] of told)
      await reading
        .close?.()
        .catch((e: unknown) => warn(`step "${read}": closing the source's reporting: ${(e as Error).message}`));
  };
  const tellSources = (sources: CheckpointMeta["sources"]) => {
    for (const [read, reading] of told) {
      const at = Object.values(sources[read] ?? {}).flatMap((p) => (typeof p === "object" ? [p.at] : []));
      if (at.length > 0)
        telling = telling.then(() =>
          reading.checkpointed!(at).catch((e: unknown) =>
            warn(`step "${read}": could not report checkpointed positions to the source: ${(e as Error).message}`),
          ),
        );
    }
  };
  const metrics = new StreamMetrics(stages.map((s) => s.id));
  const stageOf = new Map(stages.flatMap((s) => s.steps.map((step) => [step, s.id] as const)));
  const stageFirst = new Map(stages.map((s) => [s.id, s.steps[0]!]));
  const flows = stageFlows(index, stageOf);
  const readStages = stages.filter((s) => s.boundary === "read").map((s) => s.id);
  const endpoint = options.metricsPort !== undefined ? await metrics.serve(options.metricsPort) : null;
  const staged = new Map<string, unknown[]>();
  options.onStarted?.({ metricsPort: endpoint?.port ?? null });

  let restored: RestoreState | null = null;
  let nextId = 1;
  if (options.restore) {
    const from =
      options.restore === "latest"
        ? await latest(store, options)
        : await CheckpointStore.open(options.restore).catch((e: unknown) => {
            throw new Error(`--restore=${options.restore}: ${(e as Error).message}`, { cause: e });
          });
    const m = from.manifest;
    if (m.graphHash !== built.hash)
      throw new Error(
        `--restore: checkpoint ${from.path} is of another pipeline graph (hash ${m.graphHash}, this job's is ${built.hash}); state is keyed by step name, so the steps must be the same`,
      );
    if (m.maxParallelism !== maxParallelism)
      throw new Error(`--restore: checkpoint ${from.path} has ${m.maxParallelism} key groups; this job has ${maxParallelism}`);
    const meta = m.meta as unknown as CheckpointMeta;
    await commit(writes, meta.pending);
    nextId = m.id + 1;
    if (meta.finished) {
      await endpoint?.close();
      return summary(started, [], 0, 0, null, 0);
    }
    restored = await restoreState(from, meta);
  }

  let restarts = 0;
  let checkpoints = 0;
  let counts: StageCounts[][] = [];
  let blocked: number[] = [];
  for (;;) {
    const attempt = new Attempt(
      built,
      options,
      parallelism,
      maxParallelism,
      restored,
      restarts === 0 ? (options.failAt ?? null) : null,
    );
    counts = [];
    blocked = [];
    let inFlight: { id: number; kind: "checkpoint" | "savepoint"; acks: WorkerAck[]; t0: number } | null = null;
    /** Workers whose closing pre-commit a completed checkpoint already holds. */
    const finalIn = new Set<number>();
    /** Each worker's closing pre-commit, from its "done". */
    const finalOf: { pending: Record<string, Json[]>; staged: Record<string, Uint8Array[]> }[] = [];
    const allDone = () => Object.keys(finalOf).length === parallelism;
    let stopping = false;
    let savepoint: string | null = null;
    let lastCompleted: RestoreState | null = restored;
    let lastPending: Record<string, Json[]> = {};

    /** Feeds the metrics with what changed since a worker's last report. */
    const report = (worker: number, steps: readonly StageCounts[], blockedMs: number) => {
      const before = new Map((counts[worker] ?? []).map((c) => [c.step, c]));
      const rowsBefore = stageRows(flows, counts[worker] ?? []);
      for (const [stage, now] of stageRows(flows, steps)) {
        const was = rowsBefore.get(stage);
        if (now.rowsIn > (was?.rowsIn ?? 0)) metrics.recordsIn(stage, now.rowsIn - (was?.rowsIn ?? 0));
        if (now.rowsOut > (was?.rowsOut ?? 0)) metrics.recordsOut(stage, now.rowsOut - (was?.rowsOut ?? 0));
      }
      const watermarks = new Map<string, number>();
      for (const c of steps) {
        const stage = stageOf.get(c.step)!;
        const was = before.get(c.step);
        const first = stageFirst.get(stage) === c.step;
        if (c.droppedLate > (was?.droppedLate ?? 0)) metrics.droppedLate(stage, c.droppedLate - (was?.droppedLate ?? 0));
        if (first) watermarks.set(stage, c.watermark);
      }
      for (const [stage, at] of watermarks) {
        latestWatermark[worker] ??= new Map();
        latestWatermark[worker].set(stage, at);
        let min: number = Instant.MAX;
        for (const m of latestWatermark) if (m) min = Math.min(min, m.get(stage) ?? min);
        metrics.watermark(stage, min);
      }
      const delta = blockedMs - (blocked[worker] ?? 0);
      if (delta > 0) for (const stage of readStages) metrics.backpressure(stage, delta / readStages.length);
    };
    const latestWatermark: Map<string, number>[] = [];
    const trigger = (kind: "checkpoint" | "savepoint") => {
      if (inFlight || allDone()) return false;
      inFlight = { id: nextId++, kind, acks: [], t0: performance.now() };
      attempt.broadcast({ type: "checkpoint", id: inFlight.id });
      return true;
    };
    const complete = async (c: NonNullable<typeof inFlight>) => {
      const sources: Record<string, Record<string, SplitPosition>> = {};
      const pending: Record<string, Json[]> = {};
      const states: Record<string, string[]> = {};
      const files: [string, Uint8Array][] = [];
      const closing: number[] = [];
      for (const ack of c.acks.sort((a, b) => a.worker - b.worker)) {
        for (const [read, pos] of Object.entries(ack.sources)) Object.assign((sources[read] ??= {}), pos);
        for (const [step, ps] of Object.entries(ack.pending)) (pending[step] ??= []).push(...ps);
        // A worker that had finished will not run again from this checkpoint: its last files go with it.
        const final = ack.finished && !finalIn.has(ack.worker) ? finalOf[ack.worker] : undefined;
        if (final) {
          closing.push(ack.worker);
          for (const [step, ps] of Object.entries(final.pending)) (pending[step] ??= []).push(...ps);
        }
        for (const [step, bytes] of Object.entries(ack.states)) {
          const name = `s${stepIndex.get(step)}-w${ack.worker}.bin`;
          (states[step] ??= []).push(name);
          files.push([name, bytes]);
        }
      }
      let path: string | null = null;
      let size = 0;
      if (store) {
        const writer = await store.begin(c.id, c.kind);
        for (const [name, bytes] of files) {
          await writer.put(name, bytes);
          size += bytes.length;
        }
        const meta: CheckpointMeta = { sources, pending, finished: false, states };
        const done = await writer.complete({
          job: built.graph.pipeline,
          graphHash: built.hash,
          parallelism,
          maxParallelism,
          meta: meta as unknown as Json,
        });
        path = done.path;
      }
      // Durable from here: a failure from now on restarts from this checkpoint, whose commit it repeats.
      lastPending = pending;
      lastCompleted = {
        checkpoint: c.id,
        states: Object.fromEntries(
          Object.entries(states).map(([step, names]) => [step, names.map((n) => files.find((f) => f[0] === n)![1])]),
        ),
        sources,
      };
      for (const ack of c.acks) stage(staged, ack.staged);
      for (const w of closing) {
        finalIn.add(w);
        stage(staged, finalOf[w]!.staged);
      }
      await commit(writes, pending);
      tellSources(sources);
      checkpoints++;
      const ms = performance.now() - c.t0;
      metrics.checkpoint({ durationMs: ms, bytes: size, ok: true });
      options.onCheckpoint?.({ id: c.id, path, ms });
      if (c.kind === "savepoint") savepoint = path;
    };

    const timer =
      store && interval > 0
        ? setInterval(() => {
            if (!stopping) trigger("checkpoint");
          }, interval)
        : null;
    const onStop = () => {
      stopping = true;
      // A checkpoint in flight finishes first; the savepoint follows it.
      const retry = setInterval(() => {
        if (trigger("savepoint") || allDone()) clearInterval(retry);
      }, 5);
    };
    options.stop?.addEventListener("abort", onStop, { once: true });
    try {
      await attempt.run(async (m) => {
        switch (m.type) {
          case "stats":
            report(m.worker, m.steps, m.blockedMs);
            counts[m.worker] = [...m.steps];
            blocked[m.worker] = m.blockedMs;
            return;
          case "done":
            finalOf[m.worker] = { pending: m.pending, staged: m.staged };
            if (allDone()) attempt.finish();
            return;
          case "ack": {
            const c = inFlight;
            if (!c || c.id !== m.id) return;
            c.acks.push(m);
            if (c.acks.length < parallelism) return;
            inFlight = null;
            await complete(c);
            if (c.kind === "savepoint") attempt.stop();
          }
        }
      });
      if (savepoint !== null || stopping) {
        await toldAll();
        return summary(started, totals(stages, flows, counts), restarts, checkpoints, savepoint, sum(blocked));
      }
      // Every worker finished: the last checkpoint records that, then everything left is committed.
      const pending: Record<string, Json[]> = {};
      const rest = finalOf.filter((_, w) => !finalIn.has(w));
      for (const f of rest) for (const [step, ps] of Object.entries(f.pending)) (pending[step] ??= []).push(...ps);
      if (store) {
        const writer = await store.begin(nextId++);
        const meta: CheckpointMeta = { sources: {}, pending, finished: true, states: {} };
        await writer.complete({
          job: built.graph.pipeline,
          graphHash: built.hash,
          parallelism,
          maxParallelism,
          meta: meta as unknown as Json,
        });
      }
      await commit(writes, pending);
      for (const f of rest) stage(staged, f.staged);
      await commitStaged(writes, staged);
      await toldAll();
      return summary(started, totals(stages, flows, counts), restarts, checkpoints, null, sum(blocked));
    } catch (e) {
      if (restarts >= (options.maxRestarts ?? 3) || stopping) throw e;
      restarts++;
      metrics.restart();
      // The failed attempt stops first (no more checkpoints, no more messages); a checkpoint it was
      // writing finishes, and if it became durable the job restarts from it.
      if (timer) clearInterval(timer);
      await attempt.close();
      await attempt.settled();
      restored = lastCompleted;
      // Flink logs the failure that caused each restart; without it a restart is only a slower run.
      // Said once the failed attempt has settled: a checkpoint it was completing may be the one.
      const from = restored === null ? "the beginning" : `checkpoint ${restored.checkpoint}`;
      warn(`restart ${restarts} of ${options.maxRestarts ?? 3} from ${from}, after: ${describeFailure(e)}`);
      await commit(writes, lastPending);
      // In-process staging of the failed attempt after its last completed checkpoint is dropped with it.
      await new Promise((r) => setTimeout(r, options.restartDelayMs ?? 500));
    } finally {
      if (timer) clearInterval(timer);
      options.stop?.removeEventListener("abort", onStop);
      await attempt.close();
    }
  }

  function summary(
    t0: number,
    stageStats: StreamRunSummary["stages"],
    restartCount: number,
    checkpointCount: number,
    savepoint: string | null,
    blockedMs: number,
  ): StreamRunSummary {
    void endpoint?.close();
    const flat = counts.flat();
    return {
      ms: Date.now() - t0,
      stages: stageStats,
      restarts: restartCount,
      checkpoints: checkpointCount,
      droppedLate: flat.reduce((n, c) => n + c.droppedLate, 0),
      droppedClosed: flat.reduce((n, c) => n + c.droppedClosed, 0),
      savepoint,
      blockedMs,
    };
  }
}

/** A failure in one line for the log: its message (naming the step), or what was thrown. */
const describeFailure = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const sum = (xs: readonly (number | undefined)[]) => xs.reduce<number>((n, x) => n + (x ?? 0), 0);

async function latest(store: CheckpointStore | null, options: StreamRunOptions): Promise<CompletedCheckpoint> {
  if (!store) throw new Error("--restore=latest needs --checkpoint-dir");
  const c = await store.latest();
  if (!c) throw new Error(`--restore=latest: ${options.checkpointDir} holds no completed checkpoint`);
  return c;
}

async function restoreState(from: CompletedCheckpoint, meta: CheckpointMeta): Promise<RestoreState> {
  const states: Record<string, Uint8Array[]> = {};
  for (const [step, names] of Object.entries(meta.states)) states[step] = await Promise.all(names.map((n) => from.read(n)));
  return { checkpoint: from.manifest.id, states, sources: meta.sources as Record<string, SplitPositions> };
}

/** Publishes what the writes pre-committed (idempotent: a restore commits its checkpoint's files again). */
async function commit(
  writes: ReadonlyMap<string, { kind: string; writing: SinkWriting<unknown> }>,
  pending: Record<string, Json[]>,
) {
  for (const [step, ps] of Object.entries(pending)) {
    const w = writes.get(step);
    if (!w || w.kind === "memory" || ps.length === 0) continue;
    try {
      await w.writing.commit(ps, { step });
    } catch (e) {
      throw new Error(`step "${step}": commit: ${(e as Error).message}`, { cause: e });
    }
  }
}

function stage(staged: Map<string, unknown[]>, parts: Record<string, Uint8Array[]>): void {
  for (const [step, buffers] of Object.entries(parts)) {
    const into = staged.get(step) ?? [];
    for (const b of buffers) for (const v of decodeBundle(b).values) into.push(v);
    staged.set(step, into);
  }
}

/** In-process sinks get everything at the end, on this thread, as one shard. */
async function commitStaged(
  writes: ReadonlyMap<string, { kind: string; writing: SinkWriting<unknown> }>,
  staged: Map<string, unknown[]>,
): Promise<void> {
  for (const [step, w] of writes) {
    if (w.kind !== "memory") continue;
    const shard = await w.writing.open({ step, shard: 0, shards: 1 });
    await shard.write(staged.get(step) ?? []);
    await w.writing.commit([await shard.close()], { step });
  }
}

/**
 * How each collection's elements count as stage rows, as the local runner counts them: into a
 * stage once per consumer step there when the producer is in another stage (a read's main
 * output into its own stage); out of the producer's stage once per consumer in another stage,
 * and once per write in its own stage.
 */
interface Flow {
  readonly into: ReadonlyMap<string, number>;
  readonly outOf: { readonly stage: string; readonly times: number };
}

function stageFlows(index: GraphIndex, stageOf: ReadonlyMap<string, string>): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  for (const step of index.graph.steps) {
    const from = stageOf.get(step.name)!;
    for (const [tag, collection] of Object.entries(step.outputs)) {
      const into = new Map<string, number>();
      let times = 0;
      if (step.kind === "read" && tag === "main") into.set(from, 1);
      for (const c of index.consumers.get(collection) ?? []) {
        const to = stageOf.get(c.step.name)!;
        if (to !== from) {
          into.set(to, (into.get(to) ?? 0) + 1);
          times++;
        } else if (c.step.kind === "write") times++;
      }
      flows.set(collection, { into, outOf: { stage: from, times } });
    }
  }
  return flows;
}

/** Each stage's rows in and out from its steps' counts of elements emitted per collection. */
function stageRows(
  flows: ReadonlyMap<string, Flow>,
  steps: readonly StageCounts[],
): Map<string, { rowsIn: number; rowsOut: number }> {
  const rows = new Map<string, { rowsIn: number; rowsOut: number }>();
  const of = (stage: string) => rows.get(stage) ?? rows.set(stage, { rowsIn: 0, rowsOut: 0 }).get(stage)!;
  for (const step of steps)
    for (const [collection, n] of Object.entries(step.outputs)) {
      const flow = flows.get(collection);
      if (!flow) continue;
      for (const [stage, times] of flow.into) of(stage).rowsIn += n * times;
      of(flow.outOf.stage).rowsOut += n * flow.outOf.times;
    }
  return rows;
}

function totals(
  stages: ReturnType<typeof planStages>["stages"],
  flows: ReadonlyMap<string, Flow>,
  counts: StageCounts[][],
): StreamRunSummary["stages"] {
  const rows = stageRows(flows, counts.flat());
  return stages.map((s) => ({ stage: s.id, rowsIn: rows.get(s.id)?.rowsIn ?? 0, rowsOut: rows.get(s.id)?.rowsOut ?? 0 }));
}

/** One start of the job: a pool thread per worker, wired to each other and to the coordinator. */
class Attempt {
  private readonly pool: Piscina;
  private readonly controls: MessagePort[] = [];
  private finished: () => void = () => {};

  constructor(
    private readonly built: BuiltPipeline,
    private readonly options: StreamRunOptions,
    private readonly parallelism: number,
    private readonly maxParallelism: number,
    private readonly restore: RestoreState | null,
    private readonly failAt: StreamRunOptions["failAt"] | null,
  ) {
    const ts = import.meta.url.endsWith(".ts");
    this.pool = new Piscina({
      filename: fileURLToPath(new URL(ts ? "./stream-worker.ts" : "./stream-worker.js", import.meta.url)),
      minThreads: parallelism,
      maxThreads: parallelism,
      concurrentTasksPerWorker: 1,
      atomics: "disabled",
      idleTimeout: Number.MAX_SAFE_INTEGER,
      execArgv: [
        ...(ts ? ["--import", import.meta.resolve("tsx")] : []),
        ...(process.env.BEAMLINE_WORKER_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BEAMLINE_WORKER_PROF}`] : []),
      ],
    });
  }

  /** Runs every worker; `onMessage` sees their messages in order. Resolves when finish() is called after all tasks end. */
  async run(onMessage: (m: WorkerMessage) => Promise<void>): Promise<void> {
    const n = this.parallelism;
    const peers: (MessagePort | null)[][] = Array.from({ length: n }, () => new Array<MessagePort | null>(n).fill(null));
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const { port1, port2 } = new MessageChannel();
        peers[i]![j] = port1;
        peers[j]![i] = port2;
      }
    let queue = Promise.resolve();
    this.settled = () => queue.catch(() => undefined);
    let failure: unknown = null;
    const failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    const finished = new Promise<void>((resolve) => (this.finished = resolve));
    const stopped = new Promise<void>((resolve) => (this.stopped = resolve));
    const tasks = Array.from({ length: n }, (_, worker) => {
      const { port1, port2 } = new MessageChannel();
      this.controls.push(port1);
      port1.on("message", (m: WorkerMessage) => {
        if (this.closed) return;
        queue = queue
          .then(() => onMessage(m))
          .catch((e: unknown) => {
            failure ??= e;
            this.fail(e);
          });
      });
      const init: WorkerInit = {
        module: this.options.source.module,
        options: this.options.source.options,
        hash: this.built.hash,
        worker,
        parallelism: n,
        maxParallelism: this.maxParallelism,
        bufferTimeoutMs: this.options.bufferTimeoutMs ?? 10,
        control: port2,
        peers: peers[worker]!,
        restore: this.restore,
        failAt: this.failAt,
      };
      const transfer = [port2, ...peers[worker]!.filter((p): p is MessagePort => p !== null)];
      return this.pool.run(init, { transferList: transfer as never });
    });
    const all = Promise.all(tasks).then(async () => {
      // Messages posted before the tasks ended are handled before the run ends.
      await new Promise((r) => setImmediate(r));
      await queue;
    });
    all.catch((e: unknown) => this.fail(e));
    await Promise.race([failed, Promise.all([all, finished]), stopped]);
    if (failure) throw failure;
  }

  private fail: (e: unknown) => void = () => {};

  /** Resolves once every worker message received so far has been handled. */
  settled: () => Promise<void> = () => Promise.resolve();

  finish(): void {
    this.finished();
  }

  /** Ends the run without waiting for the workers (a savepoint was taken; close() stops them). */
  stop(): void {
    this.stopped();
  }

  private stopped: () => void = () => {};

  broadcast(m: CoordinatorMessage): void {
    for (const c of this.controls) c.postMessage(m);
  }

  private closed = false;

  /** Stops the workers; messages still arriving are ignored. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.controls) c.close();
    await this.pool.destroy();
  }
}
