import { describe, expect, test } from "vitest";
import {
  DEFAULT_MAX_PARALLELISM,
  decodeKey,
  encodeKey,
  inKeyGroupRange,
  keyGroupOf,
  keyGroupRange,
  murmur3,
  windowNamespace,
  windowOfNamespace,
  workerForKeyGroup,
} from "../../../runners/core/state/keys.js";
import { GLOBAL_WINDOW } from "../../../sdk/index.js";

/** Murmur3 x86_32 over bytes, written from the algorithm's description, checked below against published vectors. */
function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  const mix = (k: number) => {
    const a = Math.imul(k, 0xcc9e2d51);
    return Math.imul((a << 15) | (a >>> 17), 0x1b873593);
  };
  let h = seed | 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h ^= mix((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24));
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) k = (k << 8) | (bytes[i] ?? 0);
  if (bytes.length > blocks) h ^= mix(k);
  h ^= bytes.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

describe("encodeKey", () => {
  test("gives each type its own prefix, so equal-looking keys of different types differ", () => {
    const keys: unknown[] = [
      "1",
      1,
      1n,
      true,
      "true",
      "T",
      null,
      "null",
      undefined,
      "",
      new Date(1),
      "d1",
      [1],
      "[1]",
      { a: 1 },
      "j{}",
      {},
    ];
    const encoded = keys.map(encodeKey);
    expect(new Set(encoded).size).toBe(keys.length);
  });

  test("is the same for structurally equal keys, whatever the property order", () => {
    expect(encodeKey({ a: 1, b: { c: [1, { x: 2, y: 3 }], d: "z" } })).toBe(
      encodeKey({ b: { d: "z", c: [1, { y: 3, x: 2 }] }, a: 1 }),
    );
    expect(encodeKey([1, 2])).not.toBe(encodeKey([2, 1]));
    expect(encodeKey(-0)).toBe(encodeKey(0));
    expect(encodeKey(NaN)).toBe(encodeKey(NaN));
    expect(encodeKey(new Date(5))).toBe(encodeKey(new Date(5)));
    expect(encodeKey(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(encodeKey({ a: 1 }));
  });

  test("drops object properties that are undefined, as JSON does", () => {
    expect(encodeKey({ a: 1, b: undefined })).toBe(encodeKey({ a: 1 }));
  });

  test("decodes back to an equal key", () => {
    const keys: unknown[] = [
      "héllo ✓",
      "",
      3.25,
      -7,
      Infinity,
      NaN,
      true,
      false,
      null,
      undefined,
      12345678901234567890n,
      new Date(99),
    ];
    keys.push({ user: "u1", tags: ["a", "b"], n: { deep: null } }, [1, "1", [true]]);
    for (const k of keys) expect(decodeKey(encodeKey(k))).toEqual(k);
    expect(() => decodeKey("?x")).toThrow(/not an encoded key/);
  });

  test("refuses keys it cannot encode faithfully, naming the type and where it is", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [() => 1, /unsupported key type function/],
      [Symbol("s"), /unsupported key type symbol/],
      [{ a: { f: () => 1 } }, /type function at key\.a\.f/],
      [{ n: 1n }, /type bigint at key\.n/],
      [[1, Symbol("s")], /type symbol at key\[1\]/],
      [{ m: new Map() }, /type Map at key\.m/],
      [new Set([1]), /type Set at key/],
      [new (class Point {})(), /type Point at key/],
      [{ d: new Date(0) }, /type Date at key\.d/],
      [{ x: NaN }, /non-finite number NaN at key\.x/],
      [[undefined], /type undefined at key\[0\]/],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 3], /type undefined at key\[1\]/],
      [{ [Symbol("k")]: 1 }, /symbol \(as a property key\)/],
      [cyclic, /circular reference at key\.self/],
      [new Date(NaN), /invalid Date/],
    ];
    for (const [key, message] of cases) expect(() => encodeKey(key), String(message)).toThrow(message);
    expect(() => encodeKey(() => 1)).toThrow(TypeError);
  });
});

describe("murmur3 and key groups", () => {
  test("the reference implementation agrees with published murmur3 x86_32 vectors", () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    expect(murmur3Bytes(utf8(""), 0)).toBe(0);
    expect(murmur3Bytes(utf8(""), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(utf8(""), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Bytes(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(murmur3Bytes(utf8("abc"), 0)).toBe(0xb3dd93fa);
    expect(murmur3Bytes(utf8("aaaa"), 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3Bytes(utf8("Hello, world!"), 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3Bytes(utf8("The quick brown fox jumps over the lazy dog"), 0x9747b28c)).toBe(0x2fa826cd);
  });

  test("hashes a string's UTF-16 code units as murmur3 over its UTF-16LE bytes", () => {
    for (const s of ["", "a", "ab", "abc", "abcd", "héllo ✓", "😀", "x😀", "s user-42", 'j{"a":1}'])
      for (const seed of [0, 42, 0x9747b28c])
        expect(murmur3(s, seed), `${s} / ${seed}`).toBe(murmur3Bytes(new Uint8Array(Buffer.from(s, "utf16le")), seed));
  });

  test("key groups are stable: changing them strands restored state", () => {
    const groups = ["user-1", "user-2", 1, 2, { id: 7 }].map((k) => keyGroupOf(encodeKey(k)));
    expect(groups).toEqual([
      murmur3("suser-1") % 128,
      murmur3("suser-2") % 128,
      murmur3("n1") % 128,
      murmur3("n2") % 128,
      murmur3('j{"id":7}') % 128,
    ]);
    expect(groups).toEqual([103, 44, 38, 8, 93]);
  });

  test("spread 10,000 keys over 128 key groups: none empty, none above twice the mean", () => {
    for (const keyOf of [(i: number) => `user-${i}`, (i: number) => i, (i: number) => ({ tenant: i % 7, id: i })]) {
      const counts = new Array<number>(DEFAULT_MAX_PARALLELISM).fill(0);
      for (let i = 0; i < 10_000; i++) {
        const g = keyGroupOf(encodeKey(keyOf(i)));
        counts[g] = (counts[g] ?? 0) + 1;
      }
      const mean = 10_000 / DEFAULT_MAX_PARALLELISM;
      expect(Math.min(...counts)).toBeGreaterThan(0);
      expect(Math.max(...counts)).toBeLessThanOrEqual(2 * mean);
    }
  });

  test("stay within [0, maxParallelism)", () => {
    for (const max of [1, 2, 7, 128, 32_768])
      for (let i = 0; i < 200; i++) {
        const g = keyGroupOf(encodeKey(`k${i}`), max);
        expect(g >= 0 && g < max && Number.isInteger(g)).toBe(true);
      }
  });
});

describe("key group ranges", () => {
  test("cover every key group exactly once, contiguously, for parallelism 1..7", () => {
    for (const max of [7, 10, 128, 1000])
      for (let parallelism = 1; parallelism <= 7; parallelism++) {
        const owner = new Array<number>(max).fill(-1);
        let next = 0;
        for (let w = 0; w < parallelism; w++) {
          const range = keyGroupRange(w, parallelism, max);
          expect(range.start).toBe(next);
          expect(range.end - range.start).toBeGreaterThanOrEqual(Math.floor(max / parallelism));
          expect(range.end - range.start).toBeLessThanOrEqual(Math.ceil(max / parallelism));
          for (let g = range.start; g < range.end; g++) {
            expect(owner[g]).toBe(-1);
            owner[g] = w;
          }
          next = range.end;
        }
        expect(next).toBe(max);
        owner.forEach((w, g) => {
          expect(workerForKeyGroup(g, parallelism, max)).toBe(w);
          expect(inKeyGroupRange(keyGroupRange(w, parallelism, max), g)).toBe(true);
        });
      }
  });

  test("match Flink's split", () => {
    expect(keyGroupRange(0, 3, 128)).toEqual({ start: 0, end: 43 });
    expect(keyGroupRange(1, 3, 128)).toEqual({ start: 43, end: 86 });
    expect(keyGroupRange(2, 3, 128)).toEqual({ start: 86, end: 128 });
    expect(keyGroupRange(0, 1)).toEqual({ start: 0, end: 128 });
  });

  test("refuse impossible parallelisms and workers", () => {
    expect(() => keyGroupRange(0, 0, 128)).toThrow(/parallelism/);
    expect(() => keyGroupRange(0, 129, 128)).toThrow(/parallelism/);
    expect(() => keyGroupRange(3, 3, 128)).toThrow(/worker/);
    expect(() => keyGroupRange(0, 1, 40_000)).toThrow(/maxParallelism/);
    expect(() => workerForKeyGroup(0, 2, 0)).toThrow(/maxParallelism/);
  });
});

describe("namespaces", () => {
  test("name a window and give it back", () => {
    for (const w of [{ start: 0, end: 60_000 }, { start: -5, end: 5 }, GLOBAL_WINDOW])
      expect(windowOfNamespace(windowNamespace(w))).toEqual(w);
    expect(() => windowOfNamespace("")).toThrow(/not a window namespace/);
  });
});
