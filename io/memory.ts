import { type Instant, type Sink, type Source } from "../sdk/index.js";

// In-memory data for tests and examples. The graph records only kind "memory" and the
// element count; the values stay on the descriptor, outside the graph, because every
// worker rebuilds them by importing the pipeline module. Reading and collecting arrive
// with the local runner (issue #4).

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

/**
 * A bounded collection of `values` (copied, so later changes to the array do not change
 * the pipeline). A descriptor only: runners read it once the local runner lands (issue #4).
 */
function create<T>(values: readonly T[], options: MemoryCreateOptions = {}): MemorySource<T> {
  const { timestamps } = options;
  if (timestamps !== undefined && timestamps.length !== values.length)
    throw new RangeError(`memory.create: ${timestamps.length} timestamps for ${values.length} values (one per value)`);
  return Object.freeze({
    kind: "memory",
    bounded: true,
    params: Object.freeze({ count: values.length }),
    values: Object.freeze([...values]),
    timestamps: timestamps === undefined ? null : Object.freeze([...timestamps]),
  });
}

/**
 * Collects the elements into an in-process buffer named `id`, for tests to read after a
 * run. A descriptor only: runners fill the buffer once the local runner lands (issue #4).
 */
const collect = <T>(id: string): Sink<T> => Object.freeze({ kind: "memory", params: Object.freeze({ id }) });

export const memory = Object.freeze({ create, collect });
