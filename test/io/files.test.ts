import fs from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { expandGlob, readLines, shardName } from "../../io/files.js";
import { text } from "../../io/index.js";
import { failure, listDir, tempDir, writeShards } from "./helpers.js";

async function linesOf(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readLines(file)) out.push(...batch);
  return out;
}

describe("globs", () => {
  test("expand to sorted absolute paths, from an absolute or a working-directory-relative glob", async () => {
    const dir = await tempDir();
    for (const name of ["b.txt", "a.txt", "c.log", ".hidden.txt"]) await fs.writeFile(path.join(dir, name), "x\n");
    await fs.mkdir(path.join(dir, "sub"));
    await fs.writeFile(path.join(dir, "sub", "d.txt"), "x\n");
    const expected = ["a.txt", "b.txt"].map((n) => path.join(dir, n));
    expect(await expandGlob("test", path.join(dir, "*.txt"))).toEqual(expected);
    expect(await expandGlob("test", path.relative(process.cwd(), path.join(dir, "*.txt")))).toEqual(expected);
    expect(await expandGlob("test", path.join(dir, "**/*.txt"))).toEqual([...expected, path.join(dir, "sub", "d.txt")]);
  });

  test("a glob matching nothing is an error naming it; a literal name with glob syntax matches itself", async () => {
    const dir = await tempDir();
    const glob = path.join(dir, "*.csv");
    expect((await failure(expandGlob('csv.files("x")', glob))).message).toContain(`no file matches "${glob}"`);
    const odd = path.join(dir, "data (1).txt");
    await fs.writeFile(odd, "x\n");
    expect(await expandGlob("test", odd)).toEqual([odd]);
  });
});

describe("lines", () => {
  test("split on \\n and \\r\\n, keep a lone \\r, drop a byte order mark, and have no empty last line", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "a.txt");
    await fs.writeFile(file, "one\r\ntwo\n\nthree\rstill three\nlast");
    expect(await linesOf(file)).toEqual(["one", "two", "", "three\rstill three", "last"]);
    await fs.writeFile(file, "a\nb\n");
    expect(await linesOf(file)).toEqual(["a", "b"]);
    await fs.writeFile(file, "");
    expect(await linesOf(file)).toEqual([]);
    await fs.writeFile(file, "\uFEFFid,name\n");
    expect(await linesOf(file)).toEqual(["id,name"]);
  });

  test("a line longer than a read block, and multi-byte characters across blocks, come out whole", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "long.txt");
    const long = "é".repeat(200_000);
    await fs.writeFile(file, `short\n${long}\nend\n`);
    expect(await linesOf(file)).toEqual(["short", long, "end"]);
  });

  test("a .gz file is gunzipped as it streams", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "a.txt.gz");
    await fs.writeFile(file, gzipSync("x\ny\r\n"));
    expect(await linesOf(file)).toEqual(["x", "y"]);
  });
});

describe("shards, two-phase", () => {
  test("are named part-NNNNN-of-NNNNN<suffix>", () => {
    expect(shardName(0, 4, ".csv")).toBe("part-00000-of-00004.csv");
    expect(shardName(12, 100, ".txt.gz")).toBe("part-00012-of-00100.txt.gz");
  });

  test("appear under their final names only at commit; a repeated commit is a no-op", async () => {
    const dir = path.join(await tempDir(), "out", "nested");
    const sink = text.write(dir, { shards: 2 });
    const pending = await writeShards(sink, [["a", "b"], ["c"]]);
    const before = await listDir(dir);
    expect(before.filter((n) => n.startsWith("part-"))).toEqual([]);
    expect(before).toHaveLength(2);
    expect(before.every((n) => /^\.part-0000[01]-of-00002\.txt\.inprogress-[0-9a-f]+$/.test(n))).toBe(true);
    await sink.writing!.commit(pending, { step: "Write" });
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.txt", "part-00001-of-00002.txt"]);
    await sink.writing!.commit(pending, { step: "Write" });
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.txt", "part-00001-of-00002.txt"]);
    expect(await fs.readFile(path.join(dir, "part-00000-of-00002.txt"), "utf8")).toBe("a\nb\n");
  });

  test("abort removes the temporary file; a shard never closed leaves nothing after abort", async () => {
    const dir = await tempDir();
    const writing = text.write(dir, { shards: 1 }).writing!;
    const writer = await writing.open({ step: "Write", shard: 0, shards: 1 });
    await writer.write(["x"]);
    expect(await listDir(dir)).toHaveLength(1);
    await writer.abort();
    expect(await listDir(dir)).toEqual([]);
    await expect(writer.write(["y"])).rejects.toThrow(/aborted/);
    const closed = await writing.open({ step: "Write", shard: 0, shards: 1 });
    await closed.close();
    await closed.abort();
    expect(await listDir(dir)).toEqual([]);
  });

  test("commit fails, naming the shard, when a closed shard's file is gone and was never published", async () => {
    const dir = await tempDir();
    const sink = text.write(dir, { shards: 1 });
    const [pending] = await writeShards(sink, [["x"]]);
    await fs.rm((pending as { temp: string }).temp);
    const e = await failure(sink.writing!.commit([pending!], { step: "Write" }));
    expect(e.message).toContain("part-00000-of-00001.txt");
    await expect(sink.writing!.commit([{ nope: 1 }], { step: "Write" })).rejects.toThrow(/not a closed shard/);
  });

  test("the sink's own shard count wins over the runner's suggestion", () => {
    expect(text.write("out", { shards: 3 }).writing!.shards(8)).toBe(3);
    expect(text.write("out").writing!.shards(8)).toBe(8);
  });
});
