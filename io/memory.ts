import { randomUUID } from "node:crypto";
import {
  type Instant,
  type Json,
  type ReadChunk,
  type Sink,
  type SinkWriting,
  type Source,
  type SourceReading,
  type WriteContext,
} from "../sdk/index.js";

// In-memory data for tests and examples. The graph records only kind "memory" and the
// element count (or the collection id); the values stay on the descriptor, outside the
// graph, because every worker rebuilds them by importing the pipeline module.

/** Values per chunk when reading a memory source. */
const MEMORY_CHUNK = 65536;

/** A bounded source of the given values; `values` and `timestamps` are not part of the graph. */
export interface MemorySource<T> extends Source<T> {
  readonly values: readonly T[];
  /** Event time of each value, index for index; null: the source gives no timestamps. */
  readonly timestamps: readonly Instant[] | null;
}

export interface MemoryCreateOptions {
  /** Event time of each value, index for index (Beam's Create.timestamped). */
  readonly timestamps?: readonly Instant[];
}

/** A bounded collection of `values` (copied, so later changes to the array do not change the pipeline). */
function create<T>(values: readonly T[], options: MemoryCreateOptions = {}): MemorySource<T> {
  const { timestamps } = options;
  if (timestamps !== undefined && timestamps.length !== values.length)
    throw new RangeError(`memory.create: ${timestamps.length} timestamps for ${values.length} values (one per value)`);
  const frozenValues = Object.freeze([...values]);
  const frozenTimestamps = timestamps === undefined ? null : Object.freeze([...timestamps]);
  return Object.freeze({
    kind: "memory",
    bounded: true,
    params: Object.freeze({ count: values.length }),
    values: frozenValues,
    timestamps: frozenTimestamps,
    reading: memoryReading(frozenValues, frozenTimestamps),
  });
}

function memoryReading<T>(values: readonly T[], timestamps: readonly Instant[] | null): SourceReading<T> {
  return Object.freeze({
    splits: async () => [Object.freeze({ id: "memory", params: Object.freeze({ count: values.length }) })],
    async *read(): AsyncGenerator<ReadChunk<T>> {
      for (let at = 0; at < values.length; at += MEMORY_CHUNK) {
        const end = at + MEMORY_CHUNK;
        yield timestamps
          ? { values: values.slice(at, end), timestamps: timestamps.slice(at, end) }
          : { values: values.slice(at, end) };
      }
    },
  });
}

// ---- Collecting ----

// This process's collections. Shards stage their values under a token until commit, so a
// failed run publishes nothing; tokens already committed make a repeated commit a no-op.
const staged = new Map<string, unknown[]>();
const committedTokens = new Set<string>();
const results = new Map<string, readonly unknown[]>();

/**
 * Collects the elements into an in-process collection named `id`, read with
 * `memory.results(id)` once the run has committed it: the values of shard 0, then shard 1, ...
 * Writers and commit must run in this process's main thread (or the thread that reads the results).
 */
function collect<T>(id: string): Sink<T> {
  return Object.freeze({ kind: "memory", params: Object.freeze({ id }), writing: collectWriting<T>(id) });
}

function collectWriting<T>(id: string): SinkWriting<T> {
  return Object.freeze({
    shards: (suggested: number) => Math.max(1, suggested),
    async open({ shard }: WriteContext) {
      const token = randomUUID();
      const values: T[] = [];
      staged.set(token, values);
      return {
        async write(chunk: readonly T[]) {
          if (!staged.has(token)) throw new Error(`memory.collect("${id}"): write on shard ${shard} after close or abort`);
          for (const v of chunk) values.push(v);
        },
        close: async (): Promise<Json> => ({ id, shard, token }),
        async abort() {
          staged.delete(token);
        },
      };
    },
    async commit(pending: readonly Json[]) {
      const shards = pending.map((p) => pendingShard(id, p)).sort((a, b) => a.shard - b.shard);
      if (shards.length > 0 && shards.every((s) => committedTokens.has(s.token))) return;
      const lost = shards.filter((s) => !staged.has(s.token));
      if (lost.length > 0)
        throw new Error(
          `memory.collect("${id}"): shard ${lost.map((s) => s.shard).join(", ")} was not written in this thread (or was aborted)`,
        );
      results.set(id, Object.freeze(shards.flatMap((s) => staged.get(s.token) ?? [])));
      for (const s of shards) {
        staged.delete(s.token);
        committedTokens.add(s.token);
      }
    },
  });
}

function pendingShard(id: string, p: Json): { shard: number; token: string } {
  const { shard, token } = (p ?? {}) as { shard?: Json; token?: Json };
  if (typeof shard !== "number" || typeof token !== "string")
    throw new TypeError(`memory.collect("${id}"): commit got ${JSON.stringify(p)}, not a closed shard`);
  return { shard, token };
}

/** The elements a run committed to `memory.collect(id)`; throws if no run has. */
function resultsOf<T>(id: string): T[] {
  const values = results.get(id);
  if (values === undefined) throw new Error(`memory.results("${id}"): nothing was committed to memory.collect("${id}")`);
  return [...(values as readonly T[])];
}

/** Forgets collection `id`, or every collection. */
function clear(id?: string): void {
  if (id === undefined) results.clear();
  else results.delete(id);
}

export const memory = Object.freeze({ create, collect, results: resultsOf, clear });
