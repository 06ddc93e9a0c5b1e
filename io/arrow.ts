import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import {
  DataType,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  RecordBatchStreamWriter,
  type Vector,
} from "apache-arrow";
import { type z } from "zod";
import { type ReadChunk, type ReadContext, type RecordSchema, type Sink, type Source } from "../sdk/index.js";
import { type ArrowLayout, arrowLayout } from "./arrow-layout.js";
import { type FieldSpec, fieldSpecs, fromValue, jsonText, validate } from "./fields.js";
import { checkShards, fileSinkWriting, messageOf, openFile, perFileReading, recordText, type ShardOutput } from "./files.js";

// Arrow IPC files, in the file format ("ARROW1" at both ends, random access) or the stream
// format. One chunk per record batch; a batch that cannot be read goes to ctx.reject as
// `batch N` (from 0), and the rest of the file with it, since the framing after it is lost.

/** Every row of every Arrow IPC file matching `glob`, as an object per row (Int64 as bigint, timestamps as Date). */
function files(glob: string): Source<Record<string, unknown>>;
/** Every row as a record of `schema`: Int64 becomes number for z.int() fields (when safe), bigint for z.bigint(). */
function files<S extends RecordSchema>(glob: string, schema: S): Source<z.output<S>>;
function files(glob: string, schema?: RecordSchema): Source<unknown> {
  const fields = schema ? fieldSpecs(schema) : null;
  return Object.freeze({
    kind: "arrow",
    bounded: true,
    params: Object.freeze({ glob }),
    ...(schema ? { schema } : {}),
    reading: perFileReading(`arrow.files("${glob}")`, glob, (file, ctx) => readArrow(file, ctx, schema, fields)),
  });
}

const MAGIC = "ARROW1";

async function* readArrow(
  file: string,
  ctx: ReadContext,
  schema: RecordSchema | undefined,
  fields: readonly FieldSpec[] | null,
): AsyncGenerator<ReadChunk<unknown>> {
  const handle = await fs.open(file);
  let stream: ReturnType<typeof createReadStream> | null = null;
  try {
    const head = Buffer.alloc(MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    const isFile = head.toString("latin1") === MAGIC;
    // The file format is read through the handle (footer first); the stream format front to back.
    let reader: AsyncIterable<RecordBatch>;
    try {
      if (isFile) reader = await (await RecordBatchReader.from(handle)).open();
      else reader = await (await RecordBatchReader.from((stream = createReadStream(file)))).open();
    } catch (e) {
      ctx.reject({
        source: file,
        position: isFile ? "footer" : "batch 0",
        record: "",
        error: `not a readable Arrow file: ${messageOf(e)}`,
      });
      return;
    }
    let batchIndex = 0;
    const batches = reader[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await batches.next();
      } catch (e) {
        ctx.reject({
          source: file,
          position: `batch ${batchIndex}`,
          record: "",
          error: `${messageOf(e)} (the rest of the file is not read)`,
        });
        return;
      }
      if (next.done) return;
      const values = rowsOf(next.value).flatMap((record, r) => {
        if (!schema || !fields) return [record];
        for (const f of fields) if (f.name in record) record[f.name] = fromValue(f, record[f.name]);
        const checked = validate(schema, record, "field");
        if ("value" in checked) return [checked.value];
        ctx.reject({
          source: file,
          position: `batch ${batchIndex}, row ${r}`,
          record: recordText(jsonText(record)),
          error: checked.error,
        });
        return [];
      });
      batchIndex += 1;
      if (values.length > 0) yield { values };
    }
  } finally {
    stream?.destroy();
    await handle.close();
  }
}

/** A batch's rows as plain objects; timestamps (ms since epoch in Arrow JS) become Date. */
function rowsOf(batch: RecordBatch): Record<string, unknown>[] {
  const columns = batch.schema.fields.map((f, i) => ({
    name: f.name,
    vector: batch.getChildAt(i) as Vector | null,
    isTimestamp: DataType.isTimestamp(f.type),
  }));
  const rows: Record<string, unknown>[] = [];
  for (let r = 0; r < batch.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      const v: unknown = c.vector?.get(r) ?? null;
      row[c.name] = c.isTimestamp && typeof v === "number" ? new Date(v) : v;
    }
    rows.push(row);
  }
  return rows;
}

// ---- Writing ----

export interface ArrowWriteOptions<S extends RecordSchema> {
  /** The columns and their Arrow types (sdk/schema.ts). */
  readonly schema: S;
  /** "file" (random access, `.arrow`) or "stream" (`.arrows`); default "file". */
  readonly format?: "file" | "stream";
  readonly shards?: number;
}

/** Records as Arrow IPC into `dir` (shards `part-00000-of-00002.arrow`), a record batch per write. */
function write<S extends RecordSchema>(dir: string, options: ArrowWriteOptions<S>): Sink<z.output<S>> {
  const { schema, format = "file" } = options;
  const shards = checkShards(`arrow.write("${dir}")`, options.shards);
  if (format !== "file" && format !== "stream")
    throw new RangeError(`arrow.write("${dir}"): format must be "file" or "stream", got "${format}"`);
  const layout = arrowLayout(`arrow.write("${dir}")`, fieldSpecs(schema));
  const suffix = format === "file" ? ".arrow" : ".arrows";
  return Object.freeze({
    kind: "arrow",
    params: Object.freeze({ dir, shards: shards, format }),
    writing: fileSinkWriting<z.output<S>>({
      label: `arrow.write("${dir}")`,
      dir,
      suffix,
      shards: shards,
      open: (temp) => arrowOutput(temp, format, layout),
    }),
  });
}

async function arrowOutput<T>(temp: string, format: "file" | "stream", layout: ArrowLayout): Promise<ShardOutput<T>> {
  const writer = format === "file" ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  const file = await openFile(temp);
  const done = pipeline(writer.toNodeStream(), file);
  done.catch(() => {});
  // The schema goes first, so a shard with no values is still a readable (empty) Arrow file.
  writer.reset(undefined, layout.schema);
  return {
    async write(values) {
      if (values.length === 0) return;
      writer.write(new RecordBatch(layout.schema, layout.batch(values)));
      // Let the bytes move to the file, and wait for it when it is behind, before the next batch piles up.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (file.writableNeedDrain) await Promise.race([new Promise<void>((resolve) => file.once("drain", resolve)), done]);
    },
    async finish() {
      // Writes the footer (file format) or the end-of-stream marker, and ends the bytes.
      writer.close();
      await done;
    },
    async destroy() {
      // Closing (not aborting) the writer: abort rejects its byte queue's readers with nobody to catch it.
      file.destroy();
      writer.close();
      await done.catch(() => {});
    },
  };
}

export const arrow = Object.freeze({ files, write });
