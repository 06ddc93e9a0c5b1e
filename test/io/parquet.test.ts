import { CHUNK_SIZE } from "../../io/files.js";
import fs from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { parquet } from "../../io/index.js";
import { collectingCtx, failure, listDir, readAll, tempDir, throwingCtx, writeAll, writeShards } from "./helpers.js";

const Trip = z.object({
  id: z.int(),
  small: z.int32(),
  big: z.bigint(),
  fare: z.number(),
  paid: z.boolean(),
  at: z.date(),
  kind: z.enum(["cab", "bus"]),
  note: z.string().nullable(),
});
type Trip = z.output<typeof Trip>;

const trips = (n: number, from = 0): Trip[] =>
  Array.from({ length: n }, (_, k) => {
    const i = k + from;
    return {
      id: i,
      small: i % 1000,
      big: BigInt(i) * 10_000_000_000n,
      fare: i / 4,
      paid: i % 2 === 0,
      at: new Date(Date.UTC(2024, 0, 1) + i * 1000),
      kind: i % 3 === 0 ? "bus" : "cab",
      note: i % 5 === 0 ? null : `trip ${i}`,
    };
  });

/** Runs SQL on a fresh in-memory DuckDB; rows as JS objects. */
async function sql(query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(query)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A Parquet file of `rows` rows in row groups of `group` rows, written by DuckDB itself. */
async function duckdbParquet(file: string, rows: number, group: number): Promise<void> {
  await sql(
    `COPY (SELECT i AS id, 'name ' || i AS name FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${group})`,
  );
}

describe("parquet", () => {
  test("round trip: parquet.write shards read back by parquet.files with the schema's types", async () => {
    const dir = await tempDir();
    const all = trips(5000);
    await writeAll(parquet.write(dir, { schema: Trip, shards: 2 }), [all.slice(0, 3000), all.slice(3000)]);
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.parquet", "part-00001-of-00002.parquet"]);
    const chunks: number[] = [];
    expect(await readAll(parquet.files(path.join(dir, "*.parquet"), Trip), throwingCtx(), chunks)).toEqual(all);
    // Chunks follow the files (one shard of 3000 rows, one of 2000), at most CHUNK_SIZE each.
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(chunks.every((n) => n > 0 && n <= CHUNK_SIZE)).toBe(true);
  });

  test("DuckDB reads the written files with the right column types", async () => {
    const dir = await tempDir();
    await writeAll(parquet.write(dir, { schema: Trip, shards: 1 }), [trips(10)]);
    const file = path.join(dir, "part-00000-of-00001.parquet");
    const types = await sql(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      id: "BIGINT",
      small: "INTEGER",
      big: "BIGINT",
      fare: "DOUBLE",
      paid: "BOOLEAN",
      at: "TIMESTAMP WITH TIME ZONE",
      kind: "VARCHAR",
      note: "VARCHAR",
    });
    const [agg] = await sql(
      `SELECT count(*) AS n, sum(id) AS s, count(note) AS notes, max(epoch_ms("at")) AS last FROM read_parquet('${file}')`,
    );
    expect(agg).toEqual({ n: 10n, s: 45n, notes: 8n, last: BigInt(Date.UTC(2024, 0, 1) + 9000) });
  });

  test("without a schema: rows as DuckDB gives them (BIGINT as bigint); a glob reads files in order", async () => {
    const dir = await tempDir();
    await duckdbParquet(path.join(dir, "b.parquet"), 2, 100);
    await sql(`COPY (SELECT 7::BIGINT AS id, 'x' AS name) TO '${path.join(dir, "a.parquet")}' (FORMAT parquet)`);
    expect(await readAll(parquet.files(path.join(dir, "*.parquet")))).toEqual([
      { id: 7n, name: "x" },
      { id: 0n, name: "name 0" },
      { id: 1n, name: "name 1" },
    ]);
  });

  test("rows failing the schema are reported as `row N`, the others arrive", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "a.parquet");
    await sql(
      `COPY (SELECT i AS id, CASE WHEN i % 4 = 1 THEN NULL ELSE 'n' || i END AS name FROM range(8) t(i)) TO '${file}' (FORMAT parquet)`,
    );
    const S = z.object({ id: z.int(), name: z.string() });
    const ctx = collectingCtx();
    const got = await readAll(parquet.files(file, S), ctx);
    expect(got.map((r) => r.id)).toEqual([0, 2, 3, 4, 6, 7]);
    expect(ctx.bad.map((b) => b.position)).toEqual(["row 1", "row 5"]);
    expect(ctx.bad[0]).toMatchObject({ source: file, record: '{"id":1,"name":null}' });
    expect(ctx.bad[0]!.error).toMatch(/^field "name": .*expected string/);
    expect(got.length + ctx.bad.length).toBe(8);
  });

  test("a file that is not Parquet: reported at its footer, the other files still read", async () => {
    const dir = await tempDir();
    await duckdbParquet(path.join(dir, "a.parquet"), 3, 100);
    const notParquet = path.join(dir, "b.parquet");
    await fs.writeFile(notParquet, "id,name\n1,x\n");
    const ctx = collectingCtx();
    expect(await readAll(parquet.files(path.join(dir, "*.parquet")), ctx)).toHaveLength(3);
    expect(ctx.bad).toMatchObject([{ source: notParquet, position: "footer", record: "" }]);
    expect(ctx.bad[0]!.error).toMatch(/not a readable Parquet file: .*magic/i);
    const e = await failure(readAll(parquet.files(path.join(dir, "*.parquet")), throwingCtx("ReadTrips")));
    expect(e.name).toBe("BadRecordError");
    expect(e.message).toMatch(new RegExp(`^step "ReadTrips": ${notParquet}, footer: not a readable Parquet file`));
  });

  // A small file fails at once (DuckDB reads it whole); in a big one the scan can stop
  // after earlier groups without an error, which the reader must not take for the end.
  test.each([
    [30_000, 10_000, 2],
    [300_000, 100_000, 1],
  ])(
    "a corrupt row group (%i rows in groups of %i, group %i): the rows before arrive, the rest is reported",
    async (rows, group, bad) => {
      const dir = await tempDir();
      const file = path.join(dir, "corrupt.parquet");
      await duckdbParquet(file, rows, group);
      const [page] = await sql(
        `SELECT data_page_offset AS at FROM parquet_metadata('${file}') WHERE row_group_id = ${bad} AND column_id = 0`,
      );
      const bytes = await fs.readFile(file);
      bytes.fill(0xff, Number(page!.at), Number(page!.at) + 64);
      await fs.writeFile(file, bytes);
      const ctx = collectingCtx();
      const got = (await readAll(parquet.files(file), ctx)) as { id: bigint }[];
      expect(got.length).toBeLessThan(group * (bad + 1));
      expect(got.map((r) => Number(r.id))).toEqual(Array.from({ length: got.length }, (_, i) => i));
      expect(ctx.bad).toHaveLength(1);
      const first = Math.floor(got.length / group);
      expect(ctx.bad[0]).toMatchObject({ source: file, position: `row groups ${first}-${rows / group - 1}`, record: "" });
      expect(ctx.bad[0]!.error).toMatch(new RegExp(`^Invalid Error: .* \\(rows ${got.length} to ${rows - 1} not read\\)$`));
      const e = await failure(readAll(parquet.files(file), throwingCtx("ReadTrips")));
      expect(e.message).toMatch(new RegExp(`^step "ReadTrips": ${file}, row groups ${first}-\\d: Invalid Error`));
    },
  );

  test("sink: nothing named part-* before commit, nothing left after abort, commit twice", async () => {
    const dir = await tempDir();
    const sink = parquet.write(dir, { schema: Trip, shards: 2 });
    const pending = await writeShards(sink, [trips(3), []]);
    expect((await listDir(dir)).filter((n) => n.startsWith("part-"))).toEqual([]);
    await sink.writing!.commit(pending, { step: "Write" });
    await sink.writing!.commit(pending, { step: "Write" });
    expect(await readAll(parquet.files(path.join(dir, "part-*"), Trip))).toEqual(trips(3));
    const other = await tempDir();
    const writer = await parquet.write(other, { schema: Trip }).writing!.open({ step: "Write", shard: 0, shards: 1 });
    await writer.write(trips(2));
    await writer.abort();
    expect(await listDir(other)).toEqual([]);
  });

  test("a value of the wrong type fails the write, naming the element and field", async () => {
    const dir = await tempDir();
    const writer = await parquet.write(dir, { schema: Trip }).writing!.open({ step: "Write", shard: 0, shards: 1 });
    const bad = { ...trips(1)[0]!, at: "yesterday" } as unknown as Trip;
    await expect(writer.write([...trips(2), bad])).rejects.toThrow(/element 2, field "at": expected a Date/);
    await writer.abort();
  });

  test("the graph records only the glob (a runner may push read_parquet down), and the schema", () => {
    expect(parquet.files("in/*.parquet", Trip)).toMatchObject({
      kind: "parquet",
      params: { glob: "in/*.parquet" },
      schema: Trip,
    });
    expect(parquet.write("out", { schema: Trip }).params).toEqual({ dir: "out", shards: null });
  });
});
