import fs from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { text } from "../../io/index.js";
import { collectingCtx, failure, listDir, readAll, tempDir, throwingCtx, writeAll } from "./helpers.js";

const REPO = path.resolve(import.meta.dirname, "../..");

describe("text", () => {
  test("round trip: text.write then text.lines over its shards gives the lines back in shard order", async () => {
    const dir = await tempDir();
    const shards = [
      ["alpha", "beta", ""],
      ["gamma, with a comma", "δέλτα"],
    ];
    await writeAll(text.write(dir, { shards: 2 }), shards);
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.txt", "part-00001-of-00002.txt"]);
    expect(await readAll(text.lines(path.join(dir, "part-*")))).toEqual(shards.flat());
  });

  test("a glob over several files reads them in path order, one split per file", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "b.txt"), "b1\nb2\n");
    await fs.writeFile(path.join(dir, "a.txt"), "a1\r\na2");
    await fs.writeFile(path.join(dir, "c.txt"), "");
    const source = text.lines(path.join(dir, "*.txt"));
    expect((await source.reading!.splits(throwingCtx())).map((s) => path.basename(s.id))).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(await readAll(source)).toEqual(["a1", "a2", "b1", "b2"]);
  });

  test(".gz: read gunzipped, and written gzipped when the suffix ends in .gz", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "in.txt.gz"), gzipSync("one\ntwo\n"));
    expect(await readAll(text.lines(path.join(dir, "*.gz")))).toEqual(["one", "two"]);
    const out = path.join(dir, "out");
    await writeAll(text.write(out, { shards: 1, suffix: ".txt.gz" }), [["x", "y"]]);
    const written = path.join(out, "part-00000-of-00001.txt.gz");
    expect(gunzipSync(await fs.readFile(written)).toString()).toBe("x\ny\n");
    expect(await readAll(text.lines(written))).toEqual(["x", "y"]);
  });

  test("a damaged .gz: the lines before the damage arrive, the rest is one bad record", async () => {
    const dir = await tempDir();
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
    const gz = gzipSync(lines.join("\n"));
    const file = path.join(dir, "bad.txt.gz");
    await fs.writeFile(file, gz.subarray(0, gz.length >> 1));
    const ctx = collectingCtx("ReadLogs");
    const got = await readAll(text.lines(file), ctx);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(lines.slice(0, got.length));
    expect(ctx.bad).toMatchObject([{ step: "ReadLogs", source: file, position: `line ${got.length + 1}` }]);
    expect(ctx.bad[0]!.error).toMatch(/cannot decompress/);
    const e = await failure(readAll(text.lines(file), throwingCtx("ReadLogs")));
    expect(e.message).toMatch(new RegExp(`step "ReadLogs": .*bad\\.txt\\.gz, line \\d+: cannot decompress`));
  });

  test("the shared Apache access log has 10,000 lines", async () => {
    const log = path.resolve(REPO, "../shared/data/apache_access_log");
    const lines = await readAll(text.lines(log));
    expect(lines).toHaveLength(10_000);
    expect(lines[0]).toMatch(/^\S+ - \S+ \[\d{2}\/\w{3}\/\d{4}:/);
  });

  test("a large file streams in bounded chunks", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "big.txt");
    const n = 300_000;
    await fs.writeFile(file, Array.from({ length: n }, (_, i) => `row ${i}`).join("\n"));
    const chunks: number[] = [];
    const lines = await readAll(text.lines(file), throwingCtx(), chunks);
    expect(lines).toHaveLength(n);
    expect(lines[n - 1]).toBe(`row ${n - 1}`);
    expect(chunks.length).toBeGreaterThan(10);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(65_536);
  });

  test("the graph records kind and params; the reading and writing sides stay off it", () => {
    expect(text.lines("logs/*.gz")).toMatchObject({ kind: "text", bounded: true, params: { glob: "logs/*.gz" } });
    expect(text.write("out", { shards: 4 }).params).toEqual({ dir: "out", shards: 4, suffix: ".txt" });
  });
});
