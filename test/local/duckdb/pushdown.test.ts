import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DUCK_AGGREGATES, LocalDb, parquetGroupQuery, parquetGroupSql } from "../../../runners/local/duckdb/index.js";

let db: LocalDb;
let glob: string;
beforeAll(async () => {
  db = await LocalDb.open({ memoryLimit: "256MB" });
  // Awkward names, in the directory and the columns, to exercise the quoting.
  const dir = `${db.tempDir}/it's data`;
  glob = `${dir}/*.parquet`;
  const connection = await db.connect();
  await mkdir(dir);
  for (const shard of [0, 1, 2])
    await connection.run(
      `COPY (SELECT 'user-' || (hash(range * 7 + ${shard}) % 5000) AS "user id", (hash(range) % 1000)::INTEGER - 500 AS "it's", ` +
        `(range % 97)::DOUBLE / 4 AS score, CASE WHEN range % 11 = 0 THEN NULL ELSE range % 13 END AS sparse ` +
        `FROM range(${shard * 100_000}, ${(shard + 1) * 100_000})) TO '${dir.replaceAll("'", "''")}/part-${shard}.parquet' (FORMAT parquet)`,
    );
  db.disconnect(connection);
});
afterAll(() => db.close());

const collect = async (spec: Parameters<typeof parquetGroupSql>[1]) => {
  const out = new Map<unknown, unknown>();
  for await (const b of parquetGroupSql(db, spec)) b.keys.forEach((k, i) => out.set(k, b.values[i]));
  return out;
};

const plain = async (sql: string) => {
  const connection = await db.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRowsJS();
    return new Map(rows.map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));
  } finally {
    db.disconnect(connection);
  }
};

describe("parquetGroupSql", () => {
  const REFERENCE: Record<(typeof DUCK_AGGREGATES)[number], string> = {
    count: "count(*)",
    sum: `sum("it's")`,
    mean: `avg("it's")`,
    min: `min("it's")`,
    max: `max("it's")`,
    countDistinct: `count(DISTINCT "it's")`,
  };

  test.each(DUCK_AGGREGATES)("%s per key over every shard equals a plain GROUP BY", async (aggregate) => {
    const got = await collect({ glob, keyColumn: "user id", valueColumn: "it's", aggregate, step: "Totals" });
    const source = `read_parquet('${glob.replaceAll("'", "''")}')`;
    const want = await plain(`SELECT "user id", ${REFERENCE[aggregate]} FROM ${source} GROUP BY 1`);
    expect(got.size).toBe(5000);
    expect(got).toEqual(want);
  });

  test("fractional means are sum / count, as meanFn gives", async () => {
    const got = await collect({ glob, keyColumn: "user id", valueColumn: "score", aggregate: "mean" });
    const want = await plain(
      `SELECT "user id", sum(score) / count(*) FROM read_parquet('${glob.replaceAll("'", "''")}') GROUP BY 1`,
    );
    expect(got).toEqual(want);
  });

  test("nulls: counted as one distinct value, refused by sum", async () => {
    const distinct = await collect({ glob, keyColumn: "user id", valueColumn: "sparse", aggregate: "countDistinct" });
    expect(Math.max(...([...distinct.values()] as number[]))).toBe(14); // 0..12 and null
    await expect(
      collect({ glob, keyColumn: "user id", valueColumn: "sparse", aggregate: "sum", step: "Totals" }),
    ).rejects.toThrow(
      /^DuckDB Parquet aggregation for step "Totals" over .*it's data.* failed: .*sum needs numbers, got null in column "sparse"/,
    );
  });

  test("identifiers and the glob are quoted", () => {
    expect(parquetGroupQuery({ glob: "a'b/*.parquet", keyColumn: 'k"1', valueColumn: "v", aggregate: "count" })).toBe(
      `SELECT "k""1" AS k, count(*) AS v FROM read_parquet('a''b/*.parquet') GROUP BY ALL`,
    );
    expect(() => parquetGroupQuery({ glob: "a\0b", keyColumn: "k", valueColumn: "v", aggregate: "count" })).toThrow(/NUL/);
  });

  test("a missing file fails with DuckDB's reason", async () => {
    await expect(
      collect({ glob: `${db.tempDir}/none/*.parquet`, keyColumn: "k", valueColumn: "v", aggregate: "count" }),
    ).rejects.toThrow(/No files found that match the pattern/);
  });
});
