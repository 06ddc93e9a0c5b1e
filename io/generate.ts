import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { Instant, type KV, type ReadChunk, type Source, type SourceSplit, kv } from "../sdk/index.js";

// Seeded synthetic data for benchmarks and tests. Everything the data depends on is in the
// params (so in the graph hash); each split has its own PRNG streams, so a split reads the
// same chunks on every run, wherever it runs, and a restored reader can skip chunks by count.

export interface GenerateEventsOptions {
  /** Total events; null: unbounded, generating until the job is stopped. */
  readonly count: number | null;
  /** Values are kv(`k${i}`, v) with i uniform in [0, keys) and v a whole number in [0, 100). */
  readonly keys: number;
  /** Default 4: event n belongs to split n % splits. */
  readonly splits?: number;
  /**
   * Default 100,000: event n's time is startMs + n * 1000 / eventsPerSecond, and with `paced`
   * the wall-clock rate of the whole source. null: no rate (every event at startMs; paced
   * emits as fast as it can, with wall-clock timestamps).
   */
  readonly eventsPerSecond?: number | null;
  /** Default 0: each timestamp moves back by a uniform random whole number of ms in [0, outOfOrderMs]. */
  readonly outOfOrderMs?: number;
  /**
   * Default false: emit as fast as the reader takes chunks. true: each split waits until its
   * chunk's last event is due at eventsPerSecond, and timestamps are the wall-clock time of
   * generation minus the delay (for latency measurement; values stay deterministic).
   */
  readonly paced?: boolean;
  /** Default 1: seeds each split's PRNG with (seed, split). */
  readonly seed?: number;
  /** Events per chunk, default 4096: chunk boundaries are fixed, so a restore may skip chunks by count. */
  readonly chunk?: number;
  /** Base event time in ms since the epoch, default 1_700_000_000_000. */
  readonly startMs?: number;
}

/** The graph's record of an events source: every option, defaults filled in (a type alias, so that it is Json). */
export type GenerateEventsParams = {
  readonly count: number | null;
  readonly keys: number;
  readonly splits: number;
  readonly eventsPerSecond: number | null;
  readonly outOfOrderMs: number;
  readonly paced: boolean;
  readonly seed: number;
  readonly chunk: number;
  readonly startMs: number;
};

export interface GeneratedEventsSource extends Source<KV<string, number>> {
  readonly params: GenerateEventsParams;
}

/** Key strings up to this many keys are made once and shared; beyond, the table itself would be the cost. */
const KEY_TABLE_MAX = 1 << 20;

const OPTION_NAMES: ReadonlySet<string> = new Set([
  "count",
  "keys",
  "splits",
  "eventsPerSecond",
  "outOfOrderMs",
  "paced",
  "seed",
  "chunk",
  "startMs",
]);

/** A seeded source of keyed events: see GenerateEventsOptions. */
function events(options: GenerateEventsOptions): GeneratedEventsSource {
  const params = resolve(options);
  let keyTable: (string | undefined)[] | null = null;
  // Built on first read, not at definition: every worker imports the pipeline, few read it.
  const keysOf = () => (keyTable ??= params.keys <= KEY_TABLE_MAX ? new Array<string | undefined>(params.keys) : []);
  return Object.freeze({
    kind: "generate.events",
    bounded: params.count !== null,
    params,
    reading: Object.freeze({
      splits: async (): Promise<readonly SourceSplit[]> =>
        Array.from({ length: params.splits }, (_, index) => Object.freeze({ id: `${index}`, params: Object.freeze({ index }) })),
      read: (split: SourceSplit) => readSplit(params, splitIndex(params, split), keysOf()),
    }),
  });
}

function resolve(options: GenerateEventsOptions): GenerateEventsParams {
  for (const name of Object.keys(options))
    if (!OPTION_NAMES.has(name)) throw new TypeError(`generate.events: unknown option "${name}"`);
  const {
    count,
    keys,
    splits = 4,
    eventsPerSecond = 100_000,
    outOfOrderMs = 0,
    paced = false,
    seed = 1,
    chunk = 4096,
    startMs = 1_700_000_000_000,
  } = options;
  if (count !== null) wholeNumber("count", count, 0);
  wholeNumber("keys", keys, 1);
  wholeNumber("splits", splits, 1);
  if (eventsPerSecond !== null && !(Number.isFinite(eventsPerSecond) && eventsPerSecond > 0))
    fail("eventsPerSecond", eventsPerSecond, "a finite number > 0, or null");
  if (!(Number.isFinite(outOfOrderMs) && outOfOrderMs >= 0)) fail("outOfOrderMs", outOfOrderMs, "a finite number ≥ 0");
  if (typeof paced !== "boolean") fail("paced", paced, "true or false");
  if (!Number.isSafeInteger(seed)) fail("seed", seed, "a safe integer");
  wholeNumber("chunk", chunk, 1);
  if (!(Number.isSafeInteger(startMs) && startMs >= Instant.MIN && startMs <= Instant.END_OF_GLOBAL_WINDOW))
    fail("startMs", startMs, "a whole number of ms within the range of event time");
  return Object.freeze({ count, keys, splits, eventsPerSecond, outOfOrderMs, paced, seed, chunk, startMs });
}

function wholeNumber(name: string, value: unknown, min: number): void {
  if (!(Number.isSafeInteger(value) && (value as number) >= min)) fail(name, value, `a safe integer ≥ ${min}`);
}

function fail(name: string, value: unknown, expected: string): never {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  throw new RangeError(`generate.events: ${name} must be ${expected}, got ${shown}`);
}

function splitIndex(params: GenerateEventsParams, split: SourceSplit): number {
  const index = (split.params as { readonly index?: unknown } | null)?.index;
  if (!(Number.isSafeInteger(index) && (index as number) >= 0 && (index as number) < params.splits))
    throw new RangeError(`generate.events: split ${JSON.stringify(split)} is not one of the source's ${params.splits}`);
  return index as number;
}

/** Events in split `s`: those n < count with n % splits === s (Infinity when unbounded). */
function splitSize(count: number | null, splits: number, s: number): number {
  if (count === null) return Infinity;
  return count > s ? Math.floor((count - s - 1) / splits) + 1 : 0;
}

async function* readSplit(
  p: GenerateEventsParams,
  split: number,
  keyTable: (string | undefined)[],
): AsyncGenerator<ReadChunk<KV<string, number>>> {
  const total = splitSize(p.count, p.splits, split);
  // Separate streams, so that keys and values do not change with outOfOrderMs.
  const draw = mulberry32(streamSeed(p.seed, split, 0));
  const delay = p.outOfOrderMs > 0 ? mulberry32(streamSeed(p.seed, split, 1)) : null;
  const delaySpan = Math.floor(p.outOfOrderMs) + 1;
  const rate = p.eventsPerSecond;
  const table = p.keys <= KEY_TABLE_MAX;
  const began = Date.now();
  for (let at = 0; at < total; at += p.chunk) {
    const length = Math.min(p.chunk, total - at);
    const lastEvent = split + (at + length - 1) * p.splits;
    const wait = p.paced && rate !== null ? began + ((lastEvent + 1) * 1000) / rate - Date.now() : 0;
    // Sleeping or not, give the event loop a turn: an endless source must not starve timers.
    await (wait >= 1 ? sleep(wait) : nextTurn());
    const now = p.paced ? Date.now() : 0;
    const values = new Array<KV<string, number>>(length);
    const timestamps = new Array<Instant>(length);
    for (let j = 0; j < length; j++) {
      const i = Math.floor(draw() * p.keys);
      const key = table ? (keyTable[i] ??= `k${i}`) : `k${i}`;
      values[j] = kv(key, Math.floor(draw() * 100));
      const n = split + (at + j) * p.splits;
      const base = p.paced ? now : rate === null ? p.startMs : p.startMs + Math.floor((n * 1000) / rate);
      timestamps[j] = delay === null ? base : base - Math.floor(delay() * delaySpan);
    }
    yield { values, timestamps };
  }
}

/** A 32-bit seed per (seed, split, stream), mixed with murmur3's finaliser so nearby inputs diverge. */
function streamSeed(seed: number, split: number, stream: number): number {
  let h = fmix32(seed >>> 0);
  h = fmix32(h ^ Math.floor(seed / 2 ** 32) ^ 0x9e3779b9);
  h = fmix32(h ^ split ^ 0x85ebca6b);
  return fmix32(h ^ stream ^ 0xc2b2ae35);
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: a small, fast PRNG in [0, 1) with 32 bits of state. */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Synthetic sources for benchmarks and tests. */
export const generate = Object.freeze({ events });
