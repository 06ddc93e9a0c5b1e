import { type z } from "zod";
import { type ReadChunk, type ReadContext, type RecordSchema, type Sink, type Source } from "../sdk/index.js";
import { type FieldSpec, fieldSpecs, fromValue, jsonText, validate } from "./fields.js";
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

// JSON lines: one JSON value per line. With a schema, each value must be an object that
// the schema accepts (dates may be ISO text or epoch ms, bigints digits or numbers); a
// line that does not parse or fails the schema goes to ctx.reject with `line N`.

/** Every JSON value, one per line, of every file matching `glob` (".gz" files are gunzipped); blank lines are skipped. */
function lines(glob: string): Source<unknown>;
/** Every line of every file matching `glob` as a record of `schema`. */
function lines<S extends RecordSchema>(glob: string, schema: S): Source<z.output<S>>;
function lines(glob: string, schema?: RecordSchema): Source<unknown> {
  const fields = schema ? fieldSpecs(schema) : null;
  return Object.freeze({
    kind: "json",
    bounded: true,
    params: Object.freeze({ glob }),
    ...(schema ? { schema } : {}),
    reading: perFileReading(`json.lines("${glob}")`, glob, (file, ctx) => readJson(file, ctx, schema, fields)),
  });
}

async function* readJson(
  file: string,
  ctx: ReadContext,
  schema: RecordSchema | undefined,
  fields: readonly FieldSpec[] | null,
): AsyncGenerator<ReadChunk<unknown>> {
  const chunks = new Chunker<unknown>();
  let n = 0;
  const reject = (line: number, record: string, error: string): void =>
    ctx.reject({ source: file, position: `line ${line}`, record: recordText(record), error });
  try {
    for await (const batch of readLines(file)) {
      for (const line of batch) {
        n += 1;
        if (line.trim() === "") continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (e) {
          reject(n, line, `not JSON: ${messageOf(e)}`);
          continue;
        }
        if (!schema || !fields) {
          chunks.push(value);
          continue;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          reject(n, line, `expected a JSON object, got ${Array.isArray(value) ? "an array" : typeof value}`);
          continue;
        }
        const record: Record<string, unknown> = { ...value };
        for (const f of fields) if (f.name in record) record[f.name] = fromValue(f, record[f.name]);
        const row = validate(schema, record, "field");
        if ("error" in row) reject(n, line, row.error);
        else chunks.push(row.value);
      }
      if (chunks.full) yield chunks.take()!;
    }
  } catch (e) {
    if (!isCorruptInput(e)) throw e;
    reject(n + 1, "", `cannot decompress: ${messageOf(e)}`);
  }
  const rest = chunks.take();
  if (rest) yield rest;
}

export interface JsonWriteOptions {
  readonly shards?: number;
  /** Default ".jsonl"; ending in ".gz" gzips the shards. */
  readonly suffix?: string;
}

/**
 * Each element as one line of JSON into `dir` (shards `part-00000-of-00002.jsonl`). Dates
 * are written as ISO text and bigints as digit strings, which json.lines with a schema reads back.
 */
function write<T>(dir: string, options: JsonWriteOptions = {}): Sink<T> {
  const { suffix = ".jsonl" } = options;
  const shards = checkShards(`json.write("${dir}")`, options.shards);
  const label = `json.write("${dir}")`;
  const encode = (values: readonly T[]): string =>
    values
      .map((v, i) => {
        if (v === undefined) throw new TypeError(`${label}: element ${i} of a write is undefined, which JSON cannot hold`);
        return `${jsonLine(v)}\n`;
      })
      .join("");
  return Object.freeze({
    kind: "json",
    params: Object.freeze({ dir, shards: shards, suffix }),
    writing: fileSinkWriting<T>({
      label,
      dir,
      suffix,
      shards: shards,
      open: (temp) => textOutput(temp, suffix.endsWith(".gz"), encode),
    }),
  });
}

/** JSON.stringify, with bigints as digit strings; the replacer only runs for a value that needs it (it is slow). */
function jsonLine(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (e) {
    if (e instanceof TypeError && /BigInt/i.test(e.message)) return jsonText(v);
    throw e;
  }
}

export const json = Object.freeze({ lines, write });
