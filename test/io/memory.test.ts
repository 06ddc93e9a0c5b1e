import { afterEach, describe, expect, test } from "vitest";
import { memory } from "../../io/index.js";
import { readAll, throwingCtx, writeShards } from "./helpers.js";

afterEach(() => memory.clear());

describe("memory", () => {
  test("create reads its values (and timestamps) in chunks of 65536", async () => {
    const values = Array.from({ length: 150_000 }, (_, i) => i);
    const source = memory.create(values, { timestamps: values.map((v) => v * 10) });
    const ctx = throwingCtx();
    const splits = await source.reading!.splits(ctx);
    expect(splits).toHaveLength(1);
    const chunks = [];
    for await (const chunk of source.reading!.read(splits[0]!, ctx)) chunks.push(chunk);
    expect(chunks.map((c) => c.values.length)).toEqual([65536, 65536, 18928]);
    expect(chunks.flatMap((c) => c.values)).toEqual(values);
    expect(chunks.flatMap((c) => c.timestamps ?? [])).toEqual(values.map((v) => v * 10));
    const plain = await readAll(memory.create(["a", "b"]));
    expect(plain).toEqual(["a", "b"]);
    expect(await readAll(memory.create([]))).toEqual([]);
  });

  test("collect publishes at commit only, shard 0's values first; a repeated commit is a no-op", async () => {
    const sink = memory.collect<string>("out");
    const pending = await writeShards(sink, [["a", "b"], ["c"], []]);
    expect(() => memory.results("out")).toThrow(/memory\.results\("out"\): nothing was committed/);
    await sink.writing!.commit([pending[2]!, pending[1]!, pending[0]!], { step: "Write" });
    expect(memory.results("out")).toEqual(["a", "b", "c"]);
    await sink.writing!.commit(pending, { step: "Write" });
    expect(memory.results("out")).toEqual(["a", "b", "c"]);
  });

  test("an aborted shard is never published; results are copies; clear forgets one id or all", async () => {
    const sink = memory.collect<number>("x");
    const writing = sink.writing!;
    const aborted = await writing.open({ step: "Write", shard: 0, shards: 1 });
    await aborted.write([1]);
    const pending = await aborted.close();
    await aborted.abort();
    await expect(writing.commit([pending], { step: "Write" })).rejects.toThrow(/shard 0 was not written in this thread/);
    expect(() => memory.results("x")).toThrow(/"x"/);
    await writing.commit(await writeShards(sink, [[1, 2]]), { step: "Write" });
    memory.results<number>("x").push(99);
    expect(memory.results("x")).toEqual([1, 2]);
    await memory.collect<number>("y").writing!.commit(await writeShards(memory.collect<number>("y"), [[3]]), { step: "Write" });
    memory.clear("x");
    expect(() => memory.results("x")).toThrow();
    expect(memory.results("y")).toEqual([3]);
    memory.clear();
    expect(() => memory.results("y")).toThrow();
  });

  test("the graph records only the count or the id", () => {
    expect(memory.create([1, 2, 3]).params).toEqual({ count: 3 });
    expect(memory.collect("counts")).toMatchObject({ kind: "memory", params: { id: "counts" } });
  });
});
