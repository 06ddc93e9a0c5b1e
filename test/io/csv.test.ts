import fs from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { csv } from "../../io/index.js";
import { collectingCtx, failure, listDir, readAll, tempDir, throwingCtx, writeAll, writeShards } from "./helpers.js";

const Row = z.object({
  name: z.string(),
  age: z.int(),
  score: z.number(),
  small: z.int32(),
  big: z.bigint(),
  active: z.boolean(),
  at: z.date(),
  color: z.enum(["red", "green"]),
  note: z.string().nullable(),
  nick: z.string().optional(),
});
type Row = z.output<typeof Row>;

const rows: Row[] = [
  {
    name: "Ada",
    age: 36,
    score: 1.5,
    small: -3,
    big: 2n ** 62n,
    active: true,
    at: new Date("2024-05-01T10:00:00.123Z"),
    color: "red",
    note: "hi",
    nick: "a",
  },
  {
    name: 'Bo, "the" one\nsecond line',
    age: 0,
    score: -0.25,
    small: 7,
    big: -1n,
    active: false,
    at: new Date(0),
    color: "green",
    note: null,
  },
];

const Simple = z.object({ id: z.int(), name: z.string() });

async function fileWith(content: string, name = "in.csv"): Promise<string> {
  const file = path.join(await tempDir(), name);
  await fs.writeFile(file, content);
  return file;
}

describe("csv", () => {
  test("round trip: every field type, quoting of commas, quotes and newlines, null and undefined as empty cells", async () => {
    const dir = await tempDir();
    await writeAll(csv.write<Row>(dir, { header: Row, shards: 2 }), [[rows[0]!], [rows[1]!]]);
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.csv", "part-00001-of-00002.csv"]);
    const second = await fs.readFile(path.join(dir, "part-00001-of-00002.csv"), "utf8");
    expect(second).toBe(
      'name,age,score,small,big,active,at,color,note,nick\n"Bo, ""the"" one\nsecond line",0,-0.25,7,-1,false,1970-01-01T00:00:00.000Z,green,,\n',
    );
    expect(await readAll(csv.files(path.join(dir, "*.csv"), Row))).toEqual(rows);
  });

  test("columns are matched by name, extra columns ignored; a glob reads several files in order", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "b.csv"), "name,extra,id\nb,x,2\n");
    await fs.writeFile(path.join(dir, "a.csv"), "id,name\r\n1,a\r\n\r\n");
    expect(await readAll(csv.files(path.join(dir, "*.csv"), Simple))).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ]);
  });

  test("without a header, columns follow the schema's order; another delimiter works", async () => {
    const file = await fileWith("1;one\n2;two\n");
    expect(await readAll(csv.files(file, Simple, { header: false, delimiter: ";" }))).toEqual([
      { id: 1, name: "one" },
      { id: 2, name: "two" },
    ]);
  });

  test("dates without a zone read as UTC; epoch ms and booleans as 1/0 read too", async () => {
    const S = z.object({ at: z.date(), ok: z.boolean() });
    const file = await fileWith("at,ok\n2024-01-02 03:04:05,1\n86400000,FALSE\n");
    expect(await readAll(csv.files(file, S))).toEqual([
      { at: new Date("2024-01-02T03:04:05Z"), ok: true },
      { at: new Date(86_400_000), ok: false },
    ]);
  });

  test(".gz: read gunzipped, and written gzipped with suffix .csv.gz", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "in.csv.gz"), gzipSync("id,name\n1,x\n"));
    expect(await readAll(csv.files(path.join(dir, "*.csv.gz"), Simple))).toEqual([{ id: 1, name: "x" }]);
    const out = path.join(dir, "out");
    await writeAll(csv.write(out, { header: ["id", "name"], shards: 1, suffix: ".csv.gz" }), [[{ id: 2, name: "y" }]]);
    const written = path.join(out, "part-00000-of-00001.csv.gz");
    expect(gunzipSync(await fs.readFile(written)).toString()).toBe("id,name\n2,y\n");
    expect(await readAll(csv.files(written, Simple))).toEqual([{ id: 2, name: "y" }]);
  });

  test("a header without a required column: one bad record for the file, naming the column", async () => {
    const file = await fileWith("id,nom\n1,x\n");
    const e = await failure(readAll(csv.files(file, Simple), throwingCtx("ReadPeople")));
    expect(e.name).toBe("BadRecordError");
    expect(e.message).toContain(`step "ReadPeople": ${file}, line 1: the header has no column "name"`);
    // An optional field may have no column.
    const Opt = z.object({ id: z.int(), name: z.string().optional() });
    expect(await readAll(csv.files(file, Opt))).toEqual([{ id: 1 }]);
  });

  const bad = [
    "id,name", // line 1
    "1,good", // 2
    '2,"bad"quote', // 3: text after a closing quote
    "3,good", // 4
    "4,wrong,count", // 5
    '5,"multi', // 6: a quoted field over two lines, fine
    'line"""', // 7
    "x,not an int", // 8: fails the schema
    '6,un"quoted', // 9: a quote inside an unquoted cell
    "7,good", // 10
    "", // 11: blank, skipped
    '8,"never closed', // 12
    "9,swallowed",
  ];

  test("malformed rows with dead letters: each reported with its line, every good row still arrives", async () => {
    const file = await fileWith(bad.join("\n"));
    const ctx = collectingCtx();
    const got = await readAll(csv.files(file, Simple), ctx);
    expect(got).toEqual([
      { id: 1, name: "good" },
      { id: 3, name: "good" },
      { id: 5, name: 'multi\nline"' },
      { id: 7, name: "good" },
    ]);
    expect(ctx.bad.map((b) => [b.position, b.record])).toEqual([
      ["line 3", '2,"bad"quote'],
      ["line 5", "4,wrong,count"],
      ["line 8", "x,not an int"],
      ["line 9", '6,un"quoted'],
      ["line 12", '8,"never closed\n9,swallowed'],
    ]);
    expect(ctx.bad.every((b) => b.source === file && b.step === "Read")).toBe(true);
    expect(ctx.bad[0]!.error).toMatch(/closing quote must be followed by/);
    expect(ctx.bad[1]!.error).toBe("expected 2 cells (as in the header), got 3");
    expect(ctx.bad[2]!.error).toMatch(/^column "id": .*expected number.*\("x"\)$/);
    expect(ctx.bad[3]!.error).toMatch(/quote inside an unquoted cell/);
    expect(ctx.bad[4]!.error).toMatch(/not closed at the end of the file/);
    // Nothing silently dropped: 8 records after the header (one spans two lines, one swallows the last line).
    expect(got.length + ctx.bad.length).toBe(9);
  });

  test.each([
    ["a bad quote", '2,"bad"quote', /closing quote must be followed by/],
    ["a quote inside an unquoted cell", '2,un"quoted', /quote inside an unquoted cell/],
    ["a wrong cell count", "2,wrong,count", /expected 2 cells/],
    ["a schema failure", "x,not an int", /column "id": .*expected number/],
  ])("without dead letters, %s fails the read with step, file, line and cause", async (_what, badLine, cause) => {
    const file = await fileWith(["id,name", "1,good", badLine, "3,good"].join("\n"));
    const e = await failure(readAll(csv.files(file, Simple), throwingCtx("ReadPeople")));
    expect(e.name).toBe("BadRecordError");
    expect(e.message).toContain(`step "ReadPeople": ${file}, line 3: `);
    expect(e.message).toMatch(cause);
  });

  test("sink: exact shard names, nothing named part-* before commit, nothing left after abort, commit twice", async () => {
    const dir = await tempDir();
    const sink = csv.write<{ id: number; name: string }>(dir, { header: ["id", "name"], shards: 2 });
    const pending = await writeShards(sink, [[{ id: 1, name: "a" }], []]);
    expect((await listDir(dir)).filter((n) => n.startsWith("part-"))).toEqual([]);
    await sink.writing!.commit(pending, { step: "Write" });
    await sink.writing!.commit(pending, { step: "Write" });
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.csv", "part-00001-of-00002.csv"]);
    expect(await fs.readFile(path.join(dir, "part-00001-of-00002.csv"), "utf8")).toBe("id,name\n");
    const other = await tempDir();
    const writer = await csv.write(other, { header: ["id"] }).writing!.open({ step: "Write", shard: 0, shards: 1 });
    await writer.write([{ id: 1 }]);
    await writer.abort();
    expect(await listDir(other)).toEqual([]);
  });

  test("the graph records the schema and params", () => {
    const source = csv.files("in/*.csv", Simple);
    expect(source).toMatchObject({ kind: "csv", bounded: true, params: { glob: "in/*.csv", header: true, delimiter: "," } });
    expect(source.schema).toBe(Simple);
    expect(() => csv.files("x", Simple, { delimiter: '"' })).toThrow(/delimiter/);
    expect(csv.write("out", { header: Simple }).params).toMatchObject({ header: ["id", "name"], suffix: ".csv" });
  });
});
