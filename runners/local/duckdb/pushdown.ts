import { JSDuckDBValueConverter } from "@duckdb/node-api";
import { streamChunks } from "./chunks.js";
import { type LocalDb } from "./db.js";
import { type DuckAggregate } from "./lift.js";
import { quoteIdent, quoteLiteral } from "./sql.js";

export interface ParquetGroupSpec {
  /** A Parquet file, or a glob of them, as DuckDB's read_parquet takes it. */
  readonly glob: string;
  readonly keyColumn: string;
  readonly valueColumn: string;
  readonly aggregate: DuckAggregate;
  /** The step name, for messages. */
  readonly step?: string;
}

/** Final values per key: `values[i]` belongs to `keys[i]`. */
export interface GroupBatch {
  readonly keys: unknown[];
  readonly values: unknown[];
}

/**
 * The SQL aggregate for each combiner, over the quoted value column `v`, with the JS
 * combiners' treatment of nulls: count and countDistinct count them (a null is one more
 * distinct value), while sum, mean, min and max refuse them as DuckCombine does.
 */
function aggregateSql(aggregate: DuckAggregate, v: string, refuseNulls: (what: string) => string): string {
  const noNulls = (what: string, sql: string) => `CASE WHEN count(${v}) < count(*) THEN ${refuseNulls(what)} ELSE ${sql} END`;
  switch (aggregate) {
    case "count":
      return "count(*)";
    case "sum":
      return noNulls("sum needs numbers", `sum(${v})`);
    case "mean":
      return noNulls("mean needs numbers", `sum(${v})::DOUBLE / count(*)`);
    case "min":
    case "max":
      return noNulls(`${aggregate} needs numbers or strings`, `${aggregate}(${v})`);
    case "countDistinct":
      return `count(DISTINCT ${v}) + (count(${v}) < count(*))::BIGINT`;
  }
}

/** The SELECT parquetGroupSql runs. */
export function parquetGroupQuery(spec: ParquetGroupSpec): string {
  const { glob, keyColumn, valueColumn, aggregate } = spec;
  const refuseNulls = (what: string) => `error(${quoteLiteral(`${what}, got null in column ${JSON.stringify(valueColumn)}`)})`;
  const agg = aggregateSql(aggregate, quoteIdent(valueColumn), refuseNulls);
  return `SELECT ${quoteIdent(keyColumn)} AS k, ${agg} AS v FROM read_parquet(${quoteLiteral(glob)}) GROUP BY ALL`;
}

/** The rows of the Parquet files matching `glob`, from their footers: what the pushed-down read stands for. */
export async function parquetRowCount(db: LocalDb, glob: string): Promise<number> {
  const connection = await db.connect();
  try {
    const result = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${quoteLiteral(glob)})`);
    return Number(result.getRows()[0]?.[0] ?? 0);
  } finally {
    db.disconnect(connection);
  }
}

/**
 * read(parquet) → combinePerKey(built-in) in the global window, run entirely in DuckDB: no row
 * crosses into JS before it is grouped. Keys come back as DuckDB's JS conversion gives them
 * (BIGINT as bigint, timestamps as Dates); count, sum, mean and countDistinct as numbers.
 */
export async function* parquetGroupSql(db: LocalDb, spec: ParquetGroupSpec): AsyncGenerator<GroupBatch> {
  const sql = parquetGroupQuery(spec);
  const numeric = spec.aggregate !== "min" && spec.aggregate !== "max";
  const connection = await db.connect();
  try {
    for await (const chunk of streamChunks(connection, sql)) {
      const [keys, values] = chunk.convertColumns(JSDuckDBValueConverter) as [unknown[], unknown[]];
      yield { keys, values: numeric ? values.map((v) => (typeof v === "bigint" ? Number(v) : v)) : values };
    }
  } catch (e) {
    const where = spec.step === undefined ? "" : ` for step "${spec.step}"`;
    throw new Error(
      `DuckDB Parquet aggregation${where} over ${spec.glob} failed: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  } finally {
    db.disconnect(connection);
  }
}
