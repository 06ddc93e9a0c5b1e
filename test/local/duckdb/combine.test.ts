import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DUCK_AGGREGATES, type DuckAggregate, DuckCombine, LocalDb } from "../../../runners/local/duckdb/index.js";
import { seededRandom } from "../../support/random.js";
import { type Bundle, collect, jsCombine } from "./support.js";

let db: LocalDb;
beforeAll(async () => {
  db = await LocalDb.open({ memoryLimit: "256MB" });
});
afterAll(() => db.close());

/** Strings that DuckDB's UTF-8 would mangle (lone surrogates) or order unlike JS (U+E000.. vs astral). */
const AWKWARD = ["", "é", "😀", "\uE000", "\uFFFF", "\uD800", "\uDC00x", "a\u0000b", "'quote\"", "z"];

function generator(seed: number) {
  const rand = seededRandom(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const key = (): unknown => {
    switch (int(6)) {
      case 0:
      case 1:
        return `k${int(40)}`;
      case 2:
        return int(30) - 10 + (int(4) === 0 ? 0.5 : 0);
      case 3: // structurally equal objects built in either property order
        return int(2) ? { user: int(6), tags: ["a", int(3)] } : { tags: ["a", int(3)], user: int(6) };
      case 4:
        return pick([true, false, null, undefined, 7n, -3n, new Date(86_400_000), NaN, Infinity]);
      default:
        return pick(AWKWARD);
    }
  };
  const str = () => Array.from({ length: 1 + int(3) }, () => pick(AWKWARD)).join("");
  const value: Record<DuckAggregate | "minString" | "maxString", () => unknown> = {
    count: () => pick(["x", 1, null]),
    sum: () => int(2001) - 1000,
    mean: () => int(2001) - 1000,
    min: () => (rand() - 0.5) * 1e6,
    max: () => (rand() - 0.5) * 1e6,
    minString: str,
    maxString: str,
    countDistinct: () => pick([int(12), `${int(12)}`, pick([true, false, null, undefined, 1n, 2n]), str()]),
  };
  return (kind: keyof typeof value, n: number): Bundle => {
    const b: Bundle = { keys: [], windows: [], values: [] };
    for (let i = 0; i < n; i++) {
      b.keys.push(key());
      b.windows.push(int(5) - 1);
      b.values.push(value[kind]());
    }
    return b;
  };
}

type Flush = "never" | "each" | "random";
const CASES = (["count", "sum", "mean", "min", "max", "minString", "maxString", "countDistinct"] as const).flatMap((kind) =>
  (["never", "each", "random"] as const).flatMap((flush: Flush) => [64, undefined].map((spillAt) => ({ kind, flush, spillAt }))),
);

describe("DuckCombine gives what the JS combiners give", () => {
  test.each(CASES)("$kind, flush $flush, spill at $spillAt", async ({ kind, flush, spillAt }) => {
    const aggregate: DuckAggregate = kind === "minString" ? "min" : kind === "maxString" ? "max" : kind;
    const seed = CASES.findIndex((c) => c.kind === kind && c.flush === flush && c.spillAt === spillAt);
    const next = generator(1000 + seed);
    const rand = seededRandom(seed);
    const bundles = Array.from({ length: 30 }, () => next(kind, Math.floor(rand() * 600)));
    const combine = await DuckCombine.create(db, { step: `Combine-${kind}`, aggregate, spillAt });
    for (const b of bundles) {
      await combine.add(b.keys, b.windows, b.values);
      if (flush === "each" || (flush === "random" && rand() < 0.3)) await combine.flush();
    }
    const got = await collect(combine);
    const want = jsCombine(aggregate, bundles);
    expect(got.size).toBe(want.size);
    for (const [id, w] of want) {
      const g = got.get(id);
      expect(g, id).toBeDefined();
      expect(g!.key, id).toEqual(w.key);
      expect(g!.value, id).toBe(w.value);
    }
    // Below spillAt and never flushed, the partials never left JS; otherwise DuckDB finished them.
    expect(combine.inDuckDb).toBe(flush !== "never" || spillAt !== undefined);
    if (flush === "never" && spillAt === undefined) expect(combine.partialRows).toBe(0);
  });

  test("object keys come back as the first one seen, not a decoded copy", async () => {
    const first = { b: 1, a: 2 };
    const combine = await DuckCombine.create(db, { step: "Objects", aggregate: "count" });
    await combine.add([first, { a: 2, b: 1 }], [0, 0], [null, null]);
    const got = [...(await collect(combine)).values()];
    expect(got).toHaveLength(1);
    expect(got[0]!.key).toBe(first);
    expect(got[0]!.value).toBe(2);
  });

  test("sums of fractions agree to rounding; integer sums past 2^32 are exact", async () => {
    const combine = await DuckCombine.create(db, { step: "Fractions", aggregate: "sum", spillAt: 10 });
    const rand = seededRandom(7);
    const bundles: Bundle[] = Array.from({ length: 20 }, () => ({
      keys: Array.from({ length: 100 }, (_, i) => `k${i % 13}`),
      windows: Array.from({ length: 100 }, () => 0),
      values: Array.from({ length: 100 }, () => rand() * 1000),
    }));
    bundles.push({ keys: ["big", "big", "big"], windows: [0, 0, 0], values: [2 ** 40, 2 ** 41 + 1, 3] });
    for (const b of bundles) await combine.add(b.keys, b.windows, b.values);
    const got = await collect(combine);
    for (const [id, w] of jsCombine("sum", bundles)) expect(got.get(id)!.value as number).toBeCloseTo(w.value as number, 6);
    expect(got.get("0|sbig")!.value).toBe(2 ** 40 + 2 ** 41 + 4);
  });
});

describe("chunking and spilling", () => {
  test("over 65,536 distinct keys in one bundle, many chunks of 2,048 rows per spill, in two windows", async () => {
    const n = 150_000;
    const keys = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? i : `key-${i}`));
    const combine = await DuckCombine.create(db, { step: "Wide", aggregate: "sum" });
    for (const window of [0, 1])
      await combine.add(
        keys,
        Array<number>(n).fill(window),
        keys.map((_, i) => i + window),
      );
    await combine.flush();
    await combine.add(keys, Array<number>(n).fill(0), Array<number>(n).fill(1));
    // add() spills each time 65,536 partials are held: twice in the last bundle, whose rest is still in JS.
    expect(combine.partialRows).toBe(2 * n + 2 * 65_536);
    const got = await collect(combine);
    expect(got.size).toBe(2 * n);
    keys.forEach((key, i) => {
      expect(got.get(`0|${typeof key === "number" ? `n${key}` : `s${key}`}`)!.value).toBe(i + 1);
      expect(got.get(`1|${typeof key === "number" ? `n${key}` : `s${key}`}`)!.value).toBe(i + 1);
    });
  });

  test("stopping early, or closing without results(), also drops the tables", async () => {
    const connection = await db.connect();
    const tables = async () => Number((await connection.runAndReadAll("SELECT count(*) FROM duckdb_tables()")).getRows()[0]![0]);
    const before = await tables();
    const early = await DuckCombine.create(db, { step: "Early", aggregate: "count" });
    await early.add(
      Array.from({ length: 10_000 }, (_, i) => i),
      Array<number>(10_000).fill(0),
      [],
    );
    await early.flush(); // into DuckDB, so that stopping early has tables to drop
    for await (const batch of early.results()) if (batch.keys.length > 0) break;
    const unread = await DuckCombine.create(db, { step: "Unread", aggregate: "min" });
    await unread.add(["a"], [0], [1]);
    await unread.flush();
    await unread.close();
    await unread.close();
    expect(await tables()).toBe(before);
    await expect(early.add(["a"], [0], [])).rejects.toThrow(`step "Early": add() after results()`);
    db.disconnect(connection);
  });

  test("results() leaves no tables behind", async () => {
    const connection = await db.connect();
    const tables = async () => Number((await connection.runAndReadAll("SELECT count(*) FROM duckdb_tables()")).getRows()[0]![0]);
    const before = await tables();
    const combine = await DuckCombine.create(db, { step: "Tidy", aggregate: "countDistinct" });
    expect(await tables()).toBe(before); // tables are made at the first spill
    await combine.add(["a"], [0], [1]);
    await combine.flush();
    expect(await tables()).toBeGreaterThan(before);
    await collect(combine);
    expect(await tables()).toBe(before);
    db.disconnect(connection);
  });
});

describe("errors name the step", () => {
  const add = async (aggregate: DuckAggregate, keys: unknown[], values: unknown[], windows = keys.map(() => 0)) => {
    const combine = await DuckCombine.create(db, { step: "Totals", aggregate });
    try {
      await combine.add(keys, windows, values);
    } finally {
      await combine.close();
    }
  };

  test.each(["sum", "mean"] as const)("%s of a non-number shows the value", async (aggregate) => {
    await expect(add(aggregate, ["a", "b"], [1, "12"])).rejects.toThrow(
      `step "Totals": ${aggregate} needs numbers, got string "12"`,
    );
    await expect(add(aggregate, ["a"], [{ n: 1 }])).rejects.toThrow(
      `step "Totals": ${aggregate} needs numbers, got object {"n":1}`,
    );
  });

  test("min and max need one type of value", async () => {
    await expect(add("min", ["a", "b"], [1, "x"])).rejects.toThrow(
      `step "Totals": min needs values of one type, got a string "x" after numbers`,
    );
    await expect(add("max", ["a"], [true])).rejects.toThrow(`step "Totals": max needs numbers or strings, got boolean true`);
  });

  test("bad keys and windows", async () => {
    await expect(add("count", [() => 1], [1])).rejects.toThrow(/^step "Totals": encodeKey: unsupported key type function/);
    await expect(add("count", ["a"], [1], [0.5])).rejects.toThrow(
      `step "Totals": a window index must be a 32-bit integer, got 0.5`,
    );
    await expect(add("count", ["a", "b"], [1, 1], [0])).rejects.toThrow(/as many windows and values as keys/);
  });

  test("every aggregate DuckDB finishes is listed", () => {
    expect([...DUCK_AGGREGATES].sort()).toEqual(["count", "countDistinct", "max", "mean", "min", "sum"]);
  });
});
