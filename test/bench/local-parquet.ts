import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { z } from "zod";
import { parquet, text } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import { type KV, Pipeline, kv } from "../../sdk/index.js";
import { map, sum } from "../../transforms/index.js";
import { peakRss, timed } from "./measure.js";

/**
 * Group-by-sum of rows read from Parquet on the local runner (issue #4) against the same
 * SQL run directly in DuckDB, both writing `key<TAB>sum` lines, in this process. Also the
 * same pipeline with a map between the read and the sum, so that the rows do go through JS.
 */

const Row = z.object({ key: z.string(), value: z.number() });
const Options = z.object({ input: z.string(), output: z.string(), throughJs: z.boolean() });

const groupSum = Pipeline.define("parquet-group-sum", Options, (p, o) => {
  const rows = p.read("Read", parquet.files(o.input, Row));
  const keyed = o.throughJs ? rows.pipe(map((r: z.output<typeof Row>) => kv(r.key, r.value), "Key")) : rows;
  return (keyed as typeof rows & { __element: KV<string, number> })
    .pipe(
      sum.perKey("Sum"),
      map(({ key, value }: KV<string, number>) => `${key}\t${value}`, "Format"),
    )
    .write("Write", text.write(o.output));
});

async function generate(file: string, rows: number, keys: number): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run(
    `COPY (SELECT 'k' || (hash(i) % ${keys})::VARCHAR AS key, ((i * 7919) % 10007)::DOUBLE / 8 AS value FROM range(${rows}) t(i)) ` +
      `TO '${file}' (FORMAT parquet)`,
  );
  c.closeSync();
  db.closeSync();
}

/** The baseline: the query a person would run in DuckDB, with its result written out the same way. */
async function rawDuckDb(file: string, output: string): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const result = await c.runAndReadAll(`SELECT key, sum(value) FROM read_parquet('${file}') GROUP BY key`);
  const lines = result.getRows().map(([k, v]) => `${String(k)}\t${Number(v)}`);
  await writeFile(output, `${lines.join("\n")}\n`);
  c.closeSync();
  db.closeSync();
}

const sorted = async (dir: string): Promise<string[]> => {
  const lines: string[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.startsWith("part-")))
    lines.push(...(await readFile(join(dir, f), "utf8")).split("\n").filter((l) => l !== ""));
  return lines.sort();
};

export async function runLocalParquet(rows = 10_000_000, keys = 10_000): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "beamline-bench-parquet-"));
  try {
    const input = join(dir, "rows.parquet");
    await generate(input, rows, keys);
    const run = (throughJs: boolean, out: string) => async () => {
      await rm(join(dir, out), { recursive: true, force: true });
      const options = { input, output: join(dir, out), throughJs };
      return peakRss(() => runLocal(groupSum.build(options), {}));
    };
    const ours = await timed(3, run(false, "out-pushdown"));
    const base = await timed(3, () => peakRss(() => rawDuckDb(input, join(dir, "out-raw.txt"))));
    const js = await timed(1, run(true, "out-js"));
    const raw = (await readFile(join(dir, "out-raw.txt"), "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .sort();
    const close = (a: string[], b: string[]) =>
      a.length === b.length &&
      a.every((l, i) => {
        const [k1, v1] = l.split("\t");
        const [k2, v2] = b[i]!.split("\t");
        return k1 === k2 && Math.abs(Number(v1) - Number(v2)) <= 1e-9 * Math.abs(Number(v2));
      });
    if (!close(await sorted(join(dir, "out-pushdown")), raw) || !close(await sorted(join(dir, "out-js")), raw))
      throw new Error("parquet group-by-sum: beamline's output differs from DuckDB's");
    return [
      `group-by-sum of ${rows.toLocaleString("en")} Parquet rows, ${keys.toLocaleString("en")} keys (median of 3 runs after a warm-up; wall time)`,
      "",
      "| job | time | vs raw DuckDB | peak RSS |",
      "|---|---|---|---|",
      `| beamline local (read → sum.perKey, pushed down to DuckDB) | ${ours.ms.toFixed(0)} ms | ${(ours.ms / base.ms).toFixed(2)}× | ${ours.rssMiB} MiB |`,
      `| raw DuckDB (the same SQL, same process) | ${base.ms.toFixed(0)} ms | 1.00× | ${base.rssMiB} MiB |`,
      `| beamline local, rows through JS (a map before the sum; 1 run) | ${js.ms.toFixed(0)} ms | ${(js.ms / base.ms).toFixed(2)}× | ${js.rssMiB} MiB |`,
      "",
      "target: the Parquet job within 1.5× of raw DuckDB; outputs compared key by key (sums to 1e-9 relative).",
    ].join("\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
