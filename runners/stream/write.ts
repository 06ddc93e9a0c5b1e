import { type Instant, type Json, type ShardWriter, type SinkWriting } from "../../sdk/index.js";
import { type Bundle } from "../core/exec/bundle.js";
import { type Operator, stepError } from "../core/exec/operators/operator.js";

/** What a write pre-committed at a barrier or at its end. */
export interface PreCommit {
  /** Closed shards of a file (or other durable) sink, for its commit. */
  readonly pending: Json[];
  /** Elements of an in-process sink (memory.collect), which the coordinator writes on the main thread. */
  readonly staged: unknown[];
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * A write on the stream runner: each worker writes its own file per checkpoint epoch,
 * `part-c<checkpoint>-w<worker>` named after the checkpoint it follows, and closes it
 * (pre-commit) when the next barrier passes; the coordinator commits it once that checkpoint
 * is complete. A file is committed only with the checkpoint after it, and a run restored
 * from checkpoint n names its first file after n again, so nothing committed is written twice. In-process sinks (memory.collect) stage their
 * elements for the coordinator instead, since their results live on the main thread.
 */
export class StreamWriteOperator implements Operator {
  readonly droppedLate = 0;
  private writer: ShardWriter<unknown> | null = null;
  private staged: unknown[] = [];

  constructor(
    readonly step: string,
    private readonly writing: SinkWriting<unknown>,
    private readonly inProcess: boolean,
    private readonly worker: number,
    private readonly parallelism: number,
    /** The checkpoint after which the current file was opened (0: none yet). */
    private epoch: number,
  ) {}

  async process(_input: number, bundle: Bundle): Promise<void> {
    if (this.inProcess) {
      for (const v of bundle.values) this.staged.push(v);
      return;
    }
    try {
      this.writer ??= await this.writing.open({
        step: this.step,
        shard: this.worker,
        shards: this.parallelism,
        name: `part-c${pad(this.epoch, 10)}-w${pad(this.worker, 5)}`,
      });
      await this.writer.write(bundle.values);
    } catch (e) {
      throw stepError(this.step, e);
    }
  }

  async watermark(_input: number, _at: Instant): Promise<void> {}

  async processingTime(): Promise<void> {}

  /**
   * Closes the current file (or hands over the staged elements) at checkpoint `id`'s barrier;
   * the next file is named after it. Null: the end of input, after which nothing is written.
   */
  async preCommit(id: number | null): Promise<PreCommit> {
    if (id !== null) this.epoch = id;
    const staged = this.staged;
    this.staged = [];
    const writer = this.writer;
    this.writer = null;
    try {
      return { pending: writer ? [await writer.close()] : [], staged };
    } catch (e) {
      throw stepError(this.step, e, "pre-commit");
    }
  }

  /** Removes the file being written (the job is stopping without completing it). */
  async abort(): Promise<void> {
    await this.writer?.abort().catch(() => undefined);
    this.writer = null;
  }
}
