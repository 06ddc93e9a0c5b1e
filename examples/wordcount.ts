// Word count: the "hello world" of pipelines. Words are maximal runs of letters, digits
// and apostrophes, lower-cased; the output has one `word<TAB>count` line per word.
import { z } from "zod";
import { Pipeline } from "../sdk/index.js";
import { text } from "../io/index.js";
import { count, flatMap, map } from "../transforms/index.js";

const Options = z.object({
  input: z.string().describe("glob of text files to read (.gz is decompressed)"),
  output: z.string().describe("directory the result shards are written to"),
});

const WORD = /[\p{L}\p{N}']+/gu;

export default Pipeline.define("wordcount", Options, (p, opts) =>
  p
    .read("ReadLines", text.lines(opts.input))
    .pipe(
      flatMap((line) => line.toLowerCase().match(WORD) ?? [], "ExtractWords"),
      count.perElement("CountWords"),
      map(({ key, value }) => `${key}\t${value}`, "Format"),
    )
    .write("WriteCounts", text.write(opts.output)),
);
