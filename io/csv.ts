import { type z } from "zod";
import { type ReadChunk, type ReadContext, type RecordSchema, type Sink, type Source } from "../sdk/index.js";
import { CsvRecords, checkDelimiter, formatRecord, type LineResult } from "./csv-record.js";
import { type FieldSpec, fieldSpecs, fromText, validate } from "./fields.js";
import {
  Chunker,
  checkShards,
  fileSinkWriting,
  isCorruptInput,
  messageOf,
  perFileReading,
  readLines,
  recordText,
  textOutput,
} from "./files.js";

// CSV files of records described by a zod schema (sdk/schema.ts). Cells are coerced to each
// field's type and then checked by the schema; a record that is malformed or fails the
// schema goes to ctx.reject with its file and `line N` (where the record starts).

export interface CsvReadOptions {
  /** The first record names the columns, matched to fields by name; default true. Without it, columns follow the schema's field order. */
  readonly header?: boolean;
  /** One or more characters between cells; default ",". */
  readonly delimiter?: string;
}

/**
 * The records of every CSV file matching `glob` (".gz" files are gunzipped), typed by
 * `schema`: numbers, ints, bigints, booleans (true/false/1/0), dates (ISO text, UTC when
 * it has no zone, or epoch ms) and enums are read from their text; an empty cell is null
 * for a .nullable() field and undefined for an .optional() one. Columns not in the
 * schema are ignored.
 */
function files<S extends RecordSchema>(glob: string, schema: S, options: CsvReadOptions = {}): Source<z.output<S>> {
  const { header = true, delimiter = "," } = options;
  const fields = fieldSpecs(schema);
  const label = `csv.files("${glob}")`;
  checkDelimiter(label, delimiter);
  return Object.freeze({
    kind: "csv",
    bounded: true,
    params: Object.freeze({ glob, header, delimiter }),
    schema,
    reading: perFileReading<z.output<S>>(label, glob, (file, ctx) =>
      readCsv<z.output<S>>(file, ctx, { schema, fields, header, delimiter }),
    ),
  });
}

interface CsvFormat {
  readonly schema: RecordSchema;
  readonly fields: readonly FieldSpec[];
  readonly header: boolean;
  readonly delimiter: string;
}

async function* readCsv<T>(file: string, ctx: ReadContext, format: CsvFormat): AsyncGenerator<ReadChunk<T>> {
  const records = new CsvRecords(format.delimiter);
  const chunks = new Chunker<T>();
  const reject = (r: { line: number; text: string; error: string }): void =>
    ctx.reject({ source: file, position: `line ${r.line}`, record: recordText(r.text), error: r.error });
  // Column index of each field, known from the header (or the schema when there is none).
  let columns: Columns | null = format.header ? null : { index: format.fields.map((_, i) => i), width: format.fields.length };
  const take = (result: LineResult): boolean => {
    if (result.kind === "more") return true;
    if (result.kind === "bad") {
      reject(result);
      return true;
    }
    if (columns === null) {
      const matched = matchHeader(result.cells, format.fields);
      if (typeof matched === "string") {
        // Without its columns no record of the file can be read: one dead letter for the file.
        reject({ ...result, error: `${matched}; the file is skipped` });
        return false;
      }
      columns = matched;
      return true;
    }
    const row = toRow<T>(result.cells, columns, format);
    if ("error" in row) reject({ ...result, error: row.error });
    else chunks.push(row.value);
    return true;
  };
  let n = 0;
  try {
    for await (const batch of readLines(file)) {
      for (const line of batch) if (!take(records.feed(line, ++n))) return;
      if (chunks.full) yield chunks.take()!;
    }
    take(records.end());
  } catch (e) {
    if (!isCorruptInput(e)) throw e;
    reject({ line: n + 1, text: "", error: `cannot decompress: ${messageOf(e)}` });
  }
  const rest = chunks.take();
  if (rest) yield rest;
}

/** Where each field's cell is (-1: no column), and how many cells a record has. */
interface Columns {
  readonly index: readonly number[];
  readonly width: number;
}

/** Each field's column in the header, or what is missing. A field that may be undefined may lack a column. */
function matchHeader(names: readonly string[], fields: readonly FieldSpec[]): Columns | string {
  const at = new Map(names.map((name, i) => [name, i]));
  const index = fields.map((f) => at.get(f.name) ?? -1);
  const missing = fields.filter((f, i) => index[i] === -1 && f.missing !== undefined).map((f) => `"${f.name}"`);
  if (missing.length > 0)
    return `the header has no column ${missing.join(", ")} (it has ${names.map((n) => `"${n}"`).join(", ")})`;
  return { index, width: names.length };
}

function toRow<T>(cells: readonly string[], columns: Columns, format: CsvFormat): { value: T } | { error: string } {
  if (cells.length !== columns.width)
    return { error: `expected ${columns.width} cells${format.header ? " (as in the header)" : ""}, got ${cells.length}` };
  const record: Record<string, unknown> = {};
  format.fields.forEach((field, i) => {
    const at = columns.index[i] ?? -1;
    record[field.name] = at < 0 ? undefined : fromText(field, cells[at] ?? "");
  });
  return validate<T>(format.schema, record, "column");
}

// ---- Writing ----

export interface CsvWriteOptions {
  /** The columns, in order: names, or a schema whose fields name them. Written as the first line. */
  readonly header: readonly string[] | RecordSchema;
  readonly shards?: number;
  /** Default ".csv"; ending in ".gz" gzips the shards. */
  readonly suffix?: string;
  readonly delimiter?: string;
}

/**
 * Objects as CSV into `dir` (shards `part-00000-of-00002.csv`): a header line, then one
 * line per element with the header's fields. Dates are written as ISO text, null and
 * undefined as empty cells; cells are quoted as RFC 4180 requires.
 */
function write<T extends object>(dir: string, options: CsvWriteOptions): Sink<T> {
  const { suffix = ".csv", delimiter = "," } = options;
  const shards = checkShards(`csv.write("${dir}")`, options.shards);
  checkDelimiter(`csv.write("${dir}")`, delimiter);
  const header = Array.isArray(options.header)
    ? [...(options.header as readonly string[])]
    : Object.keys((options.header as RecordSchema).shape);
  if (header.length === 0) throw new RangeError(`csv.write("${dir}"): the header names no column`);
  const line = (v: T): string =>
    formatRecord(
      header.map((name) => cellText((v as Record<string, unknown>)[name])),
      delimiter,
    );
  const encode = (values: readonly T[]): string => values.map((v) => `${line(v)}\n`).join("");
  return Object.freeze({
    kind: "csv",
    params: Object.freeze({ dir, shards: shards, suffix, header: Object.freeze(header), delimiter }),
    writing: fileSinkWriting<T>({
      label: `csv.write("${dir}")`,
      dir,
      suffix,
      shards: shards,
      open: (temp) => textOutput(temp, suffix.endsWith(".gz"), encode, `${formatRecord(header, delimiter)}\n`),
    }),
  });
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export const csv = Object.freeze({ files, write });
