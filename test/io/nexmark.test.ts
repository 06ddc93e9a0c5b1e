import { describe, expect, test } from "vitest";
import {
  type Auction,
  type Bid,
  JavaRandom,
  type NexmarkEvent,
  type NexmarkOptions,
  type Person,
  nexmark,
} from "../../io/index.js";
import { type ReadChunk } from "../../sdk/index.js";
import { throwingCtx } from "./helpers.js";

// The Nexmark generator: java.util.Random reproduced, Beam's generator rules (docs/nexmark.md
// §3), determinism, splits and resuming at a position.

async function readAll(options: NexmarkOptions): Promise<ReadChunk<NexmarkEvent>[][]> {
  const ctx = throwingCtx();
  const reading = nexmark.events(options).reading!;
  return Promise.all(
    (await reading.splits(ctx)).map(async (split) => {
      const chunks: ReadChunk<NexmarkEvent>[] = [];
      for await (const chunk of reading.read(split, ctx)) chunks.push(chunk);
      return chunks;
    }),
  );
}

const valuesOf = (chunks: readonly ReadChunk<NexmarkEvent>[]) => chunks.flatMap((c) => c.values);

describe("JavaRandom", () => {
  test("gives java.util.Random's published sequences", () => {
    // Values printed by OpenJDK for these seeds.
    expect(new JavaRandom(0).nextInt()).toBe(-1155484576);
    expect(new JavaRandom(42).nextInt()).toBe(-1170105035);
    expect(new JavaRandom(0).nextDouble()).toBe(0.730967787376657);
    expect(new JavaRandom(42).nextDouble()).toBe(0.7275636800328681);
    expect(new JavaRandom(0).nextLong()).toBe(-4962768465676381896n);
    const r = new JavaRandom(42);
    expect(Array.from({ length: 8 }, () => r.nextInt(10))).toEqual([0, 3, 8, 4, 0, 5, 5, 8]);
  });

  test("nextInt(bound) stays in range for powers of two and others; seeds above 2^32 use their low 48 bits", () => {
    const r = new JavaRandom(7);
    for (const bound of [1, 2, 13, 26, 64, 1000, 2 ** 30, 2 ** 31 - 2]) {
      for (let i = 0; i < 200; i++) {
        const v = r.nextInt(bound);
        expect(v >= 0 && v < bound && Number.isInteger(v)).toBe(true);
      }
    }
    expect(new JavaRandom(2 ** 48 + 5).nextInt()).toBe(new JavaRandom(5).nextInt());
    expect(new JavaRandom(2 ** 40 + 5).nextInt()).not.toBe(new JavaRandom(5).nextInt());
  });
});

describe("nexmark.events", () => {
  test("follows Beam's proportions and id rules: event id mod 50 gives the kind, ids count up from 1000", async () => {
    const [events] = (await readAll({ numEvents: 5000, generators: 1 })).map(valuesOf);
    expect(events).toHaveLength(5000);
    const kinds = events!.map((e) => e.kind);
    expect(kinds.filter((k) => k === "person")).toHaveLength(100);
    expect(kinds.filter((k) => k === "auction")).toHaveLength(300);
    expect(kinds.filter((k) => k === "bid")).toHaveLength(4600);
    events!.forEach((e, id) => expect(e.kind).toBe(id % 50 === 0 ? "person" : id % 50 < 4 ? "auction" : "bid"));
    const people = events!.filter((e): e is Person => e.kind === "person");
    expect(people.map((p) => p.id)).toEqual(people.map((_, i) => 1000 + i));
    const auctions = events!.filter((e): e is Auction => e.kind === "auction");
    expect(auctions.map((a) => a.id)).toEqual(auctions.map((_, i) => 1000 + i));
    // Timestamps: one split at 10,000 events/s is 100 µs per event, so event n is at base + floor(n / 10) ms.
    const base = Date.UTC(2015, 6, 15);
    events!.forEach((e, n) => expect(e.dateTime).toBe(base + Math.floor(n / 10)));
  });

  test("fields follow Beam's rules: names, cities, states, categories, prices, reserves, expiry, foreign keys, padding", async () => {
    const events = (await readAll({ numEvents: 100_000 })).flatMap(valuesOf);
    const people = events.filter((e): e is Person => e.kind === "person");
    const auctions = events.filter((e): e is Auction => e.kind === "auction");
    const bids = events.filter((e): e is Bid => e.kind === "bid");
    for (const p of people) {
      expect(p.name).toMatch(/^(Peter|Paul|Luke|John|Saul|Vicky|Kate|Julie|Sarah|Deiter|Walter) \w+$/);
      expect(p.creditCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(["AZ", "CA", "ID", "OR", "WA", "WY"]).toContain(p.state);
      expect(p.emailAddress).toMatch(/^[a-z ]+@[a-z ]+\.com$/);
    }
    const maxPerson = Math.max(...people.map((p) => p.id));
    const maxAuction = Math.max(...auctions.map((a) => a.id));
    for (const a of auctions) {
      expect(a.category >= 10 && a.category <= 14).toBe(true);
      expect(a.reserve).toBeGreaterThan(a.initialBid);
      expect(a.initialBid >= 100 && a.initialBid <= 100_000_000).toBe(true);
      expect(a.expires).toBeGreaterThan(a.dateTime);
      expect(a.seller >= 1000 && a.seller <= maxPerson + 10).toBe(true);
    }
    // Average sizes: the padding brings records near Beam's targets (8 bytes per number).
    const meanExtra = (xs: { extra: string }[]) => xs.reduce((n, x) => n + x.extra.length, 0) / xs.length;
    expect(meanExtra(bids) + 32).toBeGreaterThan(95);
    expect(meanExtra(bids) + 32).toBeLessThan(105);
    // Hot auctions and bidders: about half the bids go to a hot auction (id a multiple of 100 from 1000).
    const hot = bids.filter((b) => (b.auction - 1000) % 100 === 0).length / bids.length;
    expect(hot).toBeGreaterThan(0.45);
    expect(hot).toBeLessThan(0.6);
    for (const b of bids) {
      expect(b.auction >= 1000 && b.auction <= maxAuction + 10).toBe(true);
      expect(b.price >= 100 && b.price <= 100_000_000).toBe(true);
    }
    // Prices are log-uniform over 6 decades: about a sixth below 10 dollars.
    const cheap = bids.filter((b) => b.price < 1000).length / bids.length;
    expect(cheap).toBeGreaterThan(0.15);
    expect(cheap).toBeLessThan(0.18);
  });

  test("is deterministic, splits into disjoint id blocks, and the seed changes the data", async () => {
    const options: NexmarkOptions = { numEvents: 20_001, generators: 3, chunk: 1000 };
    const first = await readAll(options);
    expect(await readAll(options)).toEqual(first);
    expect(first.map((s) => valuesOf(s).length)).toEqual([6667, 6667, 6667]);
    // Split i holds event ids i*6667 ...: its first event is a person iff that id is a multiple of 50.
    const firstPeople = first.map((s) => valuesOf(s).filter((e): e is Person => e.kind === "person")[0]!.id);
    expect(firstPeople).toEqual([1000, 1000 + Math.floor(6667 / 50) + 1, 1000 + Math.floor(13334 / 50) + 1]);
    // Every split shares one timeline: event k of each is at the same time.
    expect(first.map((s) => valuesOf(s)[100]!.dateTime)).toEqual(Array(3).fill(valuesOf(first[0]!)[100]!.dateTime));
    const reseeded = await readAll({ ...options, seed: 9 });
    expect(valuesOf(reseeded[0]!).map((e) => e.kind)).toEqual(valuesOf(first[0]!).map((e) => e.kind));
    expect(valuesOf(reseeded[0]!)).not.toEqual(valuesOf(first[0]!));
    const rechunked = await readAll({ ...options, chunk: 333 });
    expect(rechunked.map(valuesOf)).toEqual(first.map(valuesOf));
  });

  test("each chunk's position resumes the split after it, without generating what came before", async () => {
    const source = nexmark.events({ numEvents: 10_000, generators: 2, chunk: 700 });
    const ctx = throwingCtx();
    const [split] = await source.reading!.splits(ctx);
    const all: ReadChunk<NexmarkEvent>[] = [];
    for await (const c of source.reading!.read(split!, ctx)) all.push(c);
    expect(all.map((c) => c.position)).toEqual([700, 1400, 2100, 2800, 3500, 4200, 4900, 5000]);
    const resumed: ReadChunk<NexmarkEvent>[] = [];
    for await (const c of source.reading!.read(split!, ctx, 2100)) resumed.push(c);
    expect(resumed).toEqual(all.slice(3));
    expect(() => source.reading!.read(split!, ctx, "x")).toThrow('cannot resume at "x"');
  });

  test("thread: each split generated in its own worker thread gives the same chunks; a resume or an early stop ends it", async () => {
    const options: NexmarkOptions = { numEvents: 30_000, generators: 2, chunk: 1000, outOfOrderGroupSize: 7 };
    const here = await readAll(options);
    const threaded = await readAll({ ...options, thread: true });
    expect(threaded).toEqual(here);
    expect(threaded.map((s) => s.length)).toEqual([15, 15]);
    const source = nexmark.events({ ...options, thread: true });
    const ctx = throwingCtx();
    const [, second] = await source.reading!.splits(ctx);
    const resumed: ReadChunk<NexmarkEvent>[] = [];
    for await (const c of source.reading!.read(second!, ctx, 12_000)) resumed.push(c);
    expect(resumed).toEqual(here[1]!.slice(12));
    // Stopping after one chunk returns (the reader's return terminates the thread, a few chunks ahead).
    const t0 = performance.now();
    for await (const c of source.reading!.read(second!, ctx)) {
      expect(c.position).toBe(1000);
      break;
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test("out-of-order groups permute events within each group; the read's default slack covers them", async () => {
    const inOrder = (await readAll({ numEvents: 4000, generators: 1 })).flatMap(valuesOf);
    const shuffled = (await readAll({ numEvents: 4000, generators: 1, outOfOrderGroupSize: 100 })).flatMap(valuesOf);
    expect(shuffled).not.toEqual(inOrder);
    const key = (e: NexmarkEvent) => JSON.stringify(e);
    for (let g = 0; g < 4000; g += 100)
      expect(
        shuffled
          .slice(g, g + 100)
          .map(key)
          .sort(),
      ).toEqual(
        inOrder
          .slice(g, g + 100)
          .map(key)
          .sort(),
      );
    expect(nexmark.events({ numEvents: 10, generators: 1 }).readDefaults?.maxDelay).toBe(4000);
  });

  test("unbounded: paced at the rate by the wall clock", async () => {
    const source = nexmark.events({ numEvents: null, rate: 20_000, generators: 2, chunk: 1000 });
    expect(source.bounded).toBe(false);
    const ctx = throwingCtx();
    const [split] = await source.reading!.splits(ctx);
    const t0 = performance.now();
    let n = 0;
    for await (const c of source.reading!.read(split!, ctx)) if ((n += c.values.length) >= 5000) break;
    // 5,000 events of one split at 10,000/s each: the last is due after 0.5 s.
    expect(performance.now() - t0).toBeGreaterThan(450);
  });

  test("a chunk's columns as Arrow tables: one per kind, the same rows as its records", () => {
    const { params } = nexmark.events({ numEvents: 20_000, generators: 2 });
    const columns = nexmark.generateColumns(params, 1, 300, 2000);
    const { values } = nexmark.columnsToEvents(columns);
    const tables = nexmark.columnsToArrow(columns);
    for (const kind of ["person", "auction", "bid"] as const) {
      const records = values.filter((v) => v.kind === kind).map(({ kind: _, ...fields }) => fields);
      const rows = tables[kind].toArray().map((r) => ({ ...(r as object) }));
      expect(rows.length, kind).toBeGreaterThan(0);
      expect(rows, kind).toEqual(records);
    }
    expect(tables.bid.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      "auction:Float64",
      "bidder:Float64",
      "price:Float64",
      "dateTime:Float64",
      "extra:Utf8",
    ]);
  });

  test("bad options name the option", () => {
    expect(() => nexmark.events({ numEvents: 0 })).toThrow("nexmark.events: numEvents must be a whole number ≥ 1, got 0");
    expect(() => nexmark.events({ numEvents: 10, rate: 0 })).toThrow("rate must be a whole number in 1..2000000, got 0");
    expect(() => nexmark.events({ numEvents: 3, generators: 4 })).toThrow("at least the number of generators (4)");
    expect(() => nexmark.events({ numEvents: 10, thread: 1 } as unknown as NexmarkOptions)).toThrow(
      "thread must be true or false, got 1",
    );
    expect(() => nexmark.events({ numEvents: 10, colour: 1 } as unknown as NexmarkOptions)).toThrow('unknown option "colour"');
  });
});
