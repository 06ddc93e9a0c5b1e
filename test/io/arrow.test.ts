import fs from "node:fs/promises";
import path from "node:path";
import { tableFromArrays, tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { arrow } from "../../io/index.js";
import { collectingCtx, failure, listDir, readAll, tempDir, throwingCtx, writeAll, writeShards } from "./helpers.js";

const Reading = z.object({
  id: z.int(),
  small: z.int32(),
  big: z.bigint(),
  value: z.number(),
  ok: z.boolean(),
  at: z.date(),
  unit: z.enum(["c", "f"]),
  label: z.string().nullable(),
});
type Reading = z.output<typeof Reading>;

const readings = (n: number, from = 0): Reading[] =>
  Array.from({ length: n }, (_, k) => {
    const i = k + from;
    return {
      id: i,
      small: 5 - i,
      big: BigInt(i) << 40n,
      value: i * 0.5,
      ok: i % 2 === 1,
      at: new Date(1_700_000_000_000 + i),
      unit: i % 3 ? "c" : "f",
      label: i % 4 ? `r${i}` : null,
    };
  });

/** Several record batches of plain ids, in the file or the stream format. */
async function idsFile(file: string, batches: number, format: "file" | "stream"): Promise<void> {
  const tables = Array.from({ length: batches }, (_, b) =>
    tableFromArrays({ id: Int32Array.from({ length: 100 }, (_, i) => b * 100 + i) }),
  );
  const all = tables.reduce((a, t) => a.concat(t));
  await fs.writeFile(file, tableToIPC(all, format));
}

describe("arrow", () => {
  test.each(["file", "stream"] as const)("round trip in the %s format: every field type, one chunk per batch", async (format) => {
    const dir = await tempDir();
    const shard0 = readings(2500);
    const shard1 = readings(10, 2500);
    await writeAll(arrow.write(dir, { schema: Reading, format, shards: 2 }), [shard0, shard1]);
    const suffix = format === "file" ? ".arrow" : ".arrows";
    expect(await listDir(dir)).toEqual([`part-00000-of-00002${suffix}`, `part-00001-of-00002${suffix}`]);
    const head = (await fs.readFile(path.join(dir, `part-00000-of-00002${suffix}`))).subarray(0, 6).toString();
    expect(head === "ARROW1").toBe(format === "file");
    const chunks: number[] = [];
    expect(await readAll(arrow.files(path.join(dir, "part-*"), Reading), throwingCtx(), chunks)).toEqual([...shard0, ...shard1]);
    // writeShards writes 1000 values per call: one record batch each.
    expect(chunks).toEqual([1000, 1000, 500, 10]);
  });

  test("the written file carries the schema's Arrow types (the mapping of sdk/schema.ts)", async () => {
    const dir = await tempDir();
    await writeAll(arrow.write(dir, { schema: Reading, shards: 1 }), [readings(3)]);
    const table = tableFromIPC(await fs.readFile(path.join(dir, "part-00000-of-00001.arrow")));
    expect(table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? "?" : ""}`)).toEqual([
      "id: Int64",
      "small: Int32",
      "big: Int64",
      "value: Float64",
      "ok: Bool",
      "at: Timestamp<MILLISECOND, UTC>",
      "unit: Dictionary<Int32, Utf8>",
      "label: Utf8?",
    ]);
  });

  test("without a schema: Int64 as bigint; a glob reads files of both formats in order; an empty shard is a valid file", async () => {
    const dir = await tempDir();
    await idsFile(path.join(dir, "a.arrow"), 2, "file");
    await idsFile(path.join(dir, "b.arrows"), 1, "stream");
    const got = await readAll(arrow.files(path.join(dir, "*.arrow*")));
    expect(got.map((r) => r.id)).toEqual([
      ...Array.from({ length: 200 }, (_, i) => i),
      ...Array.from({ length: 100 }, (_, i) => i),
    ]);
    const out = path.join(dir, "out");
    await writeAll(arrow.write(out, { schema: z.object({ n: z.int() }), shards: 1 }), [[{ n: 1 }]]);
    expect(await readAll(arrow.files(path.join(out, "*")))).toEqual([{ n: 1n }]);
    const empty = path.join(dir, "empty");
    await writeAll(arrow.write(empty, { schema: Reading, format: "stream", shards: 1 }), [[]]);
    expect(await readAll(arrow.files(path.join(empty, "*"), Reading))).toEqual([]);
  });

  test.each(["file", "stream"] as const)(
    "a truncated %s: the batches before arrive, the damaged one is reported",
    async (format) => {
      const dir = await tempDir();
      const whole = path.join(dir, `whole.${format}`);
      await idsFile(whole, 3, format);
      const bytes = await fs.readFile(whole);
      const file = path.join(dir, `cut.${format}`);
      await fs.writeFile(file, bytes.subarray(0, bytes.length - 150));
      const ctx = collectingCtx();
      const got = await readAll(arrow.files(file), ctx);
      expect(ctx.bad).toHaveLength(1);
      expect(ctx.bad[0]).toMatchObject({ source: file, record: "" });
      // The file format keeps its index in the footer, so cutting it loses the whole file.
      expect(ctx.bad[0]!.position).toBe(format === "file" ? "footer" : "batch 2");
      expect(got).toHaveLength(format === "file" ? 0 : 200);
      const e = await failure(readAll(arrow.files(file), throwingCtx("ReadArrow")));
      expect(e.name).toBe("BadRecordError");
      expect(e.message).toContain(`step "ReadArrow": ${file}, ${ctx.bad[0]!.position}: `);
    },
  );

  test("a file that is not Arrow is reported, the other files still read", async () => {
    const dir = await tempDir();
    await idsFile(path.join(dir, "a.arrow"), 1, "file");
    const notArrow = path.join(dir, "b.arrow");
    await fs.writeFile(notArrow, "hello, this is text and not an Arrow file\n");
    const ctx = collectingCtx();
    expect(await readAll(arrow.files(path.join(dir, "*.arrow")), ctx)).toHaveLength(100);
    expect(ctx.bad).toMatchObject([{ source: notArrow, position: "batch 0" }]);
    expect(ctx.bad[0]!.error).toMatch(/^not a readable Arrow file: /);
  });

  test("rows failing the schema are reported as `batch N, row M`, the others arrive", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "a.arrow");
    await fs.writeFile(file, tableToIPC(tableFromArrays({ id: new Float64Array([1, 2.5, 3]) }), "file"));
    const ctx = collectingCtx();
    expect(await readAll(arrow.files(file, z.object({ id: z.int() })), ctx)).toEqual([{ id: 1 }, { id: 3 }]);
    expect(ctx.bad).toMatchObject([{ source: file, position: "batch 0, row 1", record: '{"id":2.5}' }]);
  });

  test("sink: nothing named part-* before commit, nothing left after abort, commit twice; bad values name their field", async () => {
    const dir = await tempDir();
    const sink = arrow.write(dir, { schema: Reading, shards: 2 });
    const pending = await writeShards(sink, [readings(2), readings(1, 2)]);
    expect((await listDir(dir)).filter((n) => n.startsWith("part-"))).toEqual([]);
    await sink.writing!.commit(pending, { step: "Write" });
    await sink.writing!.commit(pending, { step: "Write" });
    expect(await readAll(arrow.files(path.join(dir, "part-*"), Reading))).toEqual(readings(3));
    const other = await tempDir();
    const writer = await arrow.write(other, { schema: Reading }).writing!.open({ step: "Write", shard: 0, shards: 1 });
    await expect(writer.write([{ ...readings(1)[0]!, unit: "k" as "c" }])).rejects.toThrow(
      /element 0, field "unit": "k" is not one of "c", "f"/,
    );
    await expect(writer.write([{ ...readings(1)[0]!, id: "1" as unknown as number }])).rejects.toThrow(
      /field "id": expected a number/,
    );
    await writer.abort();
    expect(await listDir(other)).toEqual([]);
  });
});
