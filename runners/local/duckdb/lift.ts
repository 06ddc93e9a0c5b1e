import { type DuckDBValue } from "@duckdb/node-api";
import { type BuiltinCombiner } from "../../../sdk/graph.js";
import { decodeKey, encodeKey } from "../../core/state/keys.js";
import { toDuckString } from "./sql.js";

/**
 * Combiner lifting: the JS half of DuckCombine. Each bundle is pre-aggregated into partial
 * accumulators per (key, window), so DuckDB sees one row per key and window per spill instead
 * of one per input, and then finishes the job with a GROUP BY over the partials.
 */

/** The built-in combiners DuckDB finishes. */
export type DuckAggregate = Extract<BuiltinCombiner, "count" | "sum" | "min" | "max" | "mean" | "countDistinct">;
export const DUCK_AGGREGATES: readonly DuckAggregate[] = ["count", "sum", "min", "max", "mean", "countDistinct"];

/**
 * How keys reach DuckDB: strings and numbers in typed columns, anything else as its encodeKey
 * code. Keys of different lanes are never equal (encodeKey keeps 1, "1", 1n and true apart), so
 * each lane is grouped in a table of its own and no lane ever needs converting to another.
 */
export const KEY_LANES = ["string", "number", "encoded"] as const;
export type KeyLane = (typeof KEY_LANES)[number];

/** The partial columns of a table after key and window: the combiner's own, or one value (min, max, countDistinct). */
export type ValueLane = "partial" | "number" | "string" | "encoded";

/** The rows of one table, as whole columns: key, window, then the partial columns. */
export type Columns = DuckDBValue[][];

/** Encodes keys of the encoded lane, and gives back the first-seen original of each object key. */
export class KeyCodec {
  // Only objects need the original: decodeKey gives the others back exactly, objects in sorted property order.
  private readonly objects = new Map<string, unknown>();

  encode(key: unknown): string {
    const code = encodeKey(key);
    if (code.startsWith("j") && !this.objects.has(code)) this.objects.set(code, key);
    return code;
  }

  decode(code: string): unknown {
    return code.startsWith("j") ? this.objects.get(code) : decodeKey(code);
  }
}

type LaneMaps<A> = [Map<unknown, A>, Map<unknown, A>, Map<unknown, A>];

const checkWindow = (w: unknown): void => {
  if (typeof w !== "number" || !Number.isInteger(w) || w < -(2 ** 31) || w >= 2 ** 31)
    throw new RangeError(`a window index must be a 32-bit integer, got ${String(w)}`);
};

/** Partial accumulators by window, key lane and key. */
abstract class Partials<A> implements Lift {
  size = 0;
  /** The key as the map lane() returned holds it. */
  protected laneKey: unknown;
  private readonly windows = new Map<number, LaneMaps<A>>();
  private lastWindow = NaN;
  private last: LaneMaps<A> | undefined;

  constructor(private readonly codec: KeyCodec) {}

  abstract add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[], from: number, to: number): void;
  abstract drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void;
  /** The combiner's result for one accumulator: what DuckDB's final aggregate gives for one partial. */
  protected abstract final(acc: A): number | string;

  *finish(batchRows: number): Generator<LiftBatch> {
    let batch: LiftBatch = { keys: [], windows: [], values: [] };
    for (const [window, maps] of this.windows)
      for (let lane = 0; lane < maps.length; lane++)
        for (const [key, acc] of maps[lane]!) {
          batch.keys.push(lane === 2 ? this.codec.decode(key as string) : key);
          batch.windows.push(window);
          batch.values.push(this.final(acc));
          if (batch.keys.length === batchRows) {
            yield batch;
            batch = { keys: [], windows: [], values: [] };
          }
        }
    if (batch.keys.length > 0) yield batch;
    this.windows.clear();
    this.last = undefined;
    this.lastWindow = NaN;
    this.size = 0;
  }

  /** The map holding `key` in `window`; sets laneKey. */
  protected lane(key: unknown, window: number): Map<unknown, A> {
    let maps = this.last;
    if (window !== this.lastWindow || maps === undefined) {
      maps = this.windows.get(window);
      if (maps === undefined) {
        checkWindow(window);
        maps = [new Map(), new Map(), new Map()];
        this.windows.set(window, maps);
      }
      this.lastWindow = window;
      this.last = maps;
    }
    const t = typeof key;
    if (t === "string" || t === "number") {
      this.laneKey = key;
      return t === "string" ? maps[0] : maps[1];
    }
    this.laneKey = this.codec.encode(key);
    return maps[2];
  }

  /** Calls `visit` with each partial, its key as DuckDB stores it, then forgets them all. */
  protected visit(visit: (keyLane: number, key: DuckDBValue, window: number, acc: A) => void): void {
    for (const [window, maps] of this.windows)
      maps.forEach((map, keyLane) => {
        for (const [key, acc] of map) visit(keyLane, keyLane === 1 ? (key as number) : toDuckString(key as string), window, acc);
      });
    this.windows.clear();
    this.last = undefined;
    this.lastWindow = NaN;
    this.size = 0;
  }
}

/** Appends one row to a table's columns (no row array: this runs once per partial). */
function pushRow(columns: Columns, key: DuckDBValue, window: number, p0: DuckDBValue, p1: DuckDBValue = null): void {
  columns[0]!.push(key);
  columns[1]!.push(window);
  columns[2]!.push(p0);
  if (columns.length > 3) columns[3]!.push(p1);
}

const show = (v: unknown): string => {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === "function" || typeof v === "symbol") return typeof v;
  if (typeof v !== "object" || v === null) return String(v);
  try {
    const json = JSON.stringify(v);
    return json.length > 80 ? `${json.slice(0, 80)}…` : json;
  } catch {
    return Object.prototype.toString.call(v);
  }
};

const needNumber = (what: string, v: unknown): Error =>
  new TypeError(`${what} needs numbers, got ${v === null ? "null" : typeof v} ${show(v)}`);

/** A running number, boxed so that a key seen before costs one map lookup, not a get and a set. */
interface Cell {
  v: number;
}

class CountLift extends Partials<Cell> {
  add(keys: readonly unknown[], windows: readonly number[], _values: readonly unknown[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const m = this.lane(keys[i], windows[i]!);
      const a = m.get(this.laneKey);
      if (a === undefined) {
        m.set(this.laneKey, { v: 1 });
        this.size++;
      } else a.v++;
    }
  }
  drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void {
    this.visit((l, k, w, a) => pushRow(columnsFor(l, "partial"), k, w, BigInt(a.v)));
  }
  protected final(a: Cell): number {
    return a.v;
  }
}

class SumLift extends Partials<Cell> {
  add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (typeof v !== "number") throw needNumber("sum", v);
      const m = this.lane(keys[i], windows[i]!);
      const a = m.get(this.laneKey);
      if (a === undefined) {
        m.set(this.laneKey, { v: 0 + v });
        this.size++;
      } else a.v += v;
    }
  }
  drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void {
    this.visit((l, k, w, a) => pushRow(columnsFor(l, "partial"), k, w, a.v));
  }
  protected final(a: Cell): number {
    return a.v;
  }
}

interface MeanAcc {
  s: number;
  n: number;
}

class MeanLift extends Partials<MeanAcc> {
  add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (typeof v !== "number") throw needNumber("mean", v);
      const m = this.lane(keys[i], windows[i]!);
      const a = m.get(this.laneKey);
      if (a === undefined) {
        m.set(this.laneKey, { s: 0 + v, n: 1 });
        this.size++;
      } else {
        a.s += v;
        a.n++;
      }
    }
  }
  drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void {
    this.visit((l, k, w, a) => pushRow(columnsFor(l, "partial"), k, w, a.s, BigInt(a.n)));
  }
  protected final(a: MeanAcc): number {
    return a.s / a.n;
  }
}

/** min or max; all values of a step must be numbers, or all strings, as DuckDB's column has one type. */
class ExtremeLift extends Partials<number | string> {
  private kind: "number" | "string" | undefined;

  constructor(
    codec: KeyCodec,
    private readonly name: "min" | "max",
  ) {
    super(codec);
  }

  add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[], from: number, to: number): void {
    const max = this.name === "max";
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (typeof v !== this.kind) this.checkKind(v);
      const x = v as number;
      const m = this.lane(keys[i], windows[i]!);
      const a = m.get(this.laneKey) as number | undefined;
      if (a === undefined) {
        m.set(this.laneKey, x);
        this.size++;
      } else if (max ? x > a : x < a) m.set(this.laneKey, x);
    }
  }

  drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void {
    const kind = this.kind;
    if (kind === undefined) return;
    this.visit((l, k, w, v) => pushRow(columnsFor(l, kind), k, w, typeof v === "string" ? toDuckString(v) : v));
  }
  protected final(v: number | string): number | string {
    return v;
  }

  private checkKind(v: unknown): void {
    const t = typeof v;
    if (t !== "number" && t !== "string")
      throw new TypeError(`${this.name} needs numbers or strings, got ${v === null ? "null" : t} ${show(v)}`);
    if (this.kind !== undefined)
      throw new TypeError(`${this.name} needs values of one type, got a ${t} ${show(v)} after ${this.kind}s`);
    this.kind = t as "number" | "string";
  }
}

/** The distinct values of one (key, window), by the column they go to. */
interface DistinctAcc {
  number?: Set<number>;
  string?: Set<string>;
  encoded?: Set<string>;
}

class CountDistinctLift extends Partials<DistinctAcc> {
  add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const v = values[i];
      const m = this.lane(keys[i], windows[i]!);
      let a = m.get(this.laneKey);
      if (a === undefined) m.set(this.laneKey, (a = {}));
      const set: Set<unknown> =
        typeof v === "number"
          ? (a.number ??= new Set())
          : typeof v === "string"
            ? (a.string ??= new Set())
            : (a.encoded ??= new Set());
      const before = set.size;
      set.add(typeof v === "number" || typeof v === "string" ? v : encodeKey(v));
      this.size += set.size - before;
    }
  }

  drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void {
    this.visit((l, k, w, a) => {
      if (a.number) for (const v of a.number) pushRow(columnsFor(l, "number"), k, w, v);
      if (a.string) for (const v of a.string) pushRow(columnsFor(l, "string"), k, w, toDuckString(v));
      if (a.encoded) for (const v of a.encoded) pushRow(columnsFor(l, "encoded"), k, w, toDuckString(v));
    });
  }
  protected final(a: DistinctAcc): number {
    return (a.number?.size ?? 0) + (a.string?.size ?? 0) + (a.encoded?.size ?? 0);
  }
}

/** Final values of some (key, window) pairs: `values[i]` belongs to `keys[i]` in window `windows[i]`. */
export interface LiftBatch {
  readonly keys: unknown[];
  readonly windows: number[];
  readonly values: (number | string)[];
}

/** The partial accumulators of one combine step. */
export interface Lift {
  /** Accumulators held (for countDistinct: distinct values held). */
  readonly size: number;
  /** Adds rows [from, to) of a bundle; throws on a value the combiner cannot take. */
  add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[], from: number, to: number): void;
  /** Moves every partial into the columns of its table (by key lane index and value lane), and forgets it. */
  drain(columnsFor: (keyLane: number, valueLane: ValueLane) => Columns): void;
  /** The final value of every (key, window) held, in batches of at most `batchRows`, then forgets them (no spill came before). */
  finish(batchRows: number): Generator<LiftBatch>;
}

export function createLift(aggregate: DuckAggregate, codec: KeyCodec): Lift {
  switch (aggregate) {
    case "count":
      return new CountLift(codec);
    case "sum":
      return new SumLift(codec);
    case "mean":
      return new MeanLift(codec);
    case "min":
    case "max":
      return new ExtremeLift(codec, aggregate);
    case "countDistinct":
      return new CountDistinctLift(codec);
  }
}
