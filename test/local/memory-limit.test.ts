import fs from "node:fs/promises";
import path from "node:path";
import { expect, test } from "vitest";
import { z } from "zod";
import { planLocal, runLocal } from "../../runners/local/index.js";
import { type KV, Pipeline, type Source, kv, parDo } from "../../sdk/index.js";
import { sum } from "../../transforms/index.js";
import { tempDir } from "./support.js";

// A job whose grouping state is larger than DuckDB's memory limit completes exactly: the
// DuckDB engine spills to a directory of its own inside the given temp dir, and removes it.

const KEYS = 3_000_000;
const CHUNK = 65_536;

/** `user-<i>` with value i, for i below KEYS, generated chunk by chunk (the input is never all in memory). */
const users: Source<KV<string, number>> = {
  kind: "test-users",
  bounded: true,
  params: { keys: KEYS },
  reading: {
    splits: async () => [{ id: "0", params: null }],
    async *read() {
      for (let from = 0; from < KEYS; from += CHUNK) {
        const n = Math.min(CHUNK, KEYS - from);
        yield { values: Array.from({ length: n }, (_, j) => kv(`user-${from + j}`, from + j)) };
      }
    },
  },
};

/** Files anywhere under `dir`. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

test("a sum over 3M distinct keys with memoryLimit 64MB spills under tempDir and is exact", async () => {
  const spill = await tempDir();
  const seen = { rows: 0, wrong: 0, total: 0, spilled: [] as string[] };
  const built = Pipeline.define("big-sum", z.object({}), (p) => {
    p.read("Users", users).pipe(
      sum.perKey("PerUser"),
      parDo<KV<string, number>, never>(
        {
          // Runs while DuckDB streams the GROUP BY's result: what it spilled is still on disk.
          process: async ({ key, value }) => {
            if (seen.rows++ === 0) seen.spilled = await filesUnder(spill);
            if (value !== Number(key.slice("user-".length))) seen.wrong++;
            seen.total += value;
          },
        },
        { name: "Check" },
      ),
    );
  }).build({});
  expect(planLocal(built.graph).find((s) => s.steps[0] === "PerUser")?.engine).toBe("duckdb");

  const summary = await runLocal(built, { parallelism: 1, memoryLimit: "64MB", tempDir: spill });
  expect({ rows: seen.rows, wrong: seen.wrong, total: seen.total }).toEqual({
    rows: KEYS,
    wrong: 0,
    total: (KEYS * (KEYS - 1)) / 2,
  });
  // DuckDB's files were in a subdirectory of its own, which the run removed at the end.
  expect(seen.spilled.length).toBeGreaterThan(0);
  expect(seen.spilled.every((f) => /^beamline-duckdb-[^/]+\//.test(f))).toBe(true);
  expect(await fs.readdir(spill)).toEqual([]);
  expect(summary.stages.find((s) => s.stage === "stage-2")).toMatchObject({ rowsIn: KEYS });
}, 60_000);

test("a memory limit DuckDB cannot use fails the run with a message naming the flag and the value", async () => {
  const built = Pipeline.define("tiny", z.object({}), (p) => {
    p.read("Users", users).pipe(sum.perKey("PerUser"));
  }).build({});
  await expect(runLocal(built, { parallelism: 1, memoryLimit: "lots" })).rejects.toThrow(
    '--memory-limit "lots" is not a usable DuckDB memory limit',
  );
});
