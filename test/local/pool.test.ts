import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runLocal } from "../../runners/local/index.js";
import heavy from "./fixtures/heavy.js";

// A CPU-heavy DoFn (about 30 µs per element) runs on the worker pool; a light one stays on the main thread.
describe("the local runner's worker pool", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "beamline-pool-"));
    await writeFile(join(dir, "in.txt"), Array.from({ length: 40_000 }, (_, i) => `line ${i}`).join("\n") + "\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const module = fileURLToPath(new URL("./fixtures/heavy.ts", import.meta.url));
  const run = async (cost: number, parallelism: number, name: string) => {
    const options = { input: join(dir, "in.txt"), output: join(dir, name), cost };
    await runLocal(heavy.build(options), { parallelism, source: { module, options } });
    const lines: string[] = [];
    for (const f of (await readdir(options.output)).sort())
      lines.push(...(await readFile(join(options.output, f), "utf8")).split("\n").filter((l) => l !== ""));
    return lines;
  };

  test("heavy DoFns run in workers and give the same output as on one thread", async () => {
    const one = await run(30, 1, "one");
    const two = await run(30, 2, "two");
    expect(one.length).toBe(40_000);
    expect(new Set(one.map((l) => l.split("\t")[1])).size).toBe(1); // one thread: all on the main thread
    const threads = new Set(two.map((l) => l.split("\t")[1]));
    expect([...threads].some((t) => t !== "0")).toBe(true); // some went to workers
    expect(two.map((l) => l.split("\t")[0]).sort()).toEqual(one.map((l) => l.split("\t")[0]).sort());
  }, 60_000);

  test("a light DoFn stays on the main thread", async () => {
    const lines = await run(0, 2, "light");
    expect(new Set(lines.map((l) => l.split("\t")[1]))).toEqual(new Set(["0"]));
  }, 60_000);
});
