import fs from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import wordcount from "../../examples/wordcount.js";
import { runLocal } from "../../runners/local/index.js";
import { type StepRuntime, isPipelineDefinition } from "../../sdk/index.js";
import { seededRandom } from "../support/random.js";
import { runCli, shardLines, tempDir } from "./support.js";

describe("examples/wordcount.ts", () => {
  test("is a pipeline module whose graph reads, counts per word and writes", () => {
    expect(isPipelineDefinition(wordcount)).toBe(true);
    const { graph } = wordcount.buildFromArgs(["--input=in/*.txt", "--output=out"]);
    expect(graph.steps.map((s) => `${s.name}:${s.transform}`)).toEqual([
      "ReadLines:read",
      "ExtractWords:flatMap",
      "CountWords/Pair:map",
      "CountWords/Count:count.perKey",
      "Format:map",
      "WriteCounts:write",
    ]);
  });

  test("splits words as maximal runs of letters, digits and apostrophes, lower-cased", () => {
    const { runtime } = wordcount.buildFromArgs(["--input=x", "--output=y"]);
    const extract = runtime.get("ExtractWords") as Extract<StepRuntime, { kind: "parDo" }>;
    const out: unknown[] = [];
    const ctx = { output: (v: unknown) => out.push(v) } as unknown as Parameters<typeof extract.doFn.process>[1];
    void extract.doFn.process("Don't PANIC: 42 towels, café-au-lait!", ctx);
    expect(out).toEqual(["don't", "panic", "42", "towels", "café", "au", "lait"]);
  });
});

/** Word counts worked out here, character by character, independently of the example's regular expression. */
function countWords(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const wordChar = /^[\p{L}\p{N}']$/u;
  for (const text of texts) {
    let word = "";
    for (const ch of `${text.toLowerCase()}\n`) {
      if (wordChar.test(ch)) word += ch;
      else if (word !== "") {
        counts.set(word, (counts.get(word) ?? 0) + 1);
        word = "";
      }
    }
  }
  return counts;
}

/** `word<TAB>count` lines as a map; fails on a malformed line or a word given twice. */
function parseCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const m = /^([^\t]+)\t(\d+)$/.exec(line);
    if (!m) throw new Error(`not a "word<TAB>count" line: ${JSON.stringify(line)}`);
    if (counts.has(m[1]!)) throw new Error(`word ${JSON.stringify(m[1])} appears twice`);
    counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}

const VOCABULARY = [
  "The",
  "cat",
  "CAT's",
  "hat",
  "don't",
  "naïve",
  "Café",
  "über",
  "42",
  "x1",
  "o'clock",
  "東京",
  "ünïcödé",
  "a",
];
const PUNCTUATION = [" ", "  ", ", ", ". ", "! ", " - ", "\t", ": ", "(", ") ", "—", '"', "…"];

/** Lines of seeded random words and punctuation: enough of them that reading takes several chunks. */
function randomText(seed: number, lines: number): string {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(rnd() * 12);
    let line = "";
    for (let w = 0; w < n; w++) line += pick(VOCABULARY) + pick(PUNCTUATION);
    out.push(line);
  }
  return `${out.join("\n")}\n`;
}

/** A directory of inputs: plain text, CRLF line ends, no final newline, an empty file, a gzipped file, a big file. */
async function writeInputs(dir: string): Promise<string[]> {
  const files: [string, string][] = [
    ["a.txt", "The cat sat on the mat.\nThe cat's hat!\n\n"],
    ["b.txt", "Don't PANIC: 42 towels,\r\ncafé-au-lait and CAFÉ\r\nno final newline"],
    ["empty.txt", ""],
    ["c.txt.gz", "Gzipped words: the the THE cat\nzebra's 2015-05-17\n"],
    ["big.txt", randomText(7, 20_000)],
  ];
  await fs.mkdir(path.join(dir, "in"));
  for (const [name, text] of files) await fs.writeFile(path.join(dir, "in", name), name.endsWith(".gz") ? gzipSync(text) : text);
  return files.map(([, text]) => text);
}

describe("examples/wordcount.ts on the local runner", () => {
  test("counts every word of every file (including a .gz) exactly, one `word<TAB>count` line per word", async () => {
    const dir = await tempDir();
    const texts = await writeInputs(dir);
    const out = path.join(dir, "out");
    const summary = await runLocal(wordcount.buildFromArgs([`--input=${path.join(dir, "in", "*")}`, `--output=${out}`]), {
      parallelism: 1,
    });
    const shards = await shardLines(out);
    expect(shards).toHaveLength(1);
    const expected = countWords(texts);
    expect(parseCounts(shards.flat())).toEqual(expected);
    expect(expected.get("the")).toBeGreaterThan(1000); // the big file really was read
    expect(expected.get("zebra's")).toBe(1); // and so was the gzipped one
    const lines = texts.reduce((n, t) => n + (t === "" ? 0 : t.replace(/\n$/, "").split("\n").length), 0);
    expect(summary.stages[0]).toMatchObject({ rowsIn: lines });
    expect(summary.stages.at(-1)).toMatchObject({ rowsOut: expected.size });
  });

  test("through the CLI (`beamline run examples/wordcount.ts`), the same counts and a summary on stderr", async () => {
    const dir = await tempDir();
    const texts = await writeInputs(dir);
    const out = path.join(dir, "out");
    const r = await runCli(["run", "examples/wordcount.ts", `--input=${path.join(dir, "in", "*")}`, `--output=${out}`]);
    expect(r.stderr).toContain("total: ");
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(parseCounts((await shardLines(out)).flat())).toEqual(countWords(texts));
  });

  test("an input glob that matches nothing fails the run naming the glob, and writes no output", async () => {
    const dir = await tempDir();
    const glob = path.join(dir, "nothing-here", "*.txt");
    await expect(runLocal(wordcount.buildFromArgs([`--input=${glob}`, `--output=${path.join(dir, "out")}`]))).rejects.toThrow(
      `no file matches "${glob}"`,
    );
    await expect(fs.readdir(path.join(dir, "out")).catch(() => [])).resolves.toEqual([]);
  });
});
