import os from "node:os";
import { type BuiltPipeline, type Instant, type StepNode } from "../../sdk/index.js";
import { type Clock, ManualClock, systemClock } from "../core/clock.js";
import { type LocalRunOptions, type RunSummary, type StageInfo } from "./api.js";
import { type Bundle } from "../core/exec/bundle.js";
import { type Operator, type Output, stepError } from "../core/exec/operators/operator.js";
import { GraphIndex, countPerElementFusion, parquetPushdowns, planLocalStages, poolChains } from "./plan.js";
import { DoFnPool, PoolChainOperator } from "./pool.js";
import { LocalDb } from "./duckdb/index.js";
import { type Stats, StageCounters } from "./stats.js";
import { buildOperator, type Built } from "../core/exec/wiring.js";
import { duckCombines } from "./wiring.js";
import { readBounded, replayStream } from "../core/exec/sources.js";
import { readPushdown } from "./pushdown-read.js";
import { WriteOperator } from "../core/exec/operators/write.js";

/**
 * Runs a built pipeline: operators for every step, wired collection by collection; the
 * sources are read one after another (bounded ones first, then TestStreams), and writes are
 * committed only after everything has succeeded.
 */
export async function execute(pipeline: BuiltPipeline, options: LocalRunOptions): Promise<RunSummary> {
  const started = Date.now();
  const index = new GraphIndex(pipeline.graph);
  const { stages, stageOf } = planLocalStages(index);
  const stats = new StageCounters(stages, options.observer);
  options.observer?.planned?.(stages);
  const replays = pipeline.graph.steps.some((s) => s.kind === "read" && s.source.kind === "testStream");
  const clock: Clock = replays ? new ManualClock(0) : (options.clock ?? systemClock);
  const parallelism = options.parallelism ?? os.availableParallelism();

  const operators = new Map<string, Built>();
  const outputs = new Map<string, Output>();
  const outputOf = (collection: string): Output => {
    let o = outputs.get(collection);
    if (!o) {
      o = fanOut(index, collection, operators, stats, stageOf);
      outputs.set(collection, o);
    }
    return o;
  };
  const duck: { db: Promise<LocalDb> | null } = { db: null };
  const openDb = () => (duck.db ??= LocalDb.open({ memoryLimit: options.memoryLimit, tempDir: options.tempDir }));
  const fusion = countPerElementFusion(index);
  const pushdowns = parquetPushdowns(index);
  for (const step of pipeline.graph.steps)
    if (step.kind !== "read")
      operators.set(
        step.name,
        await buildOperator(step, {
          index,
          pipeline,
          outputOf,
          clock,
          fusion,
          batchEngine: true,
          custom: duckCombines({ index, db: openDb, outputOf, keysOnly: fusion.keysOnly }),
        }),
      );

  const pool = startPool(pipeline, options, parallelism, index, fusion.passThrough, operators, outputOf);
  const all = [...operators.values()].map((b) => b.operator);
  const processingTime = async (now: Instant) => {
    for (const op of all) await op.processingTime(now);
  };
  let lastTick = Date.now();
  const tick = async () => {
    const now = Date.now();
    if (now - lastTick < 100) return;
    lastTick = now;
    stats.report();
    if (!replays) await processingTime(clock.now());
  };
  const writes = all.filter((op): op is WriteOperator => op instanceof WriteOperator);
  let deadLetters = 0;
  try {
    const reads = pipeline.graph.steps.filter((s): s is Extract<StepNode, { kind: "read" }> => s.kind === "read");
    const ordered = [
      ...reads.filter((r) => r.source.kind !== "testStream"),
      ...reads.filter((r) => r.source.kind === "testStream"),
    ];
    for (const step of ordered) {
      const runtime = pipeline.runtime.get(step.name);
      if (runtime?.kind !== "read") throw stepError(step.name, new Error("internal: no source for this read"));
      const deps = {
        step,
        source: runtime.source,
        eventTime: runtime.eventTime,
        main: countRead(stats, stageOf.get(step.name)!, outputOf(step.outputs.main!)),
        deadLetters: step.outputs.deadLetters ? outputOf(step.outputs.deadLetters) : null,
        tick,
        onDeadLetter: () => void deadLetters++,
      };
      const pushed = pushdowns.get(step.name);
      if (pushed?.kind === "combinePerKey")
        await readPushdown({
          read: step,
          combine: pushed,
          strategy: index.collection(pushed.inputs[0]!).windowing,
          db: openDb,
          output: outputOf(pushed.outputs.main!),
          fields: index.collection(step.outputs.main!).schema?.fields ?? [],
          // The rows read count as the plain read's would: into and out of the read stage, into the combine's.
          counted: (n) => {
            const from = stageOf.get(step.name)!;
            stats.rowsIn(from, n);
            stats.rowsOut(from, n);
            stats.rowsIn(stageOf.get(pushed.name)!, n);
          },
        });
      else if (step.source.kind === "testStream") await replayStream({ ...deps, clock: clock as ManualClock, processingTime });
      else await readBounded(deps);
    }
    for (const w of writes) await w.commit();
  } catch (e) {
    for (const w of writes) await w.abort();
    throw e;
  } finally {
    for (const b of operators.values()) await b.close?.();
    if (duck.db) await (await duck.db).close();
    await pool?.close();
  }
  const summary: RunSummary = {
    stages: stats.snapshot(),
    ms: Date.now() - started,
    droppedLate: all.reduce((n, op) => n + op.droppedLate, 0),
    droppedClosed: all.reduce((n, op) => n + (op.droppedClosed ?? 0), 0),
    deadLetters,
  };
  options.observer?.finished?.(summary);
  return summary;
}

/** With the pipeline's module known and more than one thread, chains of stateless DoFns run on a worker pool. */
function startPool(
  pipeline: BuiltPipeline,
  options: LocalRunOptions,
  parallelism: number,
  index: GraphIndex,
  passThrough: ReadonlySet<string>,
  operators: Map<string, Built>,
  outputOf: (collection: string) => Output,
): DoFnPool | null {
  if (!options.source || parallelism < 2) return null;
  const chains = poolChains(index, passThrough);
  if (chains.length === 0) return null;
  const pool = new DoFnPool(options.source, pipeline.hash, parallelism);
  for (const chain of chains) {
    const first = chain[0]!;
    const last = index.steps.get(chain.at(-1)!)!;
    const inline = operators.get(first)!.operator;
    operators.set(first, { operator: new PoolChainOperator(first, chain, pool, inline, outputOf(last.outputs.main!)) });
  }
  return pool;
}

/** Counts what a read emits as its stage's input. */
function countRead(stats: StageCounters, stage: string, out: Output): Output {
  return {
    emit: (b) => {
      stats.rowsIn(stage, b.values.length);
      return out.emit(b);
    },
    watermark: (at) => out.watermark(at),
  };
}

/** Delivers a collection to each consumer step's input, counting rows that cross stages. */
function fanOut(
  index: GraphIndex,
  collection: string,
  operators: Map<string, Built>,
  stats: Stats,
  stageOf: Map<string, string>,
): Output {
  const producer = index.producers.get(collection)!;
  const from = stageOf.get(producer.name)!;
  const consumers = (index.consumers.get(collection) ?? []).map(({ step, input }) => ({
    input,
    step: step.name,
    stage: stageOf.get(step.name)!,
    write: step.kind === "write",
    op: (): Operator => operators.get(step.name)!.operator,
  }));
  return {
    async emit(b: Bundle) {
      for (const c of consumers) {
        if (c.stage !== from) {
          stats.rowsOut(from, b.values.length);
          stats.rowsIn(c.stage, b.values.length);
        } else if (c.write) stats.rowsOut(from, b.values.length);
        await c.op().process(c.input, b);
      }
    },
    async watermark(at: Instant) {
      for (const c of consumers) await c.op().watermark(c.input, at);
    },
  };
}

export type { StageInfo };
