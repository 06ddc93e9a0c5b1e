import fs from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { json } from "../../io/index.js";
import { collectingCtx, failure, listDir, readAll, tempDir, throwingCtx, writeAll, writeShards } from "./helpers.js";

const Event = z.object({
  id: z.int(),
  at: z.date(),
  big: z.bigint(),
  tag: z.enum(["a", "b"]).optional(),
  note: z.string().nullable(),
});
type Event = z.output<typeof Event>;

const events: Event[] = [
  { id: 1, at: new Date("2024-01-01T00:00:00.500Z"), big: 2n ** 63n - 1n, tag: "a", note: null },
  { id: 2, at: new Date(0), big: -5n, note: "line\nbreak" },
];

async function fileWith(content: string, name = "in.jsonl"): Promise<string> {
  const file = path.join(await tempDir(), name);
  await fs.writeFile(file, content);
  return file;
}

describe("json", () => {
  test("round trip with a schema: dates as ISO text and bigints as digits come back typed", async () => {
    const dir = await tempDir();
    await writeAll(json.write<Event>(dir, { shards: 2 }), [[events[0]!], [events[1]!]]);
    expect(await listDir(dir)).toEqual(["part-00000-of-00002.jsonl", "part-00001-of-00002.jsonl"]);
    expect(await fs.readFile(path.join(dir, "part-00000-of-00002.jsonl"), "utf8")).toBe(
      '{"id":1,"at":"2024-01-01T00:00:00.500Z","big":"9223372036854775807","tag":"a","note":null}\n',
    );
    expect(await readAll(json.lines(path.join(dir, "part-*"), Event))).toEqual(events);
  });

  test("without a schema: any JSON value per line; blank lines skipped; a glob reads files in order", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "b.jsonl"), '[1,2]\n\n   \n"s"\n');
    await fs.writeFile(path.join(dir, "a.jsonl"), '{"x":1}\r\nnull\n');
    expect(await readAll(json.lines(path.join(dir, "*.jsonl")))).toEqual([{ x: 1 }, null, [1, 2], "s"]);
  });

  test(".gz: read gunzipped, and written gzipped with suffix .jsonl.gz", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "in.jsonl.gz"), gzipSync('{"a":1}\n'));
    expect(await readAll(json.lines(path.join(dir, "*.gz")))).toEqual([{ a: 1 }]);
    const out = path.join(dir, "out");
    await writeAll(json.write(out, { shards: 1, suffix: ".jsonl.gz" }), [[{ b: 2 }]]);
    const written = path.join(out, "part-00000-of-00001.jsonl.gz");
    expect(gunzipSync(await fs.readFile(written)).toString()).toBe('{"b":2}\n');
    expect(await readAll(json.lines(written))).toEqual([{ b: 2 }]);
  });

  const lines = [
    '{"id":1,"at":0,"big":1,"note":null}', // 1
    '{"id":2,"at":0,', // 2: not JSON
    "", // 3: blank
    '{"id":"three","at":0,"big":1,"note":null}', // 4: fails the schema
    "[1]", // 5: not an object
    '{"id":4,"at":"2024-02-03","big":"12","note":"ok"}', // 6
  ];

  test("bad lines with dead letters: each reported with its line, every good line still arrives", async () => {
    const file = await fileWith(lines.join("\n"));
    const ctx = collectingCtx();
    const got = await readAll(json.lines(file, Event), ctx);
    expect(got).toEqual([
      { id: 1, at: new Date(0), big: 1n, note: null },
      { id: 4, at: new Date("2024-02-03T00:00:00Z"), big: 12n, note: "ok" },
    ]);
    expect(ctx.bad.map((b) => [b.source, b.position, b.record])).toEqual([
      [file, "line 2", lines[1]],
      [file, "line 4", lines[3]],
      [file, "line 5", "[1]"],
    ]);
    expect(ctx.bad[0]!.error).toMatch(/^not JSON: /);
    expect(ctx.bad[1]!.error).toBe(`field "id": Invalid input: expected number, received string ("three")`);
    expect(ctx.bad[2]!.error).toBe("expected a JSON object, got an array");
    expect(got.length + ctx.bad.length).toBe(5);
  });

  test.each([
    ["a line that is not JSON", '{"id":', /not JSON/],
    ["a line failing the schema", '{"id":1.5,"at":0,"big":1,"note":null}', /field "id"/],
  ])("without dead letters, %s fails the read with step, file, line and cause", async (_what, badLine, cause) => {
    const file = await fileWith(['{"id":1,"at":0,"big":1,"note":null}', badLine].join("\n"));
    const e = await failure(readAll(json.lines(file, Event), throwingCtx("ReadEvents")));
    expect(e.name).toBe("BadRecordError");
    expect(e.message).toContain(`step "ReadEvents": ${file}, line 2: `);
    expect(e.message).toMatch(cause);
  });

  test("sink: nothing named part-* before commit, nothing left after abort, commit twice", async () => {
    const dir = await tempDir();
    const sink = json.write(dir, { shards: 2 });
    const pending = await writeShards(sink, [[1], [2]]);
    expect((await listDir(dir)).filter((n) => n.startsWith("part-"))).toEqual([]);
    await sink.writing!.commit(pending, { step: "Write" });
    await sink.writing!.commit(pending, { step: "Write" });
    expect(await readAll(json.lines(path.join(dir, "part-*")))).toEqual([1, 2]);
    const other = await tempDir();
    const writer = await json.write(other).writing!.open({ step: "Write", shard: 0, shards: 1 });
    await writer.write([{ a: 1 }]);
    await writer.abort();
    expect(await listDir(other)).toEqual([]);
  });

  test("the graph records the schema and params", () => {
    expect(json.lines("in/*.jsonl", Event)).toMatchObject({
      kind: "json",
      bounded: true,
      params: { glob: "in/*.jsonl" },
      schema: Event,
    });
    expect(json.lines("in/*.jsonl").schema).toBeUndefined();
    expect(json.write("out").params).toEqual({ dir: "out", shards: null, suffix: ".jsonl" });
  });
});
