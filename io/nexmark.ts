import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { Table, Utf8, makeVector, vectorFromArray } from "apache-arrow";
import { type ReadChunk, type Source, type SourceSplit } from "../sdk/index.js";
import {
  DEFAULTS,
  DEFAULT_MAX_DELAY_MS,
  type EventColumns,
  type NexmarkEvent,
  type NexmarkOptions,
  type NexmarkParams,
  columnsToEvents,
  delayUs,
  generateColumns,
  timelineOf,
} from "./nexmark-generator.js";

export {
  JavaRandom,
  type Auction,
  type Bid,
  type EventColumns,
  type NexmarkEvent,
  type NexmarkOptions,
  type NexmarkParams,
  type Person,
} from "./nexmark-generator.js";

// The Nexmark source (docs/nexmark.md §7): Beam's generator (io/nexmark-generator.ts) split
// into Beam's parallel generators, bounded or paced at a rate, resumable at a position, each
// split generated where it is read or in its own thread (io/nexmark-thread.ts); and a chunk's
// columns as Arrow tables (`columnsToArrow`).

export interface NexmarkSource extends Source<NexmarkEvent> {
  readonly params: NexmarkParams;
}

/** A chunk's events as Arrow tables, one per kind, each in event order (numbers as Float64, strings as Utf8). */
export interface EventTables {
  readonly person: Table;
  readonly auction: Table;
  readonly bid: Table;
}

/**
 * A chunk of columns as Arrow tables: the numeric columns are shared, not copied (each typed
 * array cut to its kind's length); the string columns are built once each. Columns are named
 * as the records' fields.
 */
export function columnsToArrow(c: EventColumns): EventTables {
  const numbers = (a: Float64Array, n: number) => makeVector(a.subarray(0, n));
  const strings = (a: readonly string[]) => vectorFromArray(a, new Utf8());
  const { person: ps, auction: as, bid: bs } = c;
  return {
    person: new Table({
      id: numbers(ps.id, ps.length),
      name: strings(ps.name),
      emailAddress: strings(ps.emailAddress),
      creditCard: strings(ps.creditCard),
      city: strings(ps.city),
      state: strings(ps.state),
      dateTime: numbers(ps.dateTime, ps.length),
      extra: strings(ps.extra),
    }),
    auction: new Table({
      id: numbers(as.id, as.length),
      itemName: strings(as.itemName),
      description: strings(as.description),
      initialBid: numbers(as.initialBid, as.length),
      reserve: numbers(as.reserve, as.length),
      dateTime: numbers(as.dateTime, as.length),
      expires: numbers(as.expires, as.length),
      seller: numbers(as.seller, as.length),
      category: numbers(as.category, as.length),
      extra: strings(as.extra),
    }),
    bid: new Table({
      auction: numbers(bs.auction, bs.length),
      bidder: numbers(bs.bidder, bs.length),
      price: numbers(bs.price, bs.length),
      dateTime: numbers(bs.dateTime, bs.length),
      extra: strings(bs.extra),
    }),
  };
}

// ---- The source ----

const OPTION_NAMES: ReadonlySet<string> = new Set([
  "numEvents",
  "rate",
  "generators",
  "seed",
  "outOfOrderGroupSize",
  "baseTime",
  "paced",
  "chunk",
  "thread",
  "avgPersonByteSize",
  "avgAuctionByteSize",
  "avgBidByteSize",
  "hotAuctionRatio",
  "hotSellersRatio",
  "hotBiddersRatio",
  "numInFlightAuctions",
  "numActivePeople",
]);

function fail(name: string, value: unknown, expected: string): never {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  throw new RangeError(`nexmark.events: ${name} must be ${expected}, got ${shown}`);
}

function wholeNumber(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!(Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max))
    fail(name, value, max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number in ${min}..${max}`);
}

function resolve(options: NexmarkOptions): NexmarkParams {
  for (const name of Object.keys(options))
    if (!OPTION_NAMES.has(name)) throw new TypeError(`nexmark.events: unknown option "${name}"`);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<NexmarkOptions>;
  const p = { ...DEFAULTS, paced: options.numEvents === null, ...defined } as NexmarkParams;
  if (p.numEvents !== null) wholeNumber("numEvents", p.numEvents, 1);
  wholeNumber("rate", p.rate, 1, 2_000_000);
  wholeNumber("generators", p.generators, 1, 10_000);
  wholeNumber("seed", p.seed, Number.MIN_SAFE_INTEGER);
  wholeNumber("outOfOrderGroupSize", p.outOfOrderGroupSize, 1, 952);
  wholeNumber("baseTime", p.baseTime, 0, 8_640_000_000_000_000);
  if (typeof p.paced !== "boolean") fail("paced", p.paced, "true or false");
  if (typeof p.thread !== "boolean") fail("thread", p.thread, "true or false");
  wholeNumber("chunk", p.chunk, 1, 1 << 16);
  for (const k of ["avgPersonByteSize", "avgAuctionByteSize", "avgBidByteSize"] as const) wholeNumber(k, p[k], 0, 1 << 16);
  for (const k of ["hotAuctionRatio", "hotSellersRatio", "hotBiddersRatio", "numInFlightAuctions", "numActivePeople"] as const)
    wholeNumber(k, p[k], 1);
  if (p.numEvents !== null && p.numEvents < p.generators)
    fail("numEvents", p.numEvents, `at least the number of generators (${p.generators})`);
  return Object.freeze(p);
}

function splitIndex(p: NexmarkParams, split: SourceSplit): number {
  const index = (split.params as { readonly index?: unknown } | null)?.index;
  if (!(Number.isSafeInteger(index) && (index as number) >= 0 && (index as number) < p.generators))
    throw new RangeError(`nexmark.events: split ${JSON.stringify(split)} is not one of the source's ${p.generators}`);
  return index as number;
}

/** A split's events from `from` on, a chunk at a time; each chunk's position is the next event to generate. */
async function* readSplit(p: NexmarkParams, split: number, from: number): AsyncGenerator<ReadChunk<NexmarkEvent>> {
  const { count } = timelineOf(p, split);
  const delay = delayUs(p);
  if (!(Number.isSafeInteger(from) && from >= 0 && from <= count))
    throw new RangeError(`nexmark.events: split ${split} cannot resume at ${String(from)}: it has ${count} events`);
  const began = Date.now() - Math.floor((from * delay) / 1000);
  const chunks = p.thread ? generatorThread(p, split, from, count) : generateHere(p, split, from, count);
  try {
    for (let at = from; at < count;) {
      const chunk = await chunks.next();
      if (chunk.done) throw new Error(`nexmark.events: split ${split}'s generator ended at event ${at} of ${count}`);
      const { columns, position } = chunk.value;
      const due = p.paced ? began + Math.floor(((position - 1) * delay) / 1000) - Date.now() : 0;
      // Sleeping or not, give the event loop a turn: an endless source must not starve timers.
      await (due >= 1 ? sleep(due) : nextTurn());
      const { values, timestamps } = columnsToEvents(columns);
      at = position;
      yield { values, timestamps, position };
    }
  } finally {
    await chunks.return(undefined);
  }
}

interface GeneratedChunk {
  readonly columns: EventColumns;
  /** The next event number after the chunk. */
  readonly position: number;
}

/** A split's chunks generated in this thread, as they are asked for. */
async function* generateHere(p: NexmarkParams, split: number, from: number, count: number): AsyncGenerator<GeneratedChunk> {
  for (let at = from; at < count;) {
    // The chunk ends at a multiple of the chunk size, so a resumed split chunks as an unresumed one.
    const length = Math.min(p.chunk - (at % p.chunk), count - at);
    const columns = generateColumns(p, split, at, length);
    at += length;
    yield { columns, position: at };
  }
}

/** What the reading side gives a generator thread (io/nexmark-thread.ts). */
export interface GeneratorThreadData {
  readonly params: NexmarkParams;
  readonly split: number;
  readonly from: number;
  readonly count: number;
  /** Chunks generated and not yet acknowledged, at most. */
  readonly ahead: number;
}

/** What a generator thread posts: a chunk, the end of the split, or its failure. */
export type GeneratorThreadMessage =
  ({ readonly type: "chunk" } & GeneratedChunk) | { readonly type: "end" } | { readonly type: "error"; readonly message: string };

const THREAD_AHEAD = 4;

/**
 * A split's chunks from its own worker thread. Under tsx (this file is .ts) the thread starts
 * from a CommonJS shim that requires the .ts entry through tsx's require hook, which a worker
 * thread has where the ESM hook does not take. The thread ends when the split does, when the
 * reader stops early, or on failure (rethrown here with the thread's stack).
 */
async function* generatorThread(p: NexmarkParams, split: number, from: number, count: number): AsyncGenerator<GeneratedChunk> {
  const ts = import.meta.url.endsWith(".ts");
  const entry = new URL(ts ? "./nexmark-thread.ts" : "./nexmark-thread.js", import.meta.url);
  const data: GeneratorThreadData = { params: p, split, from, count, ahead: THREAD_AHEAD };
  const worker = ts
    ? new Worker(new URL("./nexmark-thread-tsx.cjs", import.meta.url), {
        workerData: { ...data, entry: fileURLToPath(entry) },
        execArgv: ["--import", import.meta.resolve("tsx")],
      })
    : new Worker(entry, { workerData: data });
  const queue: (GeneratorThreadMessage | { type: "exit"; code: number } | { type: "failed"; error: Error })[] = [];
  let wake: (() => void) | null = null;
  const push = (m: (typeof queue)[number]) => {
    queue.push(m);
    wake?.();
  };
  worker.on("message", (m: GeneratorThreadMessage) => push(m));
  worker.on("error", (error: Error) => push({ type: "failed", error }));
  worker.on("exit", (code: number) => push({ type: "exit", code }));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      wake = null;
      const m = queue.shift()!;
      if (m.type === "chunk") {
        worker.postMessage("ack");
        yield m;
      } else if (m.type === "end") return;
      else if (m.type === "error") throw new Error(`nexmark.events: split ${split}'s generator thread failed: ${m.message}`);
      else if (m.type === "failed")
        throw new Error(`nexmark.events: split ${split}'s generator thread failed: ${m.error.message}`, { cause: m.error });
      else throw new Error(`nexmark.events: split ${split}'s generator thread exited (code ${m.code}) before the split's end`);
    }
  } finally {
    await worker.terminate();
  }
}

/** Nexmark's Person, Auction and Bid events, as Beam's generator makes them: see NexmarkOptions. */
function events(options: NexmarkOptions): NexmarkSource {
  const params = resolve(options);
  const spread = params.outOfOrderGroupSize > 1 ? Math.ceil((params.outOfOrderGroupSize * delayUs(params)) / 1000) + 1 : 0;
  return Object.freeze({
    kind: "nexmark",
    bounded: params.numEvents !== null,
    params,
    readDefaults: Object.freeze({ maxDelay: Math.max(DEFAULT_MAX_DELAY_MS, spread) }),
    reading: Object.freeze({
      splits: async (): Promise<readonly SourceSplit[]> =>
        Array.from({ length: params.generators }, (_, index) =>
          Object.freeze({ id: `generator-${index}`, params: Object.freeze({ index }) }),
        ),
      read: (split: SourceSplit, _ctx: unknown, from?: unknown) => {
        const index = splitIndex(params, split);
        if (from !== undefined && typeof from !== "number")
          throw new RangeError(`nexmark.events: split ${index} cannot resume at ${JSON.stringify(from)}: not an event number`);
        return readSplit(params, index, from ?? 0);
      },
    }),
  });
}

/** Nexmark, the streaming benchmark's events (docs/nexmark.md). */
export const nexmark = Object.freeze({ events, generateColumns, columnsToEvents, columnsToArrow });
