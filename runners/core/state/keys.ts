import { canonicalJson } from "../../../sdk/hash.js";
import { type Window } from "../../../sdk/windows.js";
import { type BinaryReader, type BinaryWriter } from "../codec.js";

/**
 * Keys and key groups. A grouping key is encoded once into a string (usable as a Map key,
 * equal for structurally equal keys); the string hashes into one of `maxParallelism` key
 * groups; a worker owns a contiguous range of key groups (Flink's KeyGroupRangeAssignment),
 * so state moves between workers a key group at a time when the parallelism changes.
 *
 * The encoding and the hash are part of the checkpoint format: changing either moves keys to
 * other key groups and strands restored state.
 */

/** Key groups when the pipeline does not say (Flink's default lower bound). */
export const DEFAULT_MAX_PARALLELISM = 128;
/** The most key groups a job may have (Flink's bound, 2^15). */
export const MAX_KEY_GROUPS = 32_768;

/**
 * Supported keys, each with its own one-character prefix so that `"1"`, `1`, `1n` and `true`
 * differ: strings, numbers (`-0` is `0`, as for a Map), booleans, null, undefined, bigints,
 * valid Dates, and plain objects / arrays of JSON values (object property order does not
 * matter; a property whose value is undefined is omitted, as in JSON). Functions, symbols,
 * Maps, Sets, class instances, and, inside objects, bigints, Dates, non-finite numbers and
 * undefined array items throw a TypeError naming the type and where it is.
 */
export function encodeKey(key: unknown): string {
  switch (typeof key) {
    case "string":
      return `s${key}`;
    case "number":
      return `n${String(key)}`;
    case "boolean":
      return key ? "T" : "F";
    case "bigint":
      return `i${key.toString()}`;
    case "undefined":
      return "U";
    case "object":
      if (key === null) return "N";
      if (key instanceof Date) {
        const ms = key.getTime();
        if (Number.isNaN(ms)) throw new TypeError("encodeKey: an invalid Date cannot be a key");
        return `d${ms}`;
      }
      checkJson(key, "key", new Set());
      return `j${canonicalJson(key)}`;
    default:
      throw new TypeError(`encodeKey: unsupported key type ${typeof key} (${SUPPORTED})`);
  }
}

/** The key an encoded key stands for (structurally equal to the one encoded). */
export function decodeKey(encoded: string): unknown {
  const body = encoded.slice(1);
  switch (encoded[0]) {
    case "s":
      return body;
    case "n":
      return Number(body);
    case "T":
      return true;
    case "F":
      return false;
    case "i":
      return BigInt(body);
    case "U":
      return undefined;
    case "N":
      return null;
    case "d":
      return new Date(Number(body));
    case "j":
      return JSON.parse(body) as unknown;
    default:
      throw new TypeError(`decodeKey: not an encoded key: ${JSON.stringify(encoded.slice(0, 40))}`);
  }
}

const SUPPORTED =
  "keys are strings, numbers, booleans, null, undefined, bigints, Dates, or plain objects and arrays of JSON values";

/** Rejects what canonical JSON would drop or conflate, so that distinct keys never encode alike. */
function checkJson(v: unknown, path: string, ancestors: Set<object>): void {
  const fail = (what: string): never => {
    throw new TypeError(`encodeKey: unsupported key type ${what} at ${path} (${SUPPORTED})`);
  };
  switch (typeof v) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(v)) fail(`non-finite number ${v}`);
      return;
    case "object": {
      if (v === null) return;
      if (ancestors.has(v)) fail("circular reference");
      const proto = Object.getPrototypeOf(v) as unknown;
      const isArray = Array.isArray(v);
      if (!isArray && proto !== Object.prototype && proto !== null) fail(v.constructor?.name ?? "object");
      ancestors.add(v);
      if (isArray) {
        // An index loop, not forEach, so holes are seen (JSON would turn them into null).
        for (let i = 0; i < v.length; i++) checkJson(v[i] as unknown, `${path}[${i}]`, ancestors);
      } else {
        for (const [k, item] of Object.entries(v)) if (item !== undefined) checkJson(item, `${path}.${k}`, ancestors);
        if (Object.getOwnPropertySymbols(v).length > 0) fail("symbol (as a property key)");
      }
      ancestors.delete(v);
      return;
    }
    default:
      fail(typeof v);
  }
}

// ---- Encoded keys in snapshots ----

/** A lone UTF-16 surrogate, which UTF-8 (the codec's string form) cannot carry. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Writes an encoded key exactly: as UTF-8 when it can be, else through the codec's value(). */
export function writeEncodedKey(w: BinaryWriter, key: string): void {
  if (LONE_SURROGATE.test(key)) w.u8(1).value(key);
  else w.u8(0).string(key);
}

export function readEncodedKey(r: BinaryReader): string {
  return r.u8() === 0 ? r.string() : r.value<string>();
}

// ---- Key groups ----

/**
 * MurmurHash3 (x86, 32-bit) of a string's UTF-16 code units, two units per 32-bit block,
 * little-endian: the same as murmur3 over the string's UTF-16LE bytes.
 */
export function murmur3(s: string, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const n = s.length;
  let h = seed | 0;
  const mix = (k: number): number => Math.imul(rotl(Math.imul(k, c1), 15), c2);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    h ^= mix(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    h = (Math.imul(rotl(h, 13), 5) + 0xe6546b64) | 0;
  }
  if (i < n) h ^= mix(s.charCodeAt(i));
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** The key group of an encoded key: its murmur3 hash mod the number of key groups. */
export function keyGroupOf(encodedKey: string, maxParallelism = DEFAULT_MAX_PARALLELISM): number {
  return murmur3(encodedKey) % maxParallelism;
}

/** A contiguous run of key groups, half-open [start, end) like a window. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

function checkParallelism(parallelism: number, maxParallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_KEY_GROUPS)
    throw new RangeError(`maxParallelism must be an integer in 1..${MAX_KEY_GROUPS}, got ${maxParallelism}`);
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism)
    throw new RangeError(`parallelism must be an integer in 1..maxParallelism (${maxParallelism}), got ${parallelism}`);
}

/**
 * The key groups worker `worker` of `parallelism` owns: contiguous, sizes differing by at most
 * one, every group owned by exactly one worker (the split of Flink's KeyGroupRangeAssignment).
 */
export function keyGroupRange(worker: number, parallelism: number, maxParallelism = DEFAULT_MAX_PARALLELISM): KeyGroupRange {
  checkParallelism(parallelism, maxParallelism);
  if (!Number.isInteger(worker) || worker < 0 || worker >= parallelism)
    throw new RangeError(`worker must be an integer in 0..${parallelism - 1}, got ${worker}`);
  return Object.freeze({
    start: Math.ceil((worker * maxParallelism) / parallelism),
    end: Math.ceil(((worker + 1) * maxParallelism) / parallelism),
  });
}

/** The worker that owns a key group (the inverse of keyGroupRange). */
export function workerForKeyGroup(keyGroup: number, parallelism: number, maxParallelism = DEFAULT_MAX_PARALLELISM): number {
  checkParallelism(parallelism, maxParallelism);
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export const inKeyGroupRange = (range: KeyGroupRange, keyGroup: number): boolean =>
  keyGroup >= range.start && keyGroup < range.end;

// ---- Namespaces ----

/** The namespace of state and timers that belong to no window (Beam's global namespace). */
export const GLOBAL_NAMESPACE = "";

/** The namespace of state and timers of one window. */
export const windowNamespace = (w: Window): string => `${w.start},${w.end}`;

/** The window a windowNamespace string names. */
export function windowOfNamespace(namespace: string): Window {
  const comma = namespace.indexOf(",");
  const start = Number(namespace.slice(0, comma));
  const end = Number(namespace.slice(comma + 1));
  if (comma < 0 || !Number.isInteger(start) || !Number.isInteger(end))
    throw new TypeError(`not a window namespace: ${JSON.stringify(namespace)}`);
  return { start, end };
}
