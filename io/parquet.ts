import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTimestampTZValue,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  JSDuckDBValueConverter,
  TIMESTAMPTZ,
  VARCHAR,
} from "@duckdb/node-api";
import { type z } from "zod";
import {
  type ArrowFieldType,
  type ReadChunk,
  type ReadContext,
  type RecordSchema,
  type Sink,
  type Source,
} from "../sdk/index.js";
import { type FieldSpec, fieldSpecs, fromValue, jsonText, validate } from "./fields.js";
import { Chunker, checkShards, fileSinkWriting, messageOf, perFileReading, recordText, type ShardOutput } from "./files.js";

// Parquet through DuckDB. Every read and every shard writer owns a private in-memory
// DuckDB instance with one thread: the runner parallelises over files and shards, and two
// threads never share a DuckDB database. Dead letters count from 0, as DuckDB does:
// `row N` is file_row_number N, `row group K` is parquet_metadata's row_group_id K.

/** Every row of every Parquet file matching `glob`, as an object per row (BIGINT as bigint, TIMESTAMP as Date). */
function files(glob: string): Source<Record<string, unknown>>;
/** Every row as a record of `schema`: BIGINT becomes number for z.int() fields (when safe) and stays bigint for z.bigint(). */
function files<S extends RecordSchema>(glob: string, schema: S): Source<z.output<S>>;
function files(glob: string, schema?: RecordSchema): Source<unknown> {
  const fields = schema ? fieldSpecs(schema) : null;
  return Object.freeze({
    kind: "parquet",
    bounded: true,
    // Only the glob: a runner may read the files itself with read_parquet(glob).
    params: Object.freeze({ glob }),
    ...(schema ? { schema } : {}),
    reading: perFileReading(`parquet.files("${glob}")`, glob, (file, ctx) => readParquet(file, ctx, schema, fields)),
  });
}

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const sqlName = (s: string): string => `"${s.replaceAll('"', '""')}"`;

const openDuckDB = async (): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> => {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  return { instance, connection: await instance.connect() };
};

async function* readParquet(
  file: string,
  ctx: ReadContext,
  schema: RecordSchema | undefined,
  fields: readonly FieldSpec[] | null,
): AsyncGenerator<ReadChunk<unknown>> {
  const { instance, connection } = await openDuckDB();
  try {
    // Rows per row group, to say where a failure is; a file without a readable footer is not Parquet.
    let groups: number[];
    try {
      const meta = await connection.runAndReadAll(
        `SELECT row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata(${sqlString(file)}) GROUP BY row_group_id ORDER BY row_group_id`,
      );
      groups = meta.getRows().map((r) => Number(r[1]));
    } catch (e) {
      ctx.reject({ source: file, position: "footer", record: "", error: `not a readable Parquet file: ${messageOf(e)}` });
      return;
    }
    const chunks = new Chunker<unknown>();
    let row = 0;
    const failed = { error: null as unknown };
    for await (const columns of duckChunks(connection, file, failed)) {
      for (let r = 0; r < columns.rows; r++, row++) {
        const record: Record<string, unknown> = {};
        columns.names.forEach((name, c) => (record[name] = columns.values[c]?.[r] ?? null));
        if (!schema || !fields) {
          chunks.push(record);
          continue;
        }
        for (const f of fields) if (f.name in record) record[f.name] = fromValue(f, record[f.name]);
        const checked = validate(schema, record, "field");
        if ("error" in checked)
          ctx.reject({ source: file, position: `row ${row}`, record: recordText(jsonText(record)), error: checked.error });
        else chunks.push(checked.value);
      }
      if (chunks.full) yield chunks.take()!;
    }
    const total = groups.reduce((a, b) => a + b, 0);
    if (failed.error !== null || row < total) {
      // A streamed scan that fails can end like one that is done (DuckDB's C API returns no chunk
      // either way), so fewer rows than the footer counts is a failure too; a second scan finds why.
      const cause = failed.error !== null ? messageOf(failed.error) : await scanError(connection, file);
      // DuckDB reads ahead, so the damage is somewhere from the first row not delivered on.
      ctx.reject({
        source: file,
        position: groupRange(groups, row),
        record: "",
        error: `${cause} (rows ${row} to ${total - 1} not read)`,
      });
    }
    const rest = chunks.take();
    if (rest) yield rest;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The file's rows as JS column arrays, a DuckDB chunk at a time. A DuckDB failure (a
 * corrupt page) ends the rows and is left in `failed`, apart from errors of the caller's own.
 */
async function* duckChunks(
  connection: DuckDBConnection,
  file: string,
  failed: { error: unknown },
): AsyncGenerator<{ names: readonly string[]; values: readonly unknown[][]; rows: number }> {
  try {
    const result = await connection.stream(`SELECT * FROM read_parquet(${sqlString(file)})`);
    const names = result.columnNames();
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
      yield { names, values: chunk.convertColumns(JSDuckDBValueConverter), rows: chunk.rowCount };
  } catch (e) {
    failed.error = e;
  }
}

/** Why scanning every column of the file fails, to explain a scan that ended early. */
async function scanError(connection: DuckDBConnection, file: string): Promise<string> {
  try {
    // Hashing decodes every value, where count(*) or min() could answer from the footer's statistics.
    await connection.run(`SELECT bit_xor(hash(COLUMNS(*))) FROM read_parquet(${sqlString(file)})`);
    return "DuckDB ended the scan early without saying why";
  } catch (e) {
    return messageOf(e);
  }
}

/** "row group k" or "row groups k-m": from the group holding `row` to the last. */
function groupRange(groups: readonly number[], row: number): string {
  let first = 0;
  let start = 0;
  while (first < groups.length - 1 && start + (groups[first] ?? 0) <= row) start += groups[first++] ?? 0;
  const last = Math.max(groups.length - 1, first);
  return first === last ? `row group ${first}` : `row groups ${first}-${last}`;
}

// ---- Writing ----

export interface ParquetWriteOptions<S extends RecordSchema> {
  /** The columns and their types (sdk/schema.ts): z.int() is BIGINT, z.int32() INTEGER, z.date() TIMESTAMPTZ, enums VARCHAR. */
  readonly schema: S;
  readonly shards?: number;
}

const DUCKDB_TYPES: { readonly [K in ArrowFieldType]: { readonly type: DuckDBType; readonly sql: string } } = {
  utf8: { type: VARCHAR, sql: "VARCHAR" },
  dictionary: { type: VARCHAR, sql: "VARCHAR" },
  float64: { type: DOUBLE, sql: "DOUBLE" },
  int64: { type: BIGINT, sql: "BIGINT" },
  int32: { type: INTEGER, sql: "INTEGER" },
  bigint64: { type: BIGINT, sql: "BIGINT" },
  bool: { type: BOOLEAN, sql: "BOOLEAN" },
  timestamp_ms: { type: TIMESTAMPTZ, sql: "TIMESTAMPTZ" },
};

/** A JS value as DuckDB holds it in a column of `type`. */
function toDuckDB(type: ArrowFieldType, v: unknown): DuckDBValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "int64":
    case "bigint64":
      return typeof v === "bigint" ? v : BigInt(v as number);
    case "timestamp_ms":
      if (!(v instanceof Date)) throw new TypeError(`expected a Date, got ${typeof v}`);
      return new DuckDBTimestampTZValue(BigInt(v.getTime()) * 1000n);
    default:
      return v as DuckDBValue;
  }
}

/** Records as Parquet into `dir` (shards `part-00000-of-00002.parquet`), with the schema's column types. */
function write<S extends RecordSchema>(dir: string, options: ParquetWriteOptions<S>): Sink<z.output<S>> {
  const { schema } = options;
  const shards = checkShards(`parquet.write("${dir}")`, options.shards);
  const fields = fieldSpecs(schema);
  const label = `parquet.write("${dir}")`;
  return Object.freeze({
    kind: "parquet",
    params: Object.freeze({ dir, shards: shards }),
    writing: fileSinkWriting<z.output<S>>({
      label,
      dir,
      suffix: ".parquet",
      shards: shards,
      open: (temp) => parquetOutput(label, temp, fields),
    }),
  });
}

/** DuckDB's vectors hold at most this many rows. */
const DUCKDB_CHUNK = 2048;

/** One shard: rows go into a table of a private DuckDB, a chunk of column vectors at a time; finish copies it to Parquet. */
async function parquetOutput<T>(label: string, temp: string, fields: readonly FieldSpec[]): Promise<ShardOutput<T>> {
  const { instance, connection } = await openDuckDB();
  const types = fields.map((f) => DUCKDB_TYPES[f.type].type);
  const columns = fields.map((f) => `${sqlName(f.name)} ${DUCKDB_TYPES[f.type].sql}${f.nullable ? "" : " NOT NULL"}`);
  let appender: DuckDBAppender | null = null;
  let written = 0;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    appender?.closeSync();
    appender = null;
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await connection.run(`CREATE TABLE t (${columns.join(", ")})`);
    appender = await connection.createAppender("t");
  } catch (e) {
    close();
    throw e;
  }
  return {
    async write(values) {
      for (let at = 0; at < values.length; at += DUCKDB_CHUNK) {
        const rows = values.slice(at, at + DUCKDB_CHUNK) as readonly Record<string, unknown>[];
        const chunk = DuckDBDataChunk.create(types, rows.length);
        fields.forEach((f, c) => {
          const column = rows.map((row, r) => {
            try {
              return toDuckDB(f.type, row[f.name]);
            } catch (e) {
              throw new TypeError(`${label}: element ${written + at + r}, field "${f.name}": ${messageOf(e)}`, { cause: e });
            }
          });
          chunk.setColumnValues(c, column);
        });
        if (!appender) throw new Error(`${label}: write after the shard was finished or destroyed`);
        appender.appendDataChunk(chunk);
      }
      written += values.length;
    },
    async finish() {
      try {
        appender?.closeSync();
        appender = null;
        await connection.run(`COPY t TO ${sqlString(temp)} (FORMAT parquet)`);
      } finally {
        close();
      }
    },
    async destroy() {
      close();
    },
  };
}

export const parquet = Object.freeze({ files, write });
