import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { type Instant, type Json, type Sink, type Source } from "../../sdk/index.js";

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A fresh directory under the OS temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "beamline-local-"));
  dirs.push(dir);
  return dir;
}

/** A bounded in-test source that really reads: values in chunks of `chunk`, optionally timestamped. */
export function valuesOf<T>(values: readonly T[], options: { chunk?: number; timestamps?: readonly Instant[] } = {}): Source<T> {
  const chunk = options.chunk ?? 1000;
  return {
    kind: "test-values",
    bounded: true,
    params: { count: values.length },
    reading: {
      splits: async () => [{ id: "0", params: null }],
      async *read() {
        for (let i = 0; i < values.length; i += chunk)
          yield {
            values: values.slice(i, i + chunk),
            ...(options.timestamps ? { timestamps: options.timestamps.slice(i, i + chunk) } : {}),
          };
      },
    },
  };
}

/** An in-test sink: what it received, and whether it was committed. */
export function collector<T>(): { sink: Sink<T>; values: T[]; committed: () => boolean } {
  const values: T[] = [];
  let committed = false;
  return {
    values,
    committed: () => committed,
    sink: {
      kind: "test-collect",
      params: null,
      writing: {
        shards: () => 1,
        open: async () => {
          const mine: T[] = [];
          return {
            write: async (vs: readonly T[]) => void mine.push(...vs),
            close: async () => mine as unknown as Json,
            abort: async () => void (mine.length = 0),
          };
        },
        commit: async (pending: readonly Json[]) => {
          for (const p of pending) values.push(...(p as unknown as T[]));
          committed = true;
        },
      },
    },
  };
}
