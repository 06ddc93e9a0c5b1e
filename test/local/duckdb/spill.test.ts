import { existsSync, readdirSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { DuckCombine, LocalDb } from "../../../runners/local/duckdb/index.js";

const KEYS = 3_000_000;
const BUNDLE = 65_536;
const LIMIT_BYTES = 64 * 2 ** 20;

let db: LocalDb | undefined;
afterEach(() => db?.close()); // also when an assertion fails midway, so no spill directory is left behind

test("a sum over 3M distinct string keys with a 64MB memory limit spills to the temp dir and is exact", async () => {
  db = await LocalDb.open({ memoryLimit: "64MB" });
  const combine = await DuckCombine.create(db, { step: "PerUser", aggregate: "sum" });
  let rawBytes = 0;
  // Every key twice, in passes far apart, so lifting cannot merge them: DuckDB gets 6M partial rows.
  for (const pass of [0, 1]) {
    for (let from = 0; from < KEYS; from += BUNDLE) {
      const n = Math.min(BUNDLE, KEYS - from);
      const keys = Array.from({ length: n }, (_, j) => `user-${from + j}`);
      for (const key of keys) rawBytes += key.length + 4 + 8; // key, window and sum of a partial row
      const values = Array.from({ length: n }, (_, j) => (pass === 0 ? from + j : 1));
      await combine.add(keys, Array<number>(n).fill(0), values);
    }
    await combine.flush();
  }
  expect(combine.partialRows).toBe(2 * KEYS);
  expect(rawBytes).toBeGreaterThan(LIMIT_BYTES);
  expect(readdirSync(db.tempDir).length).toBeGreaterThan(0);

  let rows = 0;
  let wrong = 0;
  let total = 0;
  for await (const { keys, values } of combine.results()) {
    keys.forEach((key, i) => {
      if (values[i] !== Number((key as string).slice("user-".length)) + 1) wrong++;
      total += values[i] as number;
    });
    rows += keys.length;
  }
  expect({ rows, wrong, total }).toEqual({ rows: KEYS, wrong: 0, total: (KEYS * (KEYS - 1)) / 2 + KEYS });
  await db.close();
  expect(existsSync(db.tempDir)).toBe(false);
}, 120_000);
