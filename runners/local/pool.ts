import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { type Bundle, type Meta, canonicalMeta, isUniform } from "../core/exec/bundle.js";
import { type Operator, type Output } from "../core/exec/operators/operator.js";
import { type ChainTask } from "./worker.js";
import { type Instant } from "../../sdk/index.js";

/** What workers need to rebuild the pipeline: its module, the options it was built with, and the graph's hash. */
export interface PipelineSource {
  readonly module: string;
  readonly options: unknown;
}

/** Bundles smaller than this run on the main thread: sending them costs more than it saves. */
export const MIN_POOL_BUNDLE = 1024;

/**
 * Per-element cost (µs, measured on the first bundles run here) above which a chain is
 * CPU-heavy enough to pay for the pool: below it, copying elements to workers and back
 * costs as much as the work (word count's regex is about 1 µs a line and stays here).
 */
export const HEAVY_MICROS = 20;

/** Bundles timed on this thread before deciding. */
const PROBE_BUNDLES = 2;

/** The worker pool of one job, started on first use. */
export class DoFnPool {
  private pool: Piscina | null = null;

  constructor(
    private readonly source: PipelineSource,
    private readonly hash: string,
    readonly threads: number,
  ) {}

  run(chain: readonly string[], bundle: Bundle): Promise<Bundle> {
    const task: ChainTask = { ...this.source, hash: this.hash, chain, values: bundle.values, metas: bundle.metas };
    return (this.pool ??= this.start()).run(task) as Promise<Bundle>;
  }

  private start(): Piscina {
    const ts = import.meta.url.endsWith(".ts");
    const filename = fileURLToPath(new URL(ts ? "./worker.ts" : "./worker.js", import.meta.url));
    return new Piscina({
      filename,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Running from source, workers load TypeScript through tsx like the main thread.
      execArgv: ts ? ["--import", import.meta.resolve("tsx")] : [],
      idleTimeout: 1000,
    });
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
    this.pool = null;
  }
}

/**
 * A chain of stateless DoFns that may run on the pool: the first bundles run here and are
 * timed; if the chain is CPU-heavy (over HEAVY_MICROS per element), later bundles go to
 * workers (at most two per thread in flight) and their results come back in the order sent.
 * Small bundles, and the end of input, go through the chain's operators on this thread.
 */
export class PoolChainOperator implements Operator {
  readonly droppedLate = 0;
  private readonly inFlight: Promise<Bundle>[] = [];
  private probed = 0;
  private probeMicros = 0;
  private probeElements = 0;
  /** Whether the chain runs on the pool: decided after the probe bundles. */
  private pooled: boolean | null = null;

  constructor(
    readonly step: string,
    private readonly chain: readonly string[],
    private readonly pool: DoFnPool,
    /** The chain's first operator on this thread. */
    private readonly inline: Operator,
    /** Where the chain's last step's output goes. */
    private readonly output: Output,
  ) {}

  async process(input: number, bundle: Bundle): Promise<void> {
    if (this.pooled === null && bundle.values.length >= MIN_POOL_BUNDLE) {
      const t0 = performance.now();
      await this.inline.process(input, bundle);
      this.probeMicros += (performance.now() - t0) * 1000;
      this.probeElements += bundle.values.length;
      if (++this.probed >= PROBE_BUNDLES) this.pooled = this.probeMicros / this.probeElements > HEAVY_MICROS;
      return;
    }
    if (!this.pooled || bundle.values.length < MIN_POOL_BUNDLE) {
      await this.drain();
      return this.inline.process(input, bundle);
    }
    const task = this.pool.run(this.chain, bundle);
    // Handled when its turn comes; until then a failure must not count as unhandled.
    task.catch(() => undefined);
    this.inFlight.push(task);
    while (this.inFlight.length > 2 * this.pool.threads) await this.emitOldest();
  }

  /** Whether the chain went to the pool (for tests and the plan's report). */
  get onPool(): boolean {
    return this.pooled === true;
  }

  async watermark(input: number, at: Instant): Promise<void> {
    await this.drain();
    return this.inline.watermark(input, at);
  }

  processingTime(now: Instant): Promise<void> {
    return this.inline.processingTime(now);
  }

  private async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.emitOldest();
  }

  private async emitOldest(): Promise<void> {
    const b = await this.inFlight.shift()!;
    if (b.values.length === 0) return;
    const metas: Meta | readonly Meta[] = isUniform(b.metas) ? canonicalMeta(b.metas) : b.metas.map(canonicalMeta);
    await this.output.emit({ values: b.values, metas });
  }
}
