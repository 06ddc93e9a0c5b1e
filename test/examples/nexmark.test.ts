import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runLocal } from "../../runners/local/index.js";
import { runStream } from "../../runners/stream/index.js";
import { type PipelineDefinition } from "../../sdk/index.js";
import nexmarkParquet from "./nexmark-parquet.js";
import { type NexmarkQuery, type Row, sqlAnswers } from "./nexmark-sql.js";
import { REPO_ROOT } from "./support.js";

// Every Nexmark query but Q12, on a bounded run, gives the same rows on the local runner, on
// the stream runner (parallelism 2) and in DuckDB SQL over the same events written to Parquet
// (nexmark-sql.ts, written from the spec's definitions). Rows are compared as JSON values with
// their keys in a canonical order, as sorted lists: nothing else is normalised.
//
// 500,000 events, not 1,000,000: at 1M this file took 118 s on the 2-core machine (24 runs plus
// the comparisons), too close to the 3-minute budget once other test files share the cores; at
// 500k it takes about 75 s. BEAMLINE_NEXMARK_EVENTS=1000000 runs it at 1M by hand.
const N = Number(process.env.BEAMLINE_NEXMARK_EVENTS ?? 500_000);

/** Rows each query must give at N events (well below what it gives: about half), so that an empty answer cannot pass. */
const MIN_ROWS: Record<Exclude<NexmarkQuery, "q12">, number> = {
  q0: 0.9 * N,
  q1: 0.9 * N,
  q2: 1500,
  q3: 1500,
  q4: 30,
  q5: 20,
  q6: 7000,
  q7: 5, // one window of 10 s per 100,000 events, and at least one bid at each window's max
  q8: 12_000,
  q9: 7000,
  q11: 6000,
};

const QUERIES = Object.keys(MIN_ROWS) as (keyof typeof MIN_ROWS)[];

let dir = "";

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "beamline-nexmark-"));
  const built = nexmarkParquet.build({ events: N, dir: path.join(dir, "tables") });
  const module = path.join(import.meta.dirname, "nexmark-parquet.ts");
  await runLocal(built, { parallelism: 2, source: { module, options: built.options } });
}, 120_000);

afterAll(async () => {
  if (dir !== "") await fs.rm(dir, { recursive: true, force: true });
});

/** A JSON value with every object's keys sorted, as text: equal values give equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Row)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/**
 * The rows as canonical text, sorted. A flat row (every row here) is stringified with its own
 * keys sorted as the replacer list, which is canonical() at a fraction of the cost; the
 * sorted list is reused while rows come with the same keys in the same order.
 */
function sorted(rows: readonly Row[]): string[] {
  let order = "";
  let keys: string[] = [];
  return rows
    .map((r) => {
      const own = Object.keys(r);
      if (own.some((k) => typeof r[k] === "object" && r[k] !== null)) return canonical(r);
      const joined = own.join("\0");
      if (joined !== order) [order, keys] = [joined, own.sort()];
      return JSON.stringify(r, keys);
    })
    .sort();
}

/** Every row of every published shard in `dir` (local shards are part-NNNNN-of-NNNNN, stream ones part-c…-w…). */
async function outputRows(out: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const name of (await fs.readdir(out)).filter((n) => n.startsWith("part-")).sort())
    for (const line of (await fs.readFile(path.join(out, name), "utf8")).split("\n"))
      if (line !== "") rows.push(JSON.parse(line) as Row);
  return rows;
}

/** Asserts equal sorted row lists; on a difference, shows a few rows found on one side only. */
function expectSameRows(what: string, actual: readonly string[], expected: readonly string[]): void {
  if (actual.length === expected.length && actual.every((r, i) => r === expected[i])) return;
  const left = new Map<string, number>();
  for (const r of expected) left.set(r, (left.get(r) ?? 0) + 1);
  const extra: string[] = [];
  for (const r of actual) {
    const n = left.get(r) ?? 0;
    if (n === 0) extra.push(r);
    else left.set(r, n - 1);
  }
  const missing = [...left].flatMap(([r, n]) => Array<string>(n).fill(r));
  expect.soft({ what, rows: actual.length, extra: extra.slice(0, 5), missing: missing.slice(0, 5) }).toEqual({
    what,
    rows: expected.length,
    extra: [],
    missing: [],
  });
}

/** The query module's output directory after a bounded run of N events on `runner`, and each stage's [rows in, rows out]. */
async function runQuery(q: NexmarkQuery, runner: "local" | "stream"): Promise<{ output: string; rows: number[][] }> {
  const module = path.join(REPO_ROOT, "examples/nexmark", `${q}.ts`);
  const def = (await import(module)) as { default: PipelineDefinition };
  const output = path.join(dir, q, runner);
  // On the stream runner, every other query has each generator in its own worker thread (as the
  // benchmark runs them), the rest generate in the runner's workers: both ways are checked, and
  // the thread starts (about half a second a run under tsx) are paid only half the time.
  const threaded = runner === "stream" && QUERIES.indexOf(q as (typeof QUERIES)[number]) % 2 === 0;
  const built = def.default.buildFromArgs({ events: N, output, generatorThread: threaded });
  const source = { module, options: built.options };
  if (runner === "local") {
    const summary = await runLocal(built, { parallelism: 2, source });
    return { output, rows: summary.stages.map((s) => [s.rowsIn, s.rowsOut]) };
  }
  const summary = await runStream(built, { parallelism: 2, source });
  // A restart would hide a failure behind a slower run; the read stage takes in every event.
  expect(summary.restarts, `${q} restarted on the stream runner`).toBe(0);
  expect(summary.stages[0]).toMatchObject({ rowsIn: N });
  return { output, rows: summary.stages.map((s) => [s.rowsIn, s.rowsOut]) };
}

describe(`Nexmark queries over ${N.toLocaleString("en")} events: local = stream = DuckDB`, () => {
  test.each(QUERIES)(
    "%s",
    async (q) => {
      const expected = sorted((await sqlAnswers(path.join(dir, "tables"), [q]))[q]);
      expect(expected.length).toBeGreaterThanOrEqual(MIN_ROWS[q]);
      const onLocal = await runQuery(q, "local");
      expectSameRows(`${q} local vs SQL`, sorted(await outputRows(onLocal.output)), expected);
      const onStream = await runQuery(q, "stream");
      expectSameRows(`${q} stream vs SQL`, sorted(await outputRows(onStream.output)), expected);
      // Both runners' summaries count the same rows into and out of each stage, the last one's out being the rows written.
      expect(onStream.rows, `${q}: rows in and out per stage, stream vs local`).toEqual(onLocal.rows);
      expect(onStream.rows.at(-1)![1]).toBe(expected.length);
      await fs.rm(path.join(dir, q), { recursive: true, force: true });
    },
    120_000,
  );

  test("q3 on the stream runner, a worker failing mid-run: restored from its last checkpoint, the same rows", async () => {
    // The generators (in their own threads) resume at the checkpointed positions and the join's
    // state is restored: a row lost or written twice would show against the SQL answer.
    const expected = sorted((await sqlAnswers(path.join(dir, "tables"), ["q3"])).q3);
    const module = path.join(REPO_ROOT, "examples/nexmark/q3.ts");
    const def = (await import(module)) as { default: PipelineDefinition };
    const output = path.join(dir, "q3-failed");
    const built = def.default.buildFromArgs({ events: N, output, generatorThread: true });
    const warnings: string[] = [];
    const summary = await runStream(built, {
      parallelism: 2,
      source: { module, options: built.options },
      checkpointDir: path.join(dir, "q3-checkpoints"),
      checkpointIntervalMs: 100,
      restartDelayMs: 50,
      // The join takes in 10,977 elements (sellers and category-10 auctions), about half on each worker.
      failAt: { step: "JoinOnSeller", worker: 1, element: 3_000 },
      onWarning: (m) => void warnings.push(m),
    });
    expect(summary.restarts).toBe(1);
    expect(warnings[0]).toMatch(/^restart 1 of 3 from checkpoint \d+, after: .*JoinOnSeller.*injected failure/);
    expectSameRows("q3 stream with a failure vs SQL", sorted(await outputRows(output)), expected);
  }, 120_000);

  test("q12: per-bidder totals over all panes are the bids per bidder", async () => {
    const expected = sorted((await sqlAnswers(path.join(dir, "tables"), ["q12"])).q12);
    expect(expected.length).toBeGreaterThanOrEqual(5000);
    for (const runner of ["local", "stream"] as const) {
      const totals = new Map<number, number>();
      for (const r of await outputRows((await runQuery("q12", runner)).output)) {
        const { bidder, count } = r as { bidder: number; count: number };
        totals.set(bidder, (totals.get(bidder) ?? 0) + count);
      }
      const rows = [...totals].map(([bidder, count]) => ({ bidder, count }));
      expectSameRows(`q12 ${runner} totals vs SQL`, sorted(rows), expected);
    }
  }, 120_000);
});
