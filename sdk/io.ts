import { type Json } from "./graph.js";
import { type RecordSchema } from "./schema.js";
import { type Duration, type Instant } from "./time.js";

/**
 * Where a pipeline's data comes from. The graph records kind, boundedness, parameters and
 * schema; `reading` is the side runners call, added by connectors in io/ (it never enters
 * the graph: every thread builds its own by importing the pipeline module).
 */
export interface Source<T> {
  readonly kind: string;
  readonly bounded: boolean;
  readonly params: Json;
  readonly schema?: RecordSchema;
  readonly reading?: SourceReading<T>;
  /** The read's maxDelay and idleTimeout when `p.read` does not give them (a Kafka source takes them as its own options). */
  readonly readDefaults?: { readonly maxDelay?: Duration; readonly idleTimeout?: Duration };
  /** Phantom: the element type. */
  readonly __element?: T;
}

/** Where a pipeline's results go; `writing` is the side runners call, added by connectors in io/. */
export interface Sink<T> {
  readonly kind: string;
  readonly params: Json;
  readonly writing?: SinkWriting<T>;
  readonly __element?: (value: T) => void;
}

export interface ReadOptions<T> {
  /** Event time of each element; without it, the source's own timestamps (or MIN). */
  readonly eventTime?: (value: T) => Instant;
  /** Bounded out-of-orderness: the watermark trails the max seen event time by this. */
  readonly maxDelay?: Duration;
  /** A partition with no data for this long stops holding the watermark back. */
  readonly idleTimeout?: Duration;
}

// ---- The reading side ----

/** A record a source could not read, with where it was and why: what a dead-letter output receives. */
export interface DeadLetter {
  /** The read step. */
  readonly step: string;
  /** The file, or topic and partition, the record came from. */
  readonly source: string;
  /** Where in it: "line 12", "row group 3", "offset 42", "batch 2". */
  readonly position: string;
  /** The raw record as text (cut at 64 KiB), or "" when there is no text form. */
  readonly record: string;
  /** The cause. */
  readonly error: string;
}

/** Thrown for a bad record when the read has no dead-letter output: the job fails with this message. */
export class BadRecordError extends Error {
  constructor(readonly bad: DeadLetter) {
    super(`step "${bad.step}": ${bad.source}, ${bad.position}: ${bad.error}`);
    this.name = "BadRecordError";
  }
}

export interface ReadContext {
  /** The read step's name, for messages. */
  readonly step: string;
  /**
   * Reports a bad record: to the dead-letter output when the read has one, else throws
   * BadRecordError. Readers call it and go on with the next record.
   */
  reject(bad: Omit<DeadLetter, "step">): void;
}

/** A part of a source read on its own: a file, a partition. Plain data. */
export interface SourceSplit {
  readonly id: string;
  readonly params: Json;
}

/** A run of values read from one split, in order. */
export interface ReadChunk<T> {
  readonly values: readonly T[];
  /** The source's own event time per value; absent: the source has none. */
  readonly timestamps?: readonly Instant[];
  /**
   * Where the split is after this chunk, for a source that resumes by position (a Kafka offset):
   * checkpoints record it and a restore passes it back to `read`. Absent: the runner counts
   * chunks and, on restore, reads the split again and skips as many (a deterministic source).
   */
  readonly position?: Json;
}

/** How a runner reads a source: split it, then read each split as chunks. */
export interface SourceReading<T> {
  splits(ctx: ReadContext): Promise<readonly SourceSplit[]>;
  /** `from`: the position of the last chunk a checkpoint recorded, to resume after; absent: from the start. */
  read(split: SourceSplit, ctx: ReadContext, from?: Json): AsyncIterable<ReadChunk<T>>;
  /**
   * Called on the main thread once a checkpoint is complete, with the positions it recorded for
   * this read's splits (a Kafka source commits them to its consumer group, for lag monitoring).
   * A failure here is reported and never fails the job: the checkpoint is the record.
   */
  checkpointed?(positions: readonly Json[]): Promise<void>;
  /** Called on the main thread when the job ends, after the last `checkpointed`: releases what that holds. */
  close?(): Promise<void>;
}

// ---- The writing side ----

export interface WriteContext {
  readonly step: string;
  /** This shard's index, from 0, and the number of shards. */
  readonly shard: number;
  readonly shards: number;
  /**
   * The shard's file name without suffix, when the runner names it: a streaming run rolls a
   * new file per worker and checkpoint (`part-c0000000012-w00001-s00000`), as no shard count
   * is known up front. Absent: `part-<shard>-of-<shards>`.
   */
  readonly name?: string;
}

/** One shard being written, to a temporary name until the sink commits it. */
export interface ShardWriter<T> {
  write(values: readonly T[]): Promise<void>;
  /** Completes the temporary output; returns what `commit` needs to publish it (plain data). */
  close(): Promise<Json>;
  /** Removes the temporary output. */
  abort(): Promise<void>;
}

/**
 * How a runner writes a sink, in two phases: shards are written under temporary names and
 * closed (pre-commit); `commit` publishes them all, so a failed job never leaves an output
 * that looks complete.
 */
export interface SinkWriting<T> {
  /** The number of shards: the sink's own setting, else the runner's suggestion. */
  shards(suggested: number): number;
  open(ctx: WriteContext): Promise<ShardWriter<T>>;
  /** Publishes closed shards (the values `close` returned); idempotent, so a restart may repeat it. */
  commit(pending: readonly Json[], ctx: { readonly step: string }): Promise<void>;
}
