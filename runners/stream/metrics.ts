import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { Instant } from "../../sdk/index.js";

export interface StreamMetricsOptions {
  /** The window the `*_per_second` gauges average over, in milliseconds (default 5000). */
  readonly rateWindowMs?: number;
  /** Processing time in ms since the epoch; the wall clock unless a test injects one. */
  readonly now?: () => number;
}

/** A running `/metrics` endpoint. */
export interface MetricsEndpoint {
  /** The port it listens on (the one the OS picked when asked for port 0). */
  readonly port: number;
  /** Stops listening and drops open connections; calling it again is harmless. */
  close(): Promise<void>;
}

/** Checkpoint durations run from a few milliseconds (small state) to tens of seconds. */
const CHECKPOINT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A rate window is kept in this many buckets at most, so memory does not grow with call frequency. */
const RATE_RESOLUTION = 100;

interface StageState {
  readonly recordsIn: RateWindow;
  readonly recordsOut: RateWindow;
  watermark: Instant;
}

/**
 * The stream runner's metrics for one job, in Prometheus text format. Each instance
 * has its own registry, so two jobs in one process never share or clash on a metric.
 */
export class StreamMetrics {
  private readonly registry = new Registry();
  private readonly stages = new Map<string, StageState>();
  private readonly now: () => number;
  private readonly stageNames: string;

  private readonly inTotal: Counter<"stage">;
  private readonly outTotal: Counter<"stage">;
  private readonly backpressureSeconds: Counter<"stage">;
  private readonly droppedLateTotal: Counter<"stage">;
  private readonly checkpointDuration: Histogram;
  private readonly checkpointSize: Gauge;
  private readonly checkpointsTotal: Counter<"outcome">;
  private readonly restartsTotal: Counter;

  constructor(stages: readonly string[], options: StreamMetricsOptions = {}) {
    const windowMs = options.rateWindowMs ?? 5000;
    if (!Number.isFinite(windowMs) || windowMs <= 0)
      throw new RangeError(`StreamMetrics rateWindowMs must be a positive number of milliseconds, got ${windowMs}`);
    this.now = options.now ?? Date.now;
    for (const stage of stages) {
      if (stage === "") throw new Error("StreamMetrics stage names must not be empty");
      if (this.stages.has(stage)) throw new Error(`StreamMetrics stage "${stage}" is listed twice`);
      this.stages.set(stage, {
        recordsIn: new RateWindow(windowMs),
        recordsOut: new RateWindow(windowMs),
        watermark: Instant.MIN,
      });
    }
    this.stageNames = stages.map((s) => `"${s}"`).join(", ") || "(none)";

    const registers = [this.registry];
    const stageCounter = (name: string, help: string): Counter<"stage"> =>
      new Counter({ name, help, labelNames: ["stage"], registers });
    // Gauges filled at collect time, so a scrape reads the figure as of now.
    const stageGauge = (name: string, help: string, collect: (g: Gauge<"stage">) => void): void => {
      const gauge: Gauge<"stage"> = new Gauge({ name, help, labelNames: ["stage"], registers, collect: () => collect(gauge) });
    };
    const window = `${windowMs / 1000}s`;

    this.inTotal = stageCounter("beamline_records_in_total", "Records a stage has received.");
    this.outTotal = stageCounter("beamline_records_out_total", "Records a stage has emitted.");
    stageGauge("beamline_records_in_per_second", `Records a stage received per second, averaged over the last ${window}.`, (g) =>
      this.collectRate(g, (s) => s.recordsIn),
    );
    stageGauge("beamline_records_out_per_second", `Records a stage emitted per second, averaged over the last ${window}.`, (g) =>
      this.collectRate(g, (s) => s.recordsOut),
    );
    stageGauge(
      "beamline_watermark_ms",
      "A stage's event-time watermark in ms since the epoch; -Inf before it has one, +Inf once its input is finished.",
      (g) => this.collectWatermarks(g),
    );
    stageGauge(
      "beamline_watermark_lag_ms",
      "Processing time minus a stage's watermark, in ms; absent until the stage has a watermark, 0 once its input is finished.",
      (g) => this.collectLag(g),
    );
    this.backpressureSeconds = stageCounter(
      "beamline_backpressure_seconds_total",
      "Seconds a stage's source spent blocked waiting for exchange credits (backpressure from downstream).",
    );
    this.droppedLateTotal = stageCounter(
      "beamline_dropped_late_total",
      "Records a stage dropped because they arrived after their window's allowed lateness.",
    );
    this.checkpointDuration = new Histogram({
      name: "beamline_checkpoint_duration_seconds",
      help: "Time from starting a checkpoint to completing it, in seconds (completed checkpoints only).",
      buckets: CHECKPOINT_BUCKETS,
      registers,
    });
    this.checkpointSize = new Gauge({
      name: "beamline_checkpoint_size_bytes",
      help: "Size of the last completed checkpoint in bytes (0 before the first).",
      registers,
    });
    this.checkpointsTotal = new Counter({
      name: "beamline_checkpoints_total",
      help: "Checkpoints finished, by outcome (completed or failed).",
      labelNames: ["outcome"],
      registers,
    });
    this.restartsTotal = new Counter({
      name: "beamline_restarts_total",
      help: "Times the job restarted from its last checkpoint after a failure.",
      registers,
    });

    // Every series exists from the first scrape, so rate() and absent() see a 0, not a gap.
    for (const stage of this.stages.keys())
      for (const c of [this.inTotal, this.outTotal, this.backpressureSeconds, this.droppedLateTotal]) c.inc({ stage }, 0);
    this.checkpointsTotal.inc({ outcome: "completed" }, 0);
    this.checkpointsTotal.inc({ outcome: "failed" }, 0);
  }

  recordsIn(stage: string, n: number): void {
    const state = this.stage(stage);
    checkCount("recordsIn", n);
    this.inTotal.inc({ stage }, n);
    state.recordsIn.add(this.now(), n);
  }

  recordsOut(stage: string, n: number): void {
    const state = this.stage(stage);
    checkCount("recordsOut", n);
    this.outTotal.inc({ stage }, n);
    state.recordsOut.add(this.now(), n);
  }

  /** The stage's current watermark; `Instant.MIN` (not started) and `Instant.MAX` (finished) are allowed. */
  watermark(stage: string, at: Instant): void {
    const state = this.stage(stage);
    if (typeof at !== "number" || Number.isNaN(at)) throw new RangeError(`watermark must be an instant, got ${at}`);
    state.watermark = at <= Instant.MIN ? Instant.MIN : at >= Instant.MAX ? Instant.MAX : at;
  }

  /** Time the stage's source spent blocked waiting for exchange credits, in milliseconds. */
  backpressure(stage: string, ms: number): void {
    this.stage(stage);
    checkAmount("backpressure", ms);
    this.backpressureSeconds.inc({ stage }, ms / 1000);
  }

  droppedLate(stage: string, n: number): void {
    this.stage(stage);
    checkCount("droppedLate", n);
    this.droppedLateTotal.inc({ stage }, n);
  }

  checkpoint(c: { durationMs: number; bytes: number; ok: boolean }): void {
    checkAmount("checkpoint durationMs", c.durationMs);
    checkCount("checkpoint bytes", c.bytes);
    this.checkpointsTotal.inc({ outcome: c.ok ? "completed" : "failed" });
    if (!c.ok) return;
    this.checkpointDuration.observe(c.durationMs / 1000);
    this.checkpointSize.set(c.bytes);
  }

  restart(): void {
    this.restartsTotal.inc();
  }

  /** The exposition in Prometheus text format, as a scrape would see it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serves `GET /metrics` on `host:port` (port 0 picks a free one); every other request gets 404. */
  async serve(port: number, host = "127.0.0.1"): Promise<MetricsEndpoint> {
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new RangeError(`metrics port must be an integer from 0 to 65535, got ${port}`);
    const server = createServer((req, res) => void this.respond(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    let closing: Promise<void> | undefined;
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        (closing ??= new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          // Scrapers keep connections alive; without this, close waits for them to time out.
          server.closeAllConnections();
        })),
    };
  }

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?", 1)[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: metrics are at GET /metrics\n");
      return;
    }
    try {
      const body = await this.registry.metrics();
      res.writeHead(200, { "content-type": this.registry.contentType }).end(body);
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`metrics failed: ${String(e)}\n`);
    }
  }

  private stage(name: string): StageState {
    const state = this.stages.get(name);
    if (!state) throw new Error(`StreamMetrics has no stage "${name}"; the job's stages are ${this.stageNames}`);
    return state;
  }

  private collectRate(gauge: Gauge<"stage">, pick: (s: StageState) => RateWindow): void {
    const now = this.now();
    for (const [stage, state] of this.stages) gauge.set({ stage }, pick(state).perSecond(now));
  }

  private collectWatermarks(gauge: Gauge<"stage">): void {
    for (const [stage, { watermark }] of this.stages)
      gauge.set({ stage }, watermark === Instant.MIN ? -Infinity : watermark === Instant.MAX ? Infinity : watermark);
  }

  // Lag is taken at scrape time, so a stuck watermark shows a growing lag between updates.
  private collectLag(gauge: Gauge<"stage">): void {
    const now = this.now();
    for (const [stage, { watermark }] of this.stages) {
      if (watermark === Instant.MIN) gauge.remove({ stage });
      else gauge.set({ stage }, watermark === Instant.MAX ? 0 : now - watermark);
    }
  }
}

/**
 * Counts in a sliding window of time, kept in at most RATE_RESOLUTION buckets: a count
 * leaves the window up to one bucket (1% of the window) early, in exchange for bounded memory.
 */
class RateWindow {
  private readonly buckets: { at: number; n: number }[] = [];
  private readonly bucketMs: number;

  constructor(private readonly windowMs: number) {
    this.bucketMs = windowMs / RATE_RESOLUTION;
  }

  add(now: number, n: number): void {
    const at = Math.floor(now / this.bucketMs) * this.bucketMs;
    const last = this.buckets.at(-1);
    // A clock that steps back lands in the newest bucket rather than unsorting the window.
    if (last && at <= last.at) last.n += n;
    else this.buckets.push({ at, n });
    this.expire(now);
  }

  perSecond(now: number): number {
    this.expire(now);
    let total = 0;
    for (const b of this.buckets) total += b.n;
    return total / (this.windowMs / 1000);
  }

  private expire(now: number): void {
    const from = now - this.windowMs;
    while ((this.buckets[0]?.at ?? Infinity) <= from) this.buckets.shift();
  }
}

function checkCount(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} needs a count of zero or more, got ${n}`);
}

function checkAmount(what: string, x: number): void {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`${what} needs a finite amount of zero or more, got ${x}`);
}
