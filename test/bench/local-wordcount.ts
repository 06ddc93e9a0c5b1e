import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import wordcount from "../../examples/wordcount.js";
import { runLocal } from "../../runners/local/index.js";
import { seededRandom } from "../support/random.js";
import { peakRss, timed } from "./measure.js";

/**
 * Word count on the local runner (issue #4) against a hand-written single-pass JS program
 * doing the same work: read the file, split words with the same pattern, count in a Map,
 * write `word<TAB>count` lines. Both in this process, on the same generated file.
 */

const WORD = /[\p{L}\p{N}']+/gu;

async function generate(dir: string, words: number, vocabulary: number, seed: number): Promise<string> {
  const random = seededRandom(seed);
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const vocab = Array.from({ length: vocabulary }, (_, i) => {
    let w = "";
    const n = 3 + Math.floor(random() * 8);
    for (let j = 0; j < n; j++) w += letters[Math.floor(random() * 26)];
    return i % 50 === 0 ? `${w}'s` : `${w}${i}`;
  });
  const file = join(dir, "input.txt");
  const out = createWriteStream(file);
  let line: string[] = [];
  for (let i = 0; i < words; i++) {
    const w = vocab[Math.floor(random() * vocabulary)]!;
    line.push(i % 7 === 0 ? w.toUpperCase() : w);
    if (line.length === 12 || i === words - 1) {
      if (!out.write(`${line.join(" ")}, said.\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      line = [];
    }
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return file;
}

/** The baseline: what a person would write by hand for this one job. */
async function handWritten(input: string, output: string): Promise<number> {
  const text = await readFile(input, "utf8");
  const counts = new Map<string, number>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const words = text.slice(start, end).toLowerCase().match(WORD);
    if (words) for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    start = end + 1;
  }
  const lines: string[] = [];
  for (const [w, n] of counts) lines.push(`${w}\t${n}`);
  await writeFile(output, `${lines.join("\n")}\n`);
  return counts.size;
}

async function readShards(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith("part-")).sort();
  const lines: string[] = [];
  for (const f of files) lines.push(...(await readFile(join(dir, f), "utf8")).split("\n").filter((l) => l !== ""));
  return lines.sort();
}

export async function runLocalWordcount(
  sizes: readonly number[] = [1_000_000, 10_000_000],
  parallelism = availableParallelism(),
): Promise<string> {
  const rows: string[] = [
    `word count, vocabulary 10,000, --parallelism=${parallelism} (median of 3 runs after a warm-up; wall time)`,
    "",
  ];
  rows.push("| words | beamline local | hand-written JS | ratio | peak RSS beamline | peak RSS hand-written |");
  rows.push("|---|---|---|---|---|---|");
  for (const words of sizes) {
    const dir = await mkdtemp(join(tmpdir(), "beamline-bench-wc-"));
    try {
      const input = await generate(dir, words, 10_000, 42);
      const options = { input, output: join(dir, "out-beamline") };
      const built = wordcount.build(options);
      const source = { module: fileURLToPath(new URL("../../examples/wordcount.ts", import.meta.url)), options };
      const ours = await timed(3, async () => {
        await rm(join(dir, "out-beamline"), { recursive: true, force: true });
        return peakRss(() => runLocal(built, { source, parallelism }));
      });
      const base = await timed(3, () => peakRss(() => handWritten(input, join(dir, "out-hand.txt"))));
      const same =
        JSON.stringify(await readShards(join(dir, "out-beamline"))) ===
        JSON.stringify(
          (await readFile(join(dir, "out-hand.txt"), "utf8"))
            .split("\n")
            .filter((l) => l !== "")
            .sort(),
        );
      if (!same) throw new Error(`word count of ${words} words: beamline's output differs from the hand-written program's`);
      rows.push(
        `| ${words.toLocaleString("en")} | ${ours.ms.toFixed(0)} ms | ${base.ms.toFixed(0)} ms | ${(ours.ms / base.ms).toFixed(2)}× | ${ours.rssMiB} MiB | ${base.rssMiB} MiB |`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  rows.push("", "ratio = beamline time / hand-written time (target ≤ 1.5×); outputs compared line for line.");
  return rows.join("\n");
}
