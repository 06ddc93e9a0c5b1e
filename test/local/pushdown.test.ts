import { DuckDBInstance } from "@duckdb/node-api";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { memory, parquet } from "../../io/index.js";
import { planLocal, runLocal } from "../../runners/local/index.js";
import {
  type CombineFn,
  type KV,
  type PCollection,
  Pipeline,
  type RecordSchema,
  canonicalJson,
  countDistinctFn,
  kv,
  parDo,
} from "../../sdk/index.js";
import { combine, count, map, max, mean, min, sum } from "../../transforms/index.js";
import { seededRandom } from "../support/random.js";
import { collector, tempDir } from "./support.js";

// read(parquet) straight into a built-in combine per key runs as one SQL query in DuckDB
// ("duckdb-pushdown"); with any step in between it runs as a read plus a DuckDB combine.
// Both must give what the JS combiners give.

const Row = z.object({ key: z.string(), value: z.number() });
type Row = z.output<typeof Row>;

let dir: string;
let rows: Row[];

/** Rows written by a pipeline through parquet.write, in three shards. */
async function writeWithPipeline(out: string, values: readonly Row[]): Promise<void> {
  const def = Pipeline.define("write-parquet", z.object({}), (p) =>
    p.read("Rows", memory.create(values)).write("Write", parquet.write(out, { schema: Row, shards: 3 })),
  );
  await runLocal(def.build({}), { parallelism: 1 });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "beamline-pushdown-"));
  const rnd = seededRandom(11);
  rows = Array.from({ length: 30_000 }, () => ({
    key: `user-${Math.floor(rnd() * 700)}`,
    value: Math.floor(rnd() * 1000) - 500,
  }));
  await writeWithPipeline(path.join(dir, "rows"), rows);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

type Agg = "sum" | "count" | "min" | "max" | "mean" | "countDistinct";

const combiner = (agg: Agg, name: string) => {
  switch (agg) {
    case "sum":
      return sum.perKey(name);
    case "count":
      return count.perKey(name);
    case "min":
      return min.perKey(name);
    case "max":
      return max.perKey(name);
    case "mean":
      return mean.perKey(name);
    case "countDistinct":
      return combine.perKey(countDistinctFn<number>(), name);
  }
};

/** What the JS combiner gives per key. */
function jsCombine(agg: Agg, input: readonly Row[]): Map<string, unknown> {
  const fns: Record<Agg, () => CombineFn<number, unknown, unknown>> = {
    sum: () => sumOf,
    count: () => countOf,
    min: () => ({ ...sumOf, createAccumulator: () => Infinity, addInput: (a, x) => Math.min(a as number, x) }),
    max: () => ({ ...sumOf, createAccumulator: () => -Infinity, addInput: (a, x) => Math.max(a as number, x) }),
    mean: () => ({
      createAccumulator: () => [0, 0],
      addInput: ([s, n], x) => [(s as number) + x, (n as number) + 1],
      mergeAccumulators: () => [0, 0],
      extractOutput: ([s, n]) => (s as number) / (n as number),
    }),
    countDistinct: () => ({
      createAccumulator: () => new Set<number>(),
      addInput: (a, x) => (a as Set<number>).add(x),
      mergeAccumulators: () => new Set(),
      extractOutput: (a) => (a as Set<number>).size,
    }),
  };
  const fn = fns[agg]();
  const accs = new Map<string, unknown>();
  for (const { key, value } of input) accs.set(key, fn.addInput(accs.has(key) ? accs.get(key) : fn.createAccumulator(), value));
  return new Map([...accs].map(([k, a]) => [k, fn.extractOutput(a)]));
}

const sumOf: CombineFn<number, unknown, unknown> = {
  createAccumulator: () => 0,
  addInput: (a, x) => (a as number) + x,
  mergeAccumulators: () => 0,
  extractOutput: (a) => a,
};
const countOf: CombineFn<number, unknown, unknown> = { ...sumOf, addInput: (a) => (a as number) + 1 };

interface Seen {
  readonly key: unknown;
  readonly value: unknown;
  readonly window: readonly [number, number];
  readonly timestamp: number;
  readonly pane: unknown;
}

/** read(parquet) → [a map] → the combine → a parDo recording what it sees → a collector. */
function pipeline<S extends RecordSchema>(
  glob: string,
  schema: S,
  agg: Agg,
  options: { viaMap?: boolean } = {},
): { built: ReturnType<ReturnType<typeof Pipeline.define>["build"]>; out: ReturnType<typeof collector<Seen>> } {
  const out = collector<Seen>();
  const def = Pipeline.define("pushdown", z.object({}), (p) => {
    let input = p.read("R", parquet.files(glob, schema)) as PCollection<unknown>;
    if (options.viaMap) input = input.apply(map((r: unknown) => r, "Identity"));
    (input as PCollection<KV<unknown, number>>)
      .pipe(
        combiner(agg, "Combine") as never,
        parDo<KV<unknown, unknown>, Seen>(
          {
            process: ({ key, value }, ctx) =>
              ctx.output({ key, value, window: [ctx.window.start, ctx.window.end], timestamp: ctx.timestamp, pane: ctx.pane }),
          },
          { name: "Record" },
        ),
      )
      .write("Out", out.sink);
  });
  return { built: def.build({}), out };
}

const byKey = (seen: readonly Seen[]): Map<unknown, unknown> => {
  const m = new Map<unknown, unknown>();
  for (const s of seen) {
    if (m.has(s.key)) throw new Error(`key ${String(s.key)} came twice`);
    m.set(s.key, s.value);
  }
  return m;
};

const sortedJson = (seen: readonly Seen[]): string[] =>
  seen.map((s) => canonicalJson({ ...s, key: typeof s.key === "bigint" ? `${s.key}n` : s.key })).sort();

const engineOf = (built: { graph: Parameters<typeof planLocal>[0] }, step: string) =>
  planLocal(built.graph).find((s) => s.steps.includes(step))?.engine;

describe("Parquet pushdown: read(parquet) → combine per key as one SQL query", () => {
  test("sum per key is planned as duckdb-pushdown and equals a sum computed here", async () => {
    const glob = path.join(dir, "rows", "*.parquet");
    const { built, out } = pipeline(glob, Row, "sum");
    const stages = planLocal(built.graph);
    expect(stages.find((s) => s.steps.includes("Combine"))).toMatchObject({ engine: "duckdb-pushdown", boundary: "shuffle" });
    const summary = await runLocal(built, { parallelism: 1 });
    expect(byKey(out.values)).toEqual(jsCombine("sum", rows));
    expect(out.values).toHaveLength(700);
    // The rows never entered JS, yet the summary counts them as the plain path does.
    const plain = pipeline(glob, Row, "sum", { viaMap: true });
    const plainSummary = await runLocal(plain.built, { parallelism: 1 });
    const counts = (s: typeof summary) => s.stages.map((x) => [x.stage, x.rowsIn, x.rowsOut]);
    expect(counts(summary)).toEqual([
      ["stage-1", rows.length, rows.length],
      ["stage-2", rows.length, 700],
    ]);
    expect(counts(plainSummary)).toEqual(counts(summary));
  });

  test.each(["sum", "count", "min", "max", "mean", "countDistinct"] as const)(
    "%s per key: pushdown and the read-then-combine path give identical outputs (values, windows, panes)",
    async (agg) => {
      const glob = path.join(dir, "rows", "*.parquet");
      const pushed = pipeline(glob, Row, agg);
      const plain = pipeline(glob, Row, agg, { viaMap: true });
      expect(engineOf(pushed.built, "Combine")).toBe("duckdb-pushdown");
      expect(engineOf(plain.built, "Combine")).toBe("duckdb");
      await runLocal(pushed.built, { parallelism: 1 });
      await runLocal(plain.built, { parallelism: 1 });
      expect(sortedJson(pushed.out.values)).toEqual(sortedJson(plain.out.values));
      const want = jsCombine(agg, rows);
      const got = byKey(pushed.out.values);
      expect(got.size).toBe(want.size);
      for (const [k, v] of want) expect(got.get(k)).toBeCloseTo(v as number, 9);
    },
  );

  test("a schema without key and value columns, or a combine that is not built in, is not pushed down", () => {
    const glob = path.join(dir, "rows", "*.parquet");
    const other = Pipeline.define("no-pushdown", z.object({}), (p) => {
      p.read("R", parquet.files(glob, z.object({ key: z.string(), amount: z.number() })))
        .pipe(
          map((r: { key: string; amount: number }) => kv(r.key, r.amount)),
          sum.perKey("Combine"),
        )
        .write("Out", memory.collect("no-pushdown"));
    }).build({});
    expect(engineOf(other, "Combine")).toBe("duckdb");
    const user = pipeline(glob, Row, "sum");
    expect(engineOf(user.built, "Combine")).toBe("duckdb-pushdown");
  });

  test("64-bit integer columns read as numbers (z.int()): keys and values are the same in both paths", async () => {
    const out = await tempDir();
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    await connection.run(
      `COPY (SELECT (range % 50)::BIGINT AS key, (range * 7 % 1000)::BIGINT AS value FROM range(5000)) TO '${out}/ints.parquet' (FORMAT parquet)`,
    );
    connection.closeSync();
    db.closeSync();
    const IntRow = z.object({ key: z.int(), value: z.int() });
    for (const agg of ["sum", "min", "max", "count"] as const) {
      const pushed = pipeline(`${out}/*.parquet`, IntRow, agg);
      const plain = pipeline(`${out}/*.parquet`, IntRow, agg, { viaMap: true });
      expect(engineOf(pushed.built, "Combine")).toBe("duckdb-pushdown");
      await runLocal(pushed.built, { parallelism: 1 });
      await runLocal(plain.built, { parallelism: 1 });
      expect(sortedJson(pushed.out.values), agg).toEqual(sortedJson(plain.out.values));
      for (const s of pushed.out.values) {
        expect(typeof s.key, `${agg} key`).toBe("number");
        expect(typeof s.value, `${agg} value`).toBe("number");
      }
    }
  });

  test("a read with a dead-letter output is not pushed down: a row failing the schema goes to the dead letters", async () => {
    const out = await tempDir();
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    await connection.run(
      `COPY (SELECT 'k' || (range % 3) AS key, CASE WHEN range = 4 THEN NULL ELSE range END::DOUBLE AS value FROM range(10)) ` +
        `TO '${out}/nulls.parquet' (FORMAT parquet)`,
    );
    connection.closeSync();
    db.closeSync();
    memory.clear("pushdown-good");
    memory.clear("pushdown-bad");
    const built = Pipeline.define("dead-letters", z.object({}), (p) => {
      const { records, deadLetters } = p.readWithDeadLetters("R", parquet.files(`${out}/*.parquet`, Row));
      records.apply(sum.perKey("Combine")).write("Good", memory.collect("pushdown-good"));
      deadLetters.write("Bad", memory.collect("pushdown-bad"));
    }).build({});
    expect(engineOf(built, "Combine")).toBe("duckdb");
    const summary = await runLocal(built, { parallelism: 1 });
    expect(new Map(memory.results<KV<string, number>>("pushdown-good").map(({ key, value }) => [key, value]))).toEqual(
      new Map([
        ["k0", 0 + 3 + 6 + 9],
        ["k1", 1 + 7],
        ["k2", 2 + 5 + 8],
      ]),
    );
    expect(memory.results<{ position: string; error: string }>("pushdown-bad")).toMatchObject([
      { position: "row 4", error: expect.stringContaining('field "value"') as unknown },
    ]);
    expect(summary.deadLetters).toBe(1);
  });

  test("a missing file fails the pushed-down read naming the step and the glob", async () => {
    const glob = path.join(dir, "nowhere", "*.parquet");
    const { built } = pipeline(glob, Row, "sum");
    await expect(runLocal(built, { parallelism: 1 })).rejects.toThrow(/step "R".*nowhere/);
  });
});
