import { deserialize, serialize } from "node:v8";
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads";
import { describe, expect, test } from "vitest";
import { type Bundle, type Meta, SOURCE_META, isUniform, metaAt, metaOf } from "../../runners/core/exec/bundle.js";
import { concatBundles, decodeBundle, encodeBundle, valueLayoutOf } from "../../runners/core/exec/bundle-codec.js";
import { GLOBAL_WINDOW, Instant, NO_FIRING, type PaneInfo, kv } from "../../sdk/index.js";
import { seededRandom } from "../support/random.js";

const EARLY: PaneInfo = { index: 1, nonSpeculativeIndex: -1, timing: "EARLY", isFirst: false, isLast: false };
const LATE: PaneInfo = { index: 3, nonSpeculativeIndex: 2, timing: "LATE", isFirst: false, isLast: true };
const FIXED: Meta = { timestamp: 9_999, windows: [{ start: 0, end: 10_000 }], pane: EARLY, retraction: false };
/** Metas a bundle may carry, including value copies of the shared constants (as a structured clone makes them). */
const METAS: readonly Meta[] = [
  SOURCE_META,
  metaAt(5),
  metaAt(Instant.MAX),
  FIXED,
  { ...FIXED, pane: LATE, retraction: true },
  { timestamp: -0, windows: [{ ...GLOBAL_WINDOW }], pane: { ...NO_FIRING }, retraction: false },
  { timestamp: Instant.MIN, windows: [{ ...GLOBAL_WINDOW }], pane: { ...NO_FIRING }, retraction: false },
  { timestamp: 20, windows: [GLOBAL_WINDOW, { start: 10, end: 30 }, { start: 15, end: 35 }], pane: NO_FIRING, retraction: false },
  { timestamp: 7, windows: [], pane: { ...EARLY, timing: "ON_TIME" }, retraction: true },
];

const roundTrip = (b: Bundle): Bundle => decodeBundle(encodeBundle(b));

/** Decoded metas point at the shared constants again wherever they are equal to them. */
function expectCanonical(b: Bundle): void {
  for (let i = 0; i < b.values.length; i++) {
    const m = metaOf(b, i);
    for (const w of m.windows) if (w.start === GLOBAL_WINDOW.start && w.end === GLOBAL_WINDOW.end) expect(w).toBe(GLOBAL_WINDOW);
    if (m.pane.timing === "UNKNOWN" && m.pane.index === 0 && m.pane.isFirst && m.pane.isLast) expect(m.pane).toBe(NO_FIRING);
    if (
      m.timestamp === Instant.MIN &&
      m.windows.length === 1 &&
      m.windows[0] === GLOBAL_WINDOW &&
      m.pane === NO_FIRING &&
      !m.retraction
    )
      expect(m).toBe(SOURCE_META);
  }
}

describe("the bundle codec", () => {
  test.each([
    ["string", ["", "a", "héllo ✓", "😀 pairs", "\uFEFFleading BOM", "nul\0inside", "x".repeat(1000)]],
    ["number", [0, -0, NaN, Infinity, -Infinity, 1.5, 5e-324, Number.MAX_SAFE_INTEGER, Instant.MIN, Instant.MAX]],
    ["boolean", [true, false, false, true]],
    ["null", [null, null]],
    ["null", []],
    ["kv<string,number>", [kv("a", 1), kv("", -0), kv("ü", NaN)]],
    ["kv<number,string>", [kv(1, "a"), kv(-0, ""), kv(2.5, "😀")]],
    ["kv<string,null>", [kv("a", null), kv("b", null)]],
    ["kv<boolean,string>", [kv(true, "a"), kv(false, "b")]],
  ])("lays out %s values in columns and round-trips them exactly", (layout, values) => {
    const bytes = encodeBundle({ values, metas: SOURCE_META });
    expect(valueLayoutOf(bytes)).toBe(layout);
    const back = decodeBundle(bytes);
    expect(back).toStrictEqual({ values, metas: SOURCE_META });
    expect(back.metas).toBe(SOURCE_META);
  });

  test.each([
    ["mixed scalars", [1, "1", true, null]],
    ["undefined", [undefined, undefined]],
    ["objects, bigint, Date, Map", [{ a: 1 }, 10n, new Date(5), new Map([["k", [1]]])]],
    ["sparse arrays", [1, , 3]], // eslint-disable-line no-sparse-arrays
    ["lone surrogates", ["ok", "\uD800", "\uDC00x"]],
    ["surrogate halves that pair up once joined", ["a\uD83D", "\uDE00b"]],
    ["kv with a lone surrogate key", [kv("\uDFFF", 1)]],
    ["kv with object values", [kv("a", { n: 1 }), kv("b", { n: 2 })]],
    ["kv with mixed keys", [kv("a", 1), kv(2, 2)]],
    ["objects with more than key and value", [{ key: "a", value: 1, extra: true }]],
    ["value-first pairs", [{ value: 1, key: "a" }]],
  ])("falls back to v8.serialize for %s, still exactly", (_name, values) => {
    const bytes = encodeBundle({ values, metas: SOURCE_META });
    expect(valueLayoutOf(bytes)).toBe("v8");
    expect(decodeBundle(bytes)).toStrictEqual({ values, metas: SOURCE_META });
  });

  test("does not take a class instance shaped like a kv for one: the fallback keeps its data, not its class", () => {
    class Pair {
      constructor(
        readonly key: string,
        readonly value: number,
      ) {}
    }
    const bytes = encodeBundle({ values: [new Pair("a", 1)], metas: SOURCE_META });
    expect(valueLayoutOf(bytes)).toBe("v8");
    expect(decodeBundle(bytes).values).toStrictEqual([structuredClone(new Pair("a", 1))]);
  });

  test("round-trips empty bundles, uniform or with an empty meta column", () => {
    expect(roundTrip({ values: [], metas: SOURCE_META })).toStrictEqual({ values: [], metas: SOURCE_META });
    expect(roundTrip({ values: [], metas: [] })).toStrictEqual({ values: [], metas: [] });
  });

  test("keeps a shared meta shared, with windows, pane and retraction", () => {
    for (const metas of METAS) {
      const back = roundTrip({ values: [1, 2], metas });
      expect(isUniform(back.metas)).toBe(true);
      expect(back.metas).toStrictEqual(metas);
      expectCanonical(back);
    }
  });

  test("sends per-element metas as a dictionary, one object per distinct meta", () => {
    const metas = [...METAS, ...METAS, { ...FIXED }, { ...SOURCE_META }];
    const back = roundTrip({ values: metas.map((_, i) => i), metas });
    expect(back.metas).toStrictEqual(metas);
    expectCanonical(back);
    const decoded = back.metas as readonly Meta[];
    expect(decoded[3]).toBe(decoded[METAS.length + 3]);
    expect(decoded[metas.length - 2]).toBe(decoded[3]);
    expect(decoded[metas.length - 1]).toBe(SOURCE_META);
  });

  test("shares windows and panes between metas that differ only in timestamp", () => {
    const pane = { ...EARLY };
    const metas = [0, 1, 2, 3].map((t): Meta => ({ timestamp: t, windows: [{ start: 0, end: 10 }], pane, retraction: false }));
    const back = roundTrip({ values: [1, 2, 3, 4], metas }).metas as readonly Meta[];
    expect(back).toStrictEqual(metas);
    expect(new Set(back).size).toBe(4);
    expect(new Set(back.map((m) => m.windows)).size).toBe(1);
    expect(new Set(back.map((m) => m.pane)).size).toBe(1);
  });

  test("widens its index columns past 65,536 distinct metas and shapes", () => {
    const metas = Array.from({ length: 70_000 }, (_, i): Meta => ({
      ...FIXED,
      timestamp: i,
      windows: [{ start: i, end: i + 1 }],
    }));
    const bundle = { values: metas.map((m) => m.timestamp), metas };
    expect(roundTrip(bundle)).toStrictEqual(bundle);
  });

  test("refuses a meta column that does not match the values", () => {
    expect(() => encodeBundle({ values: [1, 2], metas: [SOURCE_META] })).toThrow(/2 values but 1 metas/);
  });

  test("round-trips random bundles exactly (seeded)", () => {
    const rand = seededRandom(42);
    const int = (n: number): number => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const UNITS = ["a", "Z", " ", "é", "✓", "😀", "\uD800", "\uDC00", "\uFEFF", "\0"];
    const NUMBERS = [0, -0, NaN, Infinity, -Infinity, 1.5, 5e-324, Instant.MIN, Instant.MAX, Number.MAX_SAFE_INTEGER];
    const str = (): string => Array.from({ length: int(6) }, () => pick(UNITS)).join("");
    const num = (): number => (rand() < 0.3 ? pick(NUMBERS) : (rand() - 0.5) * 1e9);
    const OTHERS = [undefined, 10n, { a: [1] }, new Date(3), new Map([[1, 2]]), [str()]];
    const scalars: (() => unknown)[] = [str, num, () => rand() < 0.5, () => null];
    const makers: (() => () => unknown)[] = [
      ...scalars.map((s) => () => s),
      () => () => kv(pick(scalars.slice(0, 3))(), pick(scalars)()),
      () => {
        const [k, v] = [pick(scalars), pick(scalars)];
        return () => kv(k(), v());
      },
      () => () => (rand() < 0.8 ? pick(scalars)() : pick(OTHERS)),
    ];
    const layouts = new Set<string>();
    for (let round = 0; round < 500; round++) {
      const make = pick(makers)();
      const values = Array.from({ length: int(40) }, make);
      const metas = rand() < 0.4 ? pick(METAS) : values.map(() => pick(METAS));
      const bytes = encodeBundle({ values, metas });
      layouts.add(valueLayoutOf(bytes));
      const back = decodeBundle(bytes);
      expect(back).toStrictEqual({ values, metas });
      expectCanonical(back);
    }
    expect(layouts.size).toBeGreaterThan(8);
  });

  test("returns bytes that own their buffer, so it can be transferred", () => {
    const bytes = encodeBundle({ values: ["a", "b"], metas: [SOURCE_META, FIXED] });
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(bytes.buffer, [bytes.buffer]);
    const received = receiveMessageOnPort(port2)?.message as ArrayBuffer;
    port1.close();
    expect(bytes.byteLength).toBe(0);
    expect(decodeBundle(new Uint8Array(received))).toStrictEqual({ values: ["a", "b"], metas: [SOURCE_META, FIXED] });
  });

  test("decodes from a view at an unaligned offset", () => {
    const bundle = { values: [kv("k", 1.25), kv("l", -0)], metas: [FIXED, SOURCE_META] };
    const bytes = encodeBundle(bundle);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeBundle(shifted.subarray(3))).toStrictEqual(bundle);
  });

  test("names a wrong version, a truncated buffer and trailing bytes", () => {
    const bytes = encodeBundle({ values: ["abc", "de"], metas: [FIXED, SOURCE_META] });
    expect(() => decodeBundle(new Uint8Array(0))).toThrow(/cannot decode bundle \(0 bytes\): truncated/);
    expect(() => decodeBundle(Uint8Array.from([9, ...bytes.subarray(1)]))).toThrow(
      /unsupported bundle codec version 9 \(this build reads 1\)/,
    );
    for (let n = 1; n < bytes.length; n++) expect(() => decodeBundle(bytes.subarray(0, n))).toThrow(/cannot decode bundle/);
    expect(() => decodeBundle(Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/frame ends at/);
  });

  test("either decodes or throws a bundle error on garbage, never anything else", () => {
    const rand = seededRandom(7);
    const bytes = encodeBundle({ values: [kv("a", 1), kv("bc", 2), kv("d", 3)], metas: [FIXED, SOURCE_META, FIXED] });
    for (let round = 0; round < 2_000; round++) {
      const garbage = bytes.slice();
      garbage[1 + Math.floor(rand() * (garbage.length - 1))] = Math.floor(rand() * 256);
      try {
        decodeBundle(garbage);
      } catch (e) {
        expect((e as Error).message).toMatch(/^cannot decode bundle/);
      }
    }
    const noise = Uint8Array.from({ length: 64 }, () => Math.floor(rand() * 256));
    noise[0] = 1;
    expect(() => decodeBundle(noise)).toThrow(/cannot decode bundle/);
  });

  test("encodes and decodes 100k kv(string, number) elements (speed, printed)", () => {
    const rand = seededRandom(1);
    const values = Array.from({ length: 100_000 }, () => kv(`user-${Math.floor(rand() * 1e6)}`, Math.floor(rand() * 1000)));
    const bundle: Bundle = { values, metas: SOURCE_META };
    const best = (run: () => void): number => {
      let ms = Infinity;
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        run();
        ms = Math.min(ms, performance.now() - start);
      }
      return ms;
    };
    let bytes = new Uint8Array();
    const encodeMs = best(() => (bytes = encodeBundle(bundle)));
    const decodeMs = best(() => decodeBundle(bytes));
    const v8Ms = best(() => deserialize(serialize(values)));
    expect(decodeBundle(bytes)).toStrictEqual(bundle);
    // The stream case: every element with its own timestamp, against a clone of values and metas.
    const stamped: Bundle = { values, metas: values.map((_, i) => metaAt(1_000 + i)) };
    const stampedMs = best(() => decodeBundle(encodeBundle(stamped)));
    const stampedV8Ms = best(() => deserialize(serialize(stamped)));
    expect(decodeBundle(encodeBundle(stamped))).toStrictEqual(stamped);
    const line = `bundle codec, 100k kv(string, number): encode ${encodeMs.toFixed(1)} ms + decode ${decodeMs.toFixed(1)} ms, ${bytes.length} bytes; v8 serialize+deserialize ${v8Ms.toFixed(1)} ms (${((encodeMs + decodeMs) / v8Ms).toFixed(2)}x)`;
    const stampedLine = `  with 100k distinct timestamps: encode+decode ${stampedMs.toFixed(1)} ms; v8 ${stampedV8Ms.toFixed(1)} ms (${(stampedMs / stampedV8Ms).toFixed(2)}x)`;
    console.info(`${line}\n${stampedLine}`); // eslint-disable-line no-console -- the speed check is printed, not asserted
  });
});

describe("concatBundles", () => {
  const other: Meta = metaAt(5);

  test("keeps one meta when every part shares it, by identity or by value", () => {
    const a = { values: [1], metas: FIXED };
    expect(concatBundles([a, { values: [2, 3], metas: FIXED }])).toStrictEqual({ values: [1, 2, 3], metas: FIXED });
    const joined = concatBundles([a, { values: [2], metas: { ...FIXED } }, { values: [3], metas: [{ ...FIXED }] }]);
    expect(joined.metas).toBe(FIXED);
    expect(joined.values).toStrictEqual([1, 2, 3]);
  });

  test("ignores empty parts when deciding whether the meta is shared", () => {
    const joined = concatBundles([
      { values: [], metas: FIXED },
      { values: [1], metas: other },
      { values: [], metas: [] },
    ]);
    expect(joined).toStrictEqual({ values: [1], metas: other });
  });

  test("spells the metas out per element when the parts differ", () => {
    const joined = concatBundles([
      { values: ["a", "b"], metas: FIXED },
      { values: ["c", "d"], metas: [other, FIXED] },
      { values: [], metas: SOURCE_META },
      { values: ["e"], metas: SOURCE_META },
    ]);
    expect(joined).toStrictEqual({ values: ["a", "b", "c", "d", "e"], metas: [FIXED, FIXED, other, FIXED, SOURCE_META] });
    expect(roundTrip(joined)).toStrictEqual(joined);
  });

  test("gives an empty bundle for no parts, and a single part as it is", () => {
    expect(concatBundles([])).toStrictEqual({ values: [], metas: SOURCE_META });
    const one = { values: [1], metas: [other] };
    expect(concatBundles([one])).toBe(one);
  });
});
