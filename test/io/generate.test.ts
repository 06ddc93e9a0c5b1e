import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { type GenerateEventsOptions, generate, memory } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import { type Instant, type KV, Pipeline, type ReadChunk, type Source } from "../../sdk/index.js";
import { sum } from "../../transforms/index.js";
import { throwingCtx } from "./helpers.js";

afterEach(() => memory.clear());

type Event = KV<string, number>;

const START = 1_700_000_000_000;

/** Every split's chunks, split by split; splits are read concurrently, as a runner may. */
async function readSplits(source: Source<Event>): Promise<ReadChunk<Event>[][]> {
  const ctx = throwingCtx();
  const reading = source.reading!;
  return Promise.all(
    (await reading.splits(ctx)).map(async (split) => {
      const chunks: ReadChunk<Event>[] = [];
      for await (const chunk of reading.read(split, ctx)) chunks.push(chunk);
      return chunks;
    }),
  );
}

const valuesOf = (chunks: readonly ReadChunk<Event>[]) => chunks.flatMap((c) => c.values);
const timesOf = (chunks: readonly ReadChunk<Event>[]) => chunks.flatMap((c) => c.timestamps ?? []);

describe("generate.events", () => {
  test("deals events round-robin to the splits, in fixed chunks, each value with its timestamp", async () => {
    const splits = await readSplits(generate.events({ count: 10_001, keys: 5, splits: 3, chunk: 1000, eventsPerSecond: 1000 }));
    expect(splits.map((s) => s.map((c) => c.values.length))).toEqual([
      [1000, 1000, 1000, 334],
      [1000, 1000, 1000, 334],
      [1000, 1000, 1000, 333],
    ]);
    for (const chunks of splits) for (const c of chunks) expect(c.timestamps).toHaveLength(c.values.length);
    // At 1000 events/s event n is at START + n ms: split s holds n = s, s + 3, s + 6, ...
    splits.forEach((chunks, s) => expect(timesOf(chunks)).toEqual(timesOf(chunks).map((_, j) => START + s + 3 * j)));
    expect(splits.reduce((n, s) => n + valuesOf(s).length, 0)).toBe(10_001);

    const few = await readSplits(generate.events({ count: 2, keys: 1 }));
    expect(few.map((s) => valuesOf(s).length)).toEqual([1, 1, 0, 0]);
    expect(few[2]).toEqual([]);
    expect((await readSplits(generate.events({ count: 0, keys: 1, splits: 2 }))).flat()).toEqual([]);
  });

  test("is deterministic per split, whatever the chunk size; the seed and the split change the data", async () => {
    const options: GenerateEventsOptions = { count: 20_000, keys: 50, splits: 2, chunk: 777, outOfOrderMs: 30 };
    const first = await readSplits(generate.events(options));
    const again = await readSplits(generate.events(options));
    expect(again).toEqual(first);
    const rechunked = await readSplits(generate.events({ ...options, chunk: 4096 }));
    expect(rechunked.map(valuesOf)).toEqual(first.map(valuesOf));
    expect(rechunked.map(timesOf)).toEqual(first.map(timesOf));
    expect(valuesOf(first[1]!)).not.toEqual(valuesOf(first[0]!));
    const reseeded = await readSplits(generate.events({ ...options, seed: 2 }));
    expect(valuesOf(reseeded[0]!)).not.toEqual(valuesOf(first[0]!));
    // Delays come from their own stream: keys and values do not depend on outOfOrderMs.
    const inOrder = await readSplits(generate.events({ ...options, outOfOrderMs: 0 }));
    expect(inOrder.map(valuesOf)).toEqual(first.map(valuesOf));
  });

  test("a split read again from the start, skipping chunks, sees the same chunks after (restore)", async () => {
    const source = generate.events({ count: null, keys: 10, chunk: 100, outOfOrderMs: 5 });
    const ctx = throwingCtx();
    const [, split] = await source.reading!.splits(ctx);
    const take = async (skip: number, n: number) => {
      const out: ReadChunk<Event>[] = [];
      let seen = 0;
      for await (const chunk of source.reading!.read(split!, ctx)) {
        if (seen++ >= skip) out.push(chunk);
        if (out.length === n) break;
      }
      return out;
    };
    const run = await take(0, 8);
    expect(await take(5, 3)).toEqual(run.slice(5));
  });

  test("timestamps are START + n * 1000 / eventsPerSecond, moved back by at most outOfOrderMs", async () => {
    const [ordered] = await readSplits(generate.events({ count: 1000, keys: 3, splits: 1, eventsPerSecond: 100_000 }));
    expect(timesOf(ordered!)).toEqual(Array.from({ length: 1000 }, (_, n) => START + Math.floor(n / 100)));

    const [late] = await readSplits(
      generate.events({ count: 5000, keys: 3, splits: 1, eventsPerSecond: 1000, outOfOrderMs: 50 }),
    );
    const delays = timesOf(late!).map((t, n) => START + n - t);
    expect(Math.min(...delays)).toBe(0);
    expect(Math.max(...delays)).toBe(50);
    expect(delays.every(Number.isInteger)).toBe(true);
    const times = timesOf(late!);
    expect(times.some((t, n) => n > 0 && t < times[n - 1]!)).toBe(true);

    const [flat] = await readSplits(generate.events({ count: 10, keys: 3, splits: 1, eventsPerSecond: null, startMs: 5 }));
    expect(timesOf(flat!)).toEqual(Array<Instant>(10).fill(5));
  });

  test("keys are k0 .. k(keys-1), all of them drawn; values are whole numbers in [0, 100)", async () => {
    const all = (await readSplits(generate.events({ count: 20_000, keys: 7 }))).flatMap(valuesOf);
    expect(new Set(all.map((e) => e.key))).toEqual(new Set(["k0", "k1", "k2", "k3", "k4", "k5", "k6"]));
    expect(all.every((e) => Number.isInteger(e.value) && e.value >= 0 && e.value < 100)).toBe(true);
    expect(new Set(all.map((e) => e.value)).size).toBe(100);
    // Past the shared key table, keys are made per event and still in range.
    const wide = (await readSplits(generate.events({ count: 2000, keys: 3_000_000 }))).flatMap(valuesOf);
    expect(wide.every((e) => /^k\d+$/.test(e.key) && Number(e.key.slice(1)) < 3_000_000)).toBe(true);
  });

  test("params are the options as plain JSON, defaults filled in; count null is unbounded", () => {
    const source = generate.events({ count: 1000, keys: 10 });
    expect(source).toMatchObject({ kind: "generate.events", bounded: true });
    expect(source.params).toEqual({
      count: 1000,
      keys: 10,
      splits: 4,
      eventsPerSecond: 100_000,
      outOfOrderMs: 0,
      paced: false,
      seed: 1,
      chunk: 4096,
      startMs: START,
    });
    expect(JSON.parse(JSON.stringify(source.params))).toEqual(source.params);
    const endless = generate.events({ count: null, keys: 1, eventsPerSecond: null, paced: true });
    expect(endless.bounded).toBe(false);
    expect(endless.params).toMatchObject({ count: null, eventsPerSecond: null, paced: true });
  });

  test("bad options fail at definition, naming the option and the value", () => {
    const bad = (options: Partial<GenerateEventsOptions>) => () =>
      generate.events({ count: 10, keys: 1, ...options } as GenerateEventsOptions);
    expect(bad({ count: -1 })).toThrow("generate.events: count must be a safe integer ≥ 0, got -1");
    expect(bad({ count: 1.5 })).toThrow(/count .* got 1\.5/);
    expect(bad({ count: 2 ** 53 })).toThrow(/count .* got 9007199254740992/);
    expect(bad({ keys: 0 })).toThrow("generate.events: keys must be a safe integer ≥ 1, got 0");
    expect(bad({ splits: 0 })).toThrow(/splits .* ≥ 1, got 0/);
    expect(bad({ eventsPerSecond: 0 })).toThrow("generate.events: eventsPerSecond must be a finite number > 0, or null, got 0");
    expect(bad({ eventsPerSecond: Infinity })).toThrow(/eventsPerSecond .* got Infinity/);
    expect(bad({ outOfOrderMs: -5 })).toThrow("generate.events: outOfOrderMs must be a finite number ≥ 0, got -5");
    expect(bad({ chunk: 0 })).toThrow(/chunk .* ≥ 1, got 0/);
    expect(bad({ seed: 0.5 })).toThrow(/seed .* got 0\.5/);
    expect(bad({ startMs: NaN })).toThrow(/startMs .* got NaN/);
    expect(bad({ keys: "3" as unknown as number })).toThrow(/keys .* got "3"/);
    expect(bad({ eventPerSecond: 10 } as Partial<GenerateEventsOptions>)).toThrow('unknown option "eventPerSecond"');
  });

  test("an unbounded source goes on until the reader stops it", async () => {
    const source = generate.events({ count: null, keys: 10, splits: 2, chunk: 1000 });
    const ctx = throwingCtx();
    const [split] = await source.reading!.splits(ctx);
    const chunks = source.reading!.read(split!, ctx)[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) {
      const next = await chunks.next();
      expect(next.done).toBe(false);
      expect(next.value!.values).toHaveLength(1000);
    }
    expect((await chunks.return!(undefined)).done).toBe(true);
    expect((await chunks.next()).done).toBe(true);
  });

  test("paced: the source keeps to eventsPerSecond in wall time, stamped with the time of generation", async () => {
    const options: GenerateEventsOptions = { count: 20_000, keys: 10, eventsPerSecond: 100_000, outOfOrderMs: 3 };
    const began = Date.now();
    const paced = await readSplits(generate.events({ ...options, paced: true }));
    const ended = Date.now();
    expect(ended - began).toBeGreaterThanOrEqual(150);
    const times = paced.flatMap(timesOf);
    expect(times).toHaveLength(20_000);
    expect(times.every((t) => t >= began - 3 && t <= ended)).toBe(true);
    const flat = await readSplits(generate.events(options));
    expect(paced.map(valuesOf)).toEqual(flat.map(valuesOf));
  });

  test("runs in a pipeline on the local runner: sums per key add up to the sum of every value", async () => {
    const source = generate.events({ count: 10_000, keys: 10, splits: 2 });
    const expected = (await readSplits(source)).flatMap(valuesOf).reduce((total, e) => total + e.value, 0);
    const built = Pipeline.define("generated-sums", z.object({}), (p) => {
      p.read("Gen", generate.events({ count: 10_000, keys: 10, splits: 2 }))
        .pipe(sum.perKey())
        .write("Out", memory.collect("generated-sums"));
    }).build({});
    await runLocal(built, { parallelism: 1 });
    const sums = memory.results<Event>("generated-sums");
    expect(sums.map((e) => e.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
    expect(sums.reduce((total, e) => total + e.value, 0)).toBe(expected);
  });
});
