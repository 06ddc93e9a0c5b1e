import { BIGINT, DOUBLE, type DuckDBAppender, type DuckDBConnection, type DuckDBType, INTEGER, VARCHAR } from "@duckdb/node-api";
import { CHUNK_ROWS, appendColumns, streamChunks } from "./chunks.js";
import { type LocalDb } from "./db.js";
import {
  type Columns,
  DUCK_AGGREGATES,
  type DuckAggregate,
  KEY_LANES,
  KeyCodec,
  type Lift,
  type LiftBatch,
  type ValueLane,
  createLift,
} from "./lift.js";
import { fromDuckString, quoteIdent } from "./sql.js";

export { type DuckAggregate } from "./lift.js";

export interface DuckCombineOptions {
  /** The step name, for messages. */
  readonly step: string;
  readonly aggregate: DuckAggregate;
  /** Partial accumulators held in JS before they go to DuckDB (default 65,536). */
  readonly spillAt?: number;
}

/** Final values of some (key, window) pairs: `values[i]` belongs to `keys[i]` in window `windows[i]`. */
export type DuckCombineBatch = LiftBatch;

const DEFAULT_SPILL_AT = 65_536;

/** Each aggregate's tables: the value lanes, their partial column types, and the SQL that finishes a group. */
const PLANS: Record<
  DuckAggregate,
  { readonly lanes: Partial<Record<ValueLane, readonly DuckDBType[]>>; readonly final: string }
> = {
  count: { lanes: { partial: [BIGINT] }, final: "sum(p0)::BIGINT" },
  sum: { lanes: { partial: [DOUBLE] }, final: "sum(p0)" },
  mean: { lanes: { partial: [DOUBLE, BIGINT] }, final: "sum(p0) / sum(p1)::DOUBLE" },
  min: { lanes: { number: [DOUBLE], string: [VARCHAR] }, final: "min(p0)" },
  max: { lanes: { number: [DOUBLE], string: [VARCHAR] }, final: "max(p0)" },
  countDistinct: { lanes: { number: [DOUBLE], string: [VARCHAR], encoded: [VARCHAR] }, final: "count(DISTINCT p0)::BIGINT" },
};

const KEY_TYPES: Record<(typeof KEY_LANES)[number], DuckDBType> = { string: VARCHAR, number: DOUBLE, encoded: VARCHAR };

/** One DuckDB table of partials, with the rows of the current spill gathered as whole columns. */
interface Table {
  readonly name: string;
  readonly types: readonly DuckDBType[];
  readonly appender: DuckDBAppender;
  columns: Columns;
  rows: number;
}

/** The DuckDB side of a combine, made at its first spill. */
interface Spilled {
  readonly connection: DuckDBConnection;
  /** By key lane, then value lane. */
  readonly tables: readonly Partial<Record<ValueLane, Table>>[];
}

let tableSeq = 0;

/**
 * A per-key, per-window built-in combine whose state may exceed memory. add() lifts each bundle
 * into partial accumulators in JS. While they number fewer than `spillAt`, DuckDB is not touched
 * and results() finishes them in JS (the same values DuckDB's GROUP BY gives one partial per
 * group). Past `spillAt`, and at flush(), they go to DuckDB tables (through data chunks; the
 * tables are made at the first spill), and results() finishes every group with one GROUP BY per
 * key lane, streamed back. Not safe for concurrent calls: one bundle at a time.
 */
export class DuckCombine {
  private readonly codec = new KeyCodec();
  private readonly lift: Lift;
  private spilled: Spilled | null = null;
  private finished = false;
  private appendersClosed = false;
  private closed = false;

  private constructor(
    private readonly db: LocalDb | (() => Promise<LocalDb>),
    private readonly options: DuckCombineOptions,
  ) {
    this.lift = createLift(options.aggregate, this.codec);
  }

  /** `db` may be a function, called at the first spill: a combine that never spills never opens DuckDB. */
  static async create(db: LocalDb | (() => Promise<LocalDb>), options: DuckCombineOptions): Promise<DuckCombine> {
    if (!DUCK_AGGREGATES.includes(options.aggregate))
      throw new Error(`step "${options.step}": DuckDB cannot combine with "${String(options.aggregate)}"`);
    const { spillAt = DEFAULT_SPILL_AT } = options;
    if (!Number.isInteger(spillAt) || spillAt < 1)
      throw new RangeError(`step "${options.step}": spillAt must be a positive integer, got ${spillAt}`);
    return new DuckCombine(db, options);
  }

  /** Adds one bundle: `values[i]` for `keys[i]` in window index `windows[i]` (count ignores values; [] will do). */
  async add(keys: readonly unknown[], windows: readonly number[], values: readonly unknown[]): Promise<void> {
    const { step, spillAt = DEFAULT_SPILL_AT } = this.options;
    if (this.finished) throw new Error(`step "${step}": add() after results()`);
    if (windows.length !== keys.length || (values.length !== keys.length && this.options.aggregate !== "count"))
      throw new Error(
        `step "${step}": a bundle needs as many windows and values as keys (${keys.length}, ${windows.length}, ${values.length})`,
      );
    try {
      // In slices, so that one big bundle cannot hold far more than spillAt partials.
      for (let from = 0; from < keys.length; from += spillAt) {
        this.lift.add(keys, windows, values, from, Math.min(keys.length, from + spillAt));
        if (this.lift.size >= spillAt) await this.spill();
      }
    } catch (e) {
      throw new Error(`step "${step}": ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Partial rows sent to DuckDB so far: how much lifting saved is the input rows over this. */
  get partialRows(): number {
    return this.allTables().reduce((n, t) => n + t.rows, 0);
  }

  /** Whether DuckDB holds partials (the combine spilled or was flushed). */
  get inDuckDb(): boolean {
    return this.spilled !== null;
  }

  /**
   * Moves the partials held in JS to DuckDB. Never needed for memory (add() spills at spillAt)
   * nor before results(); calling it after every bundle defeats lifting: for 10M rows over 10k
   * keys in 8k-row bundles, 6.8M partial rows reach DuckDB instead of 10k, and add() is 10× slower.
   */
  async flush(): Promise<void> {
    await this.spill();
    for (const table of this.allTables()) table.appender.flushSync();
  }

  /** The final value of every (key, window), in batches; call once, after the last add(). */
  async *results(): AsyncGenerator<DuckCombineBatch> {
    if (this.finished) throw new Error(`step "${this.options.step}": results() after results() or close()`);
    this.finished = true;
    try {
      if (this.spilled === null) {
        yield* this.lift.finish(CHUNK_ROWS);
        return;
      }
      await this.spill();
      this.closeAppenders();
      const { connection } = this.spilled;
      for (let keyLane = 0; keyLane < KEY_LANES.length; keyLane++) {
        const sql = this.finalSql(keyLane);
        if (sql === null) continue;
        for await (const chunk of streamChunks(connection, sql)) {
          const [keys, windows, values] = chunk.getColumns();
          yield {
            keys: keys!.map((k) =>
              keyLane === 1 ? k : keyLane === 0 ? fromDuckString(k as string) : this.codec.decode(fromDuckString(k as string)),
            ),
            windows: windows as number[],
            values: values!.map((v) =>
              typeof v === "bigint" ? Number(v) : typeof v === "string" ? fromDuckString(v) : (v as number),
            ),
          };
        }
      }
    } finally {
      await this.close();
    }
  }

  /** Drops the tables and ends the connection; results() does this itself when it finishes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = this.finished = true;
    if (this.spilled === null) return;
    const { connection } = this.spilled;
    const db = await this.database();
    if (db.closed) return; // the instance took the tables and the connection with it
    try {
      this.closeAppenders();
      for (const table of this.allTables()) await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(table.name)}`);
    } finally {
      db.disconnect(connection);
    }
  }

  private async database(): Promise<LocalDb> {
    return typeof this.db === "function" ? this.db() : this.db;
  }

  /** The connection and every table, made once. */
  private async open(): Promise<Spilled> {
    if (this.spilled) return this.spilled;
    const db = await this.database();
    const connection = await db.connect();
    const id = ++tableSeq;
    const tables: Partial<Record<ValueLane, Table>>[] = [];
    try {
      // One statement at a time: a connection runs no two at once.
      for (const keyLane of KEY_LANES) {
        const byValue: Partial<Record<ValueLane, Table>> = {};
        for (const [valueLane, partials] of Object.entries(PLANS[this.options.aggregate].lanes) as [ValueLane, DuckDBType[]][]) {
          const name = `beamline_combine_${id}_${keyLane}_${valueLane}`;
          const types = [KEY_TYPES[keyLane], INTEGER, ...partials];
          const columns = ["k", "w", ...partials.map((_, i) => `p${i}`)].map((c, i) => `${c} ${String(types[i])}`);
          await connection.run(`CREATE TABLE ${quoteIdent(name)} (${columns.join(", ")})`);
          byValue[valueLane] = {
            name,
            types,
            appender: await connection.createAppender(name),
            columns: types.map(() => []),
            rows: 0,
          };
        }
        tables.push(byValue);
      }
    } catch (e) {
      db.disconnect(connection);
      throw e;
    }
    return (this.spilled = { connection, tables });
  }

  private closeAppenders(): void {
    if (this.appendersClosed) return;
    this.appendersClosed = true;
    for (const table of this.allTables()) table.appender.closeSync();
  }

  private async spill(): Promise<void> {
    const { tables } = await this.open();
    if (this.lift.size === 0) return;
    this.lift.drain((keyLane, valueLane) => tables[keyLane]![valueLane]!.columns);
    for (const table of this.allTables()) {
      const rows = table.columns[0]!.length;
      if (rows === 0) continue;
      appendColumns(table.appender, table.types, table.columns);
      table.rows += rows;
      table.columns = table.types.map(() => []);
    }
  }

  /** The GROUP BY of one key lane over its tables with rows; null when it has none. */
  private finalSql(keyLane: number): string | null {
    const { final } = PLANS[this.options.aggregate];
    const used = Object.values(this.spilled!.tables[keyLane]!).filter((t) => t.rows > 0);
    const group = (t: Table) => `SELECT k, w, ${final} AS v FROM ${quoteIdent(t.name)} GROUP BY k, w`;
    if (used.length <= 1) return used[0] ? group(used[0]) : null;
    // Only countDistinct has several value lanes with rows (min and max refuse mixed values); lanes never share a value.
    return `SELECT k, w, sum(v)::BIGINT AS v FROM (${used.map(group).join(" UNION ALL ")}) GROUP BY k, w`;
  }

  private allTables(): Table[] {
    return (this.spilled?.tables ?? []).flatMap((byValue) => Object.values(byValue));
  }
}
