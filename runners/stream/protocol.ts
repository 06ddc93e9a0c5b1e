import { type MessagePort } from "node:worker_threads";
import { type Json } from "../../sdk/index.js";

/**
 * Where one source split is: chunks already emitted (read again and skipped on restore), the
 * position of the last chunk for a source that resumes by position, or done.
 */
export type SplitPosition = number | "done" | { readonly at: Json };

/** Where each source split of a read is, by split index. */
export type SplitPositions = Readonly<Record<string, SplitPosition>>;

/** The state a worker starts from: every former worker's snapshot of each step (each keeps its key groups), and split positions. */
export interface RestoreState {
  readonly checkpoint: number;
  readonly states: Readonly<Record<string, readonly Uint8Array[]>>;
  readonly sources: Readonly<Record<string, SplitPositions>>;
}

/** The task each pool thread runs for the whole job. */
export interface WorkerInit {
  readonly module: string;
  readonly options: unknown;
  readonly hash: string;
  readonly worker: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly bufferTimeoutMs: number;
  readonly control: MessagePort;
  /** A port to every other worker (null at this worker's own index). */
  readonly peers: readonly (MessagePort | null)[];
  readonly restore: RestoreState | null;
  /** Test hook: throw in this step at this element count (a worker failure the runner must recover from). */
  readonly failAt?: { readonly step: string; readonly worker: number; readonly element: number } | null;
}

/** One worker's part of a checkpoint. */
export interface WorkerAck {
  readonly type: "ack";
  readonly id: number;
  readonly worker: number;
  readonly states: Record<string, Uint8Array>;
  readonly sources: Record<string, Record<string, SplitPosition>>;
  /** Closed shards (pre-committed) per write step. */
  readonly pending: Record<string, Json[]>;
  /** Elements for in-process sinks (memory.collect), encoded bundles per write step. */
  readonly staged: Record<string, Uint8Array[]>;
  /** Every step of this worker had finished: its closing pre-commit (sent with "done") belongs to this checkpoint. */
  readonly finished: boolean;
}

export interface StageCounts {
  readonly step: string;
  readonly rowsIn: number;
  /** Elements the step emitted, per output collection (the coordinator counts stage rows from these). */
  readonly outputs: Readonly<Record<string, number>>;
  readonly droppedLate: number;
  readonly droppedClosed: number;
  readonly watermark: number;
}

export type WorkerMessage =
  | WorkerAck
  | {
      readonly type: "done";
      readonly worker: number;
      readonly pending: Record<string, Json[]>;
      readonly staged: Record<string, Uint8Array[]>;
    }
  | { readonly type: "stats"; readonly worker: number; readonly steps: readonly StageCounts[]; readonly blockedMs: number };

export type CoordinatorMessage = { readonly type: "checkpoint"; readonly id: number } | { readonly type: "stop" };
