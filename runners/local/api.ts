import { type Clock } from "../core/clock.js";
import { type StageInfo } from "../core/exec/plan.js";

/** How to run a pipeline on the local runner. */
export interface LocalRunOptions {
  /** Workers for CPU-heavy DoFn stages; default: the number of cores. 1 runs everything on this thread. */
  readonly parallelism?: number;
  /** DuckDB's memory limit, as DuckDB spells it ("2GB", "512MiB"); default DuckDB's (80% of RAM). */
  readonly memoryLimit?: string;
  /** Where DuckDB spills when over its memory limit; default a fresh directory under the OS temp dir. */
  readonly tempDir?: string;
  /** Progress and summary; the CLI draws them. */
  readonly observer?: RunObserver;
  /**
   * The module the pipeline came from and the options it was built with, so that workers can
   * build it again: without it, every DoFn runs on this thread.
   */
  readonly source?: { readonly module: string; readonly options: unknown };
  /** Processing time; default the system clock. TestStream sources always use a manual clock. */
  readonly clock?: Clock;
}

export type { StageInfo } from "../core/exec/plan.js";

export interface StageStats {
  readonly stage: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  /** Wall time from the stage's first input to its end, in ms. */
  readonly ms: number;
}

export interface RunSummary {
  readonly stages: readonly StageStats[];
  readonly ms: number;
  /** Elements dropped as too late, over all grouping steps. */
  readonly droppedLate: number;
  /** Elements dropped because their window had closed (its trigger finished) before they came. */
  readonly droppedClosed: number;
  /** Bad records sent to dead-letter outputs. */
  readonly deadLetters: number;
}

/** What the runner reports while it runs; every method is optional. */
export interface RunObserver {
  planned?(stages: readonly StageInfo[]): void;
  /** Called at most every 100 ms with the counts so far. */
  progress?(stats: readonly StageStats[]): void;
  finished?(summary: RunSummary): void;
}
