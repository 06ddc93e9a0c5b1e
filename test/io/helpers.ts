import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { BadRecordError, type DeadLetter, type Json, type ReadContext, type Sink, type Source } from "../../sdk/index.js";

// Shared by the connector tests: temp dirs cleaned up after each test, read contexts that
// throw (no dead-letter output) or collect, and readAll / writeAll as a runner would call them.

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "beamline-io-"));
  dirs.push(dir);
  return dir;
}

/** A read without dead letters: a bad record fails the read, as the runner does it. */
export const throwingCtx = (step = "Read"): ReadContext => ({
  step,
  reject: (bad) => {
    throw new BadRecordError({ step, ...bad });
  },
});

/** A read with dead letters: bad records are collected in `bad`. */
export function collectingCtx(step = "Read"): ReadContext & { readonly bad: DeadLetter[] } {
  const bad: DeadLetter[] = [];
  return { step, bad, reject: (b) => void bad.push({ step, ...b }) };
}

/** Every value of every split, in split order; `chunks` receives each chunk's size. */
export async function readAll<T>(source: Source<T>, ctx: ReadContext = throwingCtx(), chunks: number[] = []): Promise<T[]> {
  const reading = source.reading;
  if (!reading) throw new Error(`source ${source.kind} has no reading side`);
  const out: T[] = [];
  for (const split of await reading.splits(ctx))
    for await (const chunk of reading.read(split, ctx)) {
      chunks.push(chunk.values.length);
      out.push(...chunk.values);
    }
  return out;
}

/** Writes `shards[i]` to shard i (in chunks of `chunk`), closes every shard; returns the pending values, uncommitted. */
export async function writeShards<T>(sink: Sink<T>, shards: readonly (readonly T[])[], chunk = 1000): Promise<Json[]> {
  const writing = sink.writing;
  if (!writing) throw new Error(`sink ${sink.kind} has no writing side`);
  const n = writing.shards(shards.length);
  const pending: Json[] = [];
  for (let shard = 0; shard < n; shard++) {
    const writer = await writing.open({ step: "Write", shard, shards: n });
    const values = shards[shard] ?? [];
    for (let at = 0; at < values.length; at += chunk) await writer.write(values.slice(at, at + chunk));
    pending.push(await writer.close());
  }
  return pending;
}

/** writeShards, then commit. */
export async function writeAll<T>(sink: Sink<T>, shards: readonly (readonly T[])[]): Promise<void> {
  const pending = await writeShards(sink, shards);
  await sink.writing!.commit(pending, { step: "Write" });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

/** Names in `dir`, sorted. */
export const listDir = async (dir: string): Promise<string[]> => (await fs.readdir(dir)).sort();
