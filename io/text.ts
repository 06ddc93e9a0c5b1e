import { type Sink, type Source } from "../sdk/index.js";

// Text files as descriptors. The graph records kind "text" and these parameters; the
// reading and writing side arrives with the local runner (issue #4). Until then a
// pipeline that uses them can be built and explained, not run.

/** Options of `text.write`. */
export interface TextWriteOptions {
  /** Number of output files; omitted, the runner chooses (one per writing worker). */
  readonly shards?: number;
  /** File name suffix of each shard. */
  readonly suffix?: string;
}

/**
 * Every line of every file matching `glob` (relative paths resolve against the working
 * directory of the run), as one bounded collection of strings without line endings.
 * A descriptor only: runners read it once the local runner lands (issue #4).
 */
const lines = (glob: string): Source<string> => Object.freeze({ kind: "text", bounded: true, params: Object.freeze({ glob }) });

/**
 * One line per element into `dir`, as shards named `part-00000-of-00003<suffix>`.
 * A descriptor only: runners write it once the local runner lands (issue #4).
 */
function write(dir: string, options: TextWriteOptions = {}): Sink<string> {
  const { shards, suffix = ".txt" } = options;
  if (shards !== undefined && !(Number.isInteger(shards) && shards > 0))
    throw new RangeError(`text.write("${dir}"): shards must be a positive whole number, got ${shards}`);
  return Object.freeze({ kind: "text", params: Object.freeze({ dir, shards: shards ?? null, suffix }) });
}

export const text = Object.freeze({ lines, write });
