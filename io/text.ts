import { type ReadChunk, type ReadContext, type Sink, type Source } from "../sdk/index.js";
import {
  Chunker,
  checkShards,
  fileSinkWriting,
  isCorruptInput,
  messageOf,
  perFileReading,
  readLines,
  textOutput,
} from "./files.js";

// Text files: one element per line. The graph records kind "text" and the parameters below;
// files ending in .gz are read and written gzipped.

/** Options of `text.write`. */
export interface TextWriteOptions {
  /** Number of output files; omitted, the runner chooses (one per writing worker). */
  readonly shards?: number;
  /** File name suffix of each shard; ending in ".gz" gzips the shards. */
  readonly suffix?: string;
}

/**
 * Every line of every file matching `glob` (relative paths resolve against the working
 * directory of the run), as one bounded collection of strings without line endings
 * ("\n" or "\r\n"). One split per file; files stream, so their size does not matter.
 */
function lines(glob: string): Source<string> {
  return Object.freeze({
    kind: "text",
    bounded: true,
    params: Object.freeze({ glob }),
    reading: perFileReading(`text.lines("${glob}")`, glob, readText),
  });
}

async function* readText(file: string, ctx: ReadContext): AsyncGenerator<ReadChunk<string>> {
  const chunks = new Chunker<string>();
  let line = 0;
  try {
    for await (const batch of readLines(file)) {
      line += batch.length;
      for (const l of batch) chunks.push(l);
      if (chunks.full) yield chunks.take()!;
    }
  } catch (e) {
    if (!isCorruptInput(e)) throw e;
    // A damaged .gz: what came before the damage is read, the rest is one bad record.
    ctx.reject({ source: file, position: `line ${line + 1}`, record: "", error: `cannot decompress: ${messageOf(e)}` });
  }
  const rest = chunks.take();
  if (rest) yield rest;
}

/** One line per element into `dir`, as shards named `part-00000-of-00003<suffix>`. */
function write(dir: string, options: TextWriteOptions = {}): Sink<string> {
  const { suffix = ".txt" } = options;
  const shards = checkShards(`text.write("${dir}")`, options.shards);
  return Object.freeze({
    kind: "text",
    params: Object.freeze({ dir, shards: shards, suffix }),
    writing: fileSinkWriting<string>({
      label: `text.write("${dir}")`,
      dir,
      suffix,
      shards: shards,
      open: (temp) => textOutput(temp, suffix.endsWith(".gz"), encodeLines),
    }),
  });
}

const encodeLines = (values: readonly string[]): string => (values.length === 0 ? "" : `${values.join("\n")}\n`);

export const text = Object.freeze({ lines, write });
