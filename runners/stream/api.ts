/** How to run a pipeline on the stream runner. */
export interface StreamRunOptions {
  /** The module the pipeline came from and the options it was built with: every worker builds it again. */
  readonly source: { readonly module: string; readonly options: unknown };
  /** Workers (pool threads); default the number of cores. */
  readonly parallelism?: number;
  /** Key groups: the most workers a savepoint of this job can be restored on (default 128). */
  readonly maxParallelism?: number;
  /** An exchange buffer with fewer elements than a full one is sent after this long (default 10 ms). */
  readonly bufferTimeoutMs?: number;
  /** Where checkpoints go; without it, there are none and a failure restarts from the beginning. */
  readonly checkpointDir?: string;
  /** Time between checkpoints (default 10 s; 0: none but the last). */
  readonly checkpointIntervalMs?: number;
  /** Completed checkpoints kept (default 3); savepoints are never removed. */
  readonly retainCheckpoints?: number;
  /** Restarts after a failure before the job fails (default 3). */
  readonly maxRestarts?: number;
  /** Wait before a restart (default 500 ms). */
  readonly restartDelayMs?: number;
  /** Resume from the latest checkpoint or savepoint in checkpointDir, or from a checkpoint's directory. */
  readonly restore?: string;
  /** Serve Prometheus metrics on this port (127.0.0.1) while the job runs. */
  readonly metricsPort?: number;
  /** When aborted, the job takes a savepoint and stops (SIGTERM in the CLI). */
  readonly stop?: AbortSignal;
  /** Test hook: fail in this step on this worker at this element, on the first attempt only. */
  readonly failAt?: { readonly step: string; readonly worker: number; readonly element: number };
  /** Called once the job has started, with the port metrics are served on (the CLI prints it; tests scrape it). */
  readonly onStarted?: (info: { readonly metricsPort: number | null }) => void;
  /** Problems that do not stop the job (a source that could not record its positions); default: stderr. */
  readonly onWarning?: (message: string) => void;
  /** Called with each completed checkpoint (tests, the CLI's log). */
  readonly onCheckpoint?: (c: { readonly id: number; readonly path: string | null; readonly ms: number }) => void;
}

export interface StreamStageStats {
  readonly stage: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
}

export interface StreamRunSummary {
  readonly ms: number;
  readonly stages: readonly StreamStageStats[];
  readonly restarts: number;
  readonly checkpoints: number;
  readonly droppedLate: number;
  readonly droppedClosed: number;
  /** The savepoint taken when the job was stopped; null when it ran to its end. */
  readonly savepoint: string | null;
  /** Ms the sources spent waiting for exchange credits (backpressure), over all workers. */
  readonly blockedMs: number;
}
