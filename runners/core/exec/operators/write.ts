import { Instant, type Json, type ShardWriter, type SinkWriting } from "../../../../sdk/index.js";
import { type Bundle } from "../bundle.js";
import { type Operator, stepError } from "./operator.js";

/**
 * A write: elements go round-robin to the sink's shards, each written under a temporary
 * name; at the end of input the shards are closed (pre-commit). The runner commits every
 * write only once the whole job has succeeded, and aborts them all if it fails.
 */
export class WriteOperator implements Operator {
  readonly droppedLate = 0;
  private writers: ShardWriter<unknown>[] | null = null;
  private pending: Json[] | null = null;
  private next = 0;
  private readonly shards: number;

  constructor(
    readonly step: string,
    private readonly writing: SinkWriting<unknown>,
    suggestedShards: number,
  ) {
    this.shards = writing.shards(suggestedShards);
  }

  async process(_input: number, bundle: Bundle): Promise<void> {
    const writers = await this.open();
    try {
      if (writers.length === 1) await writers[0]!.write(bundle.values);
      else {
        const parts: unknown[][] = writers.map(() => []);
        for (const v of bundle.values) {
          parts[this.next]!.push(v);
          this.next = (this.next + 1) % writers.length;
        }
        for (let s = 0; s < writers.length; s++) if (parts[s]!.length > 0) await writers[s]!.write(parts[s]!);
      }
    } catch (e) {
      throw stepError(this.step, e);
    }
  }

  async watermark(_input: number, at: Instant): Promise<void> {
    if (at !== Instant.MAX) return;
    const writers = await this.open();
    try {
      this.pending = [];
      for (const w of writers) this.pending.push(await w.close());
    } catch (e) {
      throw stepError(this.step, e);
    }
  }

  async processingTime(): Promise<void> {}

  /** Publishes the closed shards; called once the job has succeeded. */
  async commit(): Promise<void> {
    if (!this.pending) throw stepError(this.step, new Error("internal: commit before the input ended"));
    try {
      await this.writing.commit(this.pending, { step: this.step });
    } catch (e) {
      throw stepError(this.step, e, "commit");
    }
  }

  /** Removes temporary output after a failure. */
  async abort(): Promise<void> {
    for (const w of this.writers ?? []) await w.abort().catch(() => undefined);
  }

  private async open(): Promise<ShardWriter<unknown>[]> {
    if (this.writers) return this.writers;
    const writers: ShardWriter<unknown>[] = [];
    this.writers = writers;
    try {
      for (let shard = 0; shard < this.shards; shard++)
        writers.push(await this.writing.open({ step: this.step, shard, shards: this.shards }));
    } catch (e) {
      throw stepError(this.step, e, "opening the output");
    }
    return writers;
  }
}
