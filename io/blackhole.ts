import { type Json, type ShardWriter, type Sink, type SinkWriting } from "../sdk/index.js";

// A sink that accepts every element and keeps none (Flink's `blackhole` connector): for
// benchmarks, where the work up to the write is what is measured, not the output.

const WRITER: ShardWriter<unknown> = Object.freeze({
  write: async () => {},
  close: async (): Promise<Json> => null,
  abort: async () => {},
});

const WRITING: SinkWriting<unknown> = Object.freeze({
  // As many shards as the runner suggests, so the write never narrows the job's parallelism.
  shards: (suggested: number) => suggested,
  open: async () => WRITER,
  commit: async () => {},
});

/** Drops every element; runners still count what reaches it. */
function blackhole(): Sink<unknown> {
  return Object.freeze({ kind: "blackhole", params: null, writing: WRITING });
}

export { blackhole };
