import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type WriteStream, createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { type Readable, type Writable, pipeline as pipe } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip, createGzip } from "node:zlib";
import { glob } from "tinyglobby";
import {
  type Json,
  type ReadChunk,
  type ReadContext,
  type ShardWriter,
  type SinkWriting,
  type SourceReading,
  type SourceSplit,
  type WriteContext,
} from "../sdk/index.js";

// What every file connector shares. Reading: globs, one split per file, bytes (gunzipped
// when the name ends in .gz), lines, chunks. Writing: shards under temporary names in the
// output directory, published by renaming at commit (two-phase, idempotent).

/** Values per chunk a reader aims for: enough to amortise per-chunk work, few enough to keep memory flat. */
export const CHUNK_SIZE = 2048;

/** Dead letters carry at most this much of the raw record (sdk/io.ts DeadLetter.record). */
const MAX_RECORD_TEXT = 64 * 1024;

export const recordText = (text: string): string => (text.length > MAX_RECORD_TEXT ? text.slice(0, MAX_RECORD_TEXT) : text);

/** The message of anything thrown, for dead letters. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The files matching `pattern` (absolute, or relative to the working directory), as
 * absolute paths in code-point order so every run and every thread sees the same list.
 * A pattern that matches nothing is an error naming it: an empty input is almost always a typo.
 */
export async function expandGlob(label: string, pattern: string): Promise<string[]> {
  const found = await glob(pattern, { absolute: true, onlyFiles: true, expandDirectories: false });
  // A literal name with glob syntax in it ("data (1).csv") matches itself.
  if (found.length === 0 && (await isFile(pattern))) found.push(path.resolve(pattern));
  if (found.length === 0) throw new Error(`${label}: no file matches "${pattern}" (relative to ${process.cwd()})`);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const isFile = (file: string): Promise<boolean> =>
  fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );

/** The reading side of a source with one split per file; `readFile` reads one file as chunks. */
export function perFileReading<T>(
  label: string,
  pattern: string,
  readFile: (file: string, ctx: ReadContext) => AsyncIterable<ReadChunk<T>>,
): SourceReading<T> {
  return Object.freeze({
    async splits(): Promise<readonly SourceSplit[]> {
      const files = await expandGlob(label, pattern);
      return files.map((file) => Object.freeze({ id: file, params: Object.freeze({ file }) }));
    },
    read(split: SourceSplit, ctx: ReadContext): AsyncIterable<ReadChunk<T>> {
      return readFile(fileOf(label, split), ctx);
    },
  });
}

function fileOf(label: string, split: SourceSplit): string {
  const params = split.params as { file?: Json };
  if (typeof params?.file !== "string") throw new TypeError(`${label}: split "${split.id}" has no file (params.file)`);
  return params.file;
}

/** A file's bytes, gunzipped on the fly when its name ends in .gz. */
export function openBytes(file: string): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  if (!file.endsWith(".gz")) return raw;
  // pipeline (not pipe) so a read error reaches whoever iterates the gunzip stream.
  return pipe(raw, createGunzip(), () => {});
}

/** Whether a read failed on damaged input (a bad gzip stream): a bad record for the reader to report, not a failed job. */
export const isCorruptInput = (e: unknown): boolean =>
  typeof (e as { code?: unknown })?.code === "string" && (e as { code: string }).code.startsWith("Z_");

/**
 * The lines of a UTF-8 file, in batches (one per block read), without their "\n" or "\r\n".
 * Streams: memory holds one block and the line that spans it, never the file.
 */
export async function* readLines(file: string): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  // Text since the last newline; a part per block, so one huge line is joined once, not per block.
  const pending: string[] = [];
  let first = true;
  for await (const bytes of openBytes(file)) {
    let text = decoder.write(bytes as Buffer);
    // A byte order mark says the file is UTF-8; it is not part of the first line.
    if (first && text !== "") {
      first = false;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    const last = text.lastIndexOf("\n");
    if (last < 0) {
      pending.push(text);
      continue;
    }
    pending.push(text.slice(0, last));
    const lines = pending.join("").split("\n");
    pending.length = 0;
    pending.push(text.slice(last + 1));
    yield lines.map(stripCR);
  }
  const rest = pending.join("") + decoder.end();
  if (rest !== "") yield [stripCR(rest)];
}

const stripCR = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line);

/** Collects values into chunks of CHUNK_SIZE. */
export class Chunker<T> {
  private values: T[] = [];

  push(value: T): void {
    this.values.push(value);
  }

  get full(): boolean {
    return this.values.length >= CHUNK_SIZE;
  }

  /** The values so far as a chunk, or null when there are none. */
  take(): ReadChunk<T> | null {
    if (this.values.length === 0) return null;
    const values = this.values;
    this.values = [];
    return { values };
  }
}

// ---- Writing bytes ----

/** One shard's output at its temporary name. */
export interface ShardOutput<T> {
  write(values: readonly T[]): Promise<void>;
  /** Completes the file at its temporary name. */
  finish(): Promise<void>;
  /** Stops writing; the shard base removes whatever is at the temporary name. */
  destroy(): Promise<void>;
}

/**
 * A text shard at `temp`, gzipped when `gzip`: `header` first, then `encode(values)` per
 * write. Waits for the file to drain, so a slow disk slows the writer instead of filling memory.
 */
export async function textOutput<T>(
  temp: string,
  gzip: boolean,
  encode: (values: readonly T[]) => string,
  header = "",
): Promise<ShardOutput<T>> {
  const file = await openFile(temp);
  const gzipper = gzip ? createGzip() : null;
  const head: Writable = gzipper ?? file;
  const done = gzipper ? pipeline(gzipper, file) : finished(file);
  // Observed by write and finish; this keeps an early failure from being an unhandled rejection.
  done.catch(() => {});
  const put = async (text: string): Promise<void> => {
    if (text !== "" && !head.write(text)) await Promise.race([new Promise<void>((resolve) => head.once("drain", resolve)), done]);
  };
  let started = false;
  return {
    async write(values) {
      if (!started) await put(header);
      started = true;
      await put(encode(values));
    },
    async finish() {
      if (!started) await put(header);
      head.end();
      await done;
    },
    async destroy() {
      head.destroy();
      file.destroy();
      await done.catch(() => {});
    },
  };
}

/** A new file open for writing: opened before it is returned, so an abort right away finds the file to remove. */
export async function openFile(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { flags: "wx" });
  await once(stream, "ready");
  return stream;
}

// ---- Shards, two-phase ----

/** `part-00000-of-00004<suffix>`: sorts in shard order and says how many shards make the whole. */
export const shardName = (shard: number, shards: number, suffix: string): string =>
  `part-${String(shard).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}${suffix}`;

/** A sink's own shard count: a positive whole number, or undefined to take the runner's. */
export function checkShards(label: string, shards: number | undefined): number | null {
  if (shards !== undefined && !(Number.isInteger(shards) && shards > 0))
    throw new RangeError(`${label}: shards must be a positive whole number, got ${shards}`);
  return shards ?? null;
}

export interface FileSinkSpec<T> {
  /** For messages: `text.write("out")`. */
  readonly label: string;
  readonly dir: string;
  readonly suffix: string;
  /** The sink's own shard count; null: the runner's suggestion. */
  readonly shards: number | null;
  /** Starts one shard's output at `temp` (a new file that does not exist yet). */
  open(temp: string, ctx: WriteContext): Promise<ShardOutput<T>>;
}

/** Pending value of a closed shard: where it is and where commit puts it. */
interface PendingShard {
  readonly temp: string;
  readonly final: string;
}

/**
 * The two-phase writing side of a file sink. Each shard writes to a hidden temporary name in
 * the output directory (`.part-…inprogress-<tag>`, which no `part-*` glob matches); close
 * fsyncs it; commit renames every shard to its final name, so the output appears only
 * once all of it is written. Rename within a directory is atomic, and a repeated commit
 * skips shards already in place, so a restart may run commit again.
 */
export function fileSinkWriting<T>(spec: FileSinkSpec<T>): SinkWriting<T> {
  return Object.freeze({
    shards: (suggested: number) => spec.shards ?? Math.max(1, suggested),
    async open(ctx: WriteContext): Promise<ShardWriter<T>> {
      const dir = path.resolve(spec.dir);
      await fs.mkdir(dir, { recursive: true });
      if (ctx.name !== undefined && !/^part-[\w.-]+$/.test(ctx.name))
        throw new Error(
          `${spec.label}: a runner's shard name must look like part-<letters, digits, . _ ->, got ${JSON.stringify(ctx.name)}`,
        );
      const name = ctx.name !== undefined ? `${ctx.name}${spec.suffix}` : shardName(ctx.shard, ctx.shards, spec.suffix);
      const temp = path.join(dir, `.${name}.inprogress-${randomBytes(6).toString("hex")}`);
      const output = await spec.open(temp, ctx);
      let state: "open" | "closed" | "aborted" = "open";
      const expectOpen = (op: string): void => {
        if (state !== "open") throw new Error(`${spec.label}: ${op} on shard ${ctx.shard}, which is ${state}`);
      };
      return {
        async write(values) {
          expectOpen("write");
          await output.write(values);
        },
        async close() {
          expectOpen("close");
          state = "closed";
          await output.finish();
          await fsync(temp, "r+");
          return { temp, final: path.join(dir, name) } satisfies PendingShard;
        },
        async abort() {
          state = "aborted";
          await output.destroy().catch(() => {});
          await fs.rm(temp, { force: true });
        },
      };
    },
    async commit(pending: readonly Json[]): Promise<void> {
      const shards = pending.map((p) => pendingShard(spec.label, p));
      for (const { temp, final } of shards) await publish(spec.label, temp, final);
      // The renames are durable once the directory entry is.
      if (shards[0] !== undefined) await fsync(path.dirname(shards[0].final), "r").catch(() => {});
    },
  });
}

function pendingShard(label: string, p: Json): PendingShard {
  const { temp, final } = (p ?? {}) as { temp?: Json; final?: Json };
  if (typeof temp !== "string" || typeof final !== "string")
    throw new TypeError(`${label}: commit got ${JSON.stringify(p)}, not a closed shard ({temp, final})`);
  return { temp, final };
}

async function publish(label: string, temp: string, final: string): Promise<void> {
  try {
    await fs.rename(temp, final);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // Already published by an earlier commit of the same shards.
    if (code === "ENOENT" && (await isFile(final))) return;
    throw new Error(`${label}: cannot publish ${final} from ${temp}: ${messageOf(e)}`, { cause: e });
  }
}

async function fsync(file: string, flags: "r" | "r+"): Promise<void> {
  const handle = await fs.open(file, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
