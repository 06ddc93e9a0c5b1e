import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quoteLiteral } from "./sql.js";

export interface LocalDbOptions {
  /** DuckDB's memory limit as DuckDB spells it ("2GB", "512MiB"); default DuckDB's (80% of RAM). */
  readonly memoryLimit?: string;
  /** Where to spill; a fresh directory is made inside it and removed at close. Default: the OS temp dir. */
  readonly tempDir?: string;
  /** DuckDB worker threads; default one per core. */
  readonly threads?: number;
}

/**
 * The one in-memory DuckDB instance of a local job. Data larger than the memory limit spills
 * to a directory of its own (DuckDB's temp file names are fixed, so two instances must never
 * share one), which close() removes. Every DuckDB user of the job connects through here, so
 * close() can end their connections before the instance.
 */
export class LocalDb {
  private readonly connections = new Set<DuckDBConnection>();
  private isClosed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    /** The directory DuckDB spills to; gone after close(). */
    readonly tempDir: string,
  ) {}

  static async open(options: LocalDbOptions = {}): Promise<LocalDb> {
    const { threads } = options;
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
      throw new RangeError(`DuckDB threads must be a positive integer, got ${threads}`);
    const parent = options.tempDir ?? tmpdir();
    await mkdir(parent, { recursive: true });
    const tempDir = await mkdtemp(join(parent, "beamline-duckdb-"));
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(":memory:", {
        temp_directory: tempDir,
        // Grouping and joins need no order, and keeping it costs memory.
        preserve_insertion_order: "false",
        ...(threads === undefined ? {} : { threads: String(threads) }),
      });
      const db = new LocalDb(instance, tempDir);
      if (options.memoryLimit !== undefined) await db.setMemoryLimit(options.memoryLimit);
      return db;
    } catch (e) {
      instance?.closeSync();
      await rm(tempDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** A new connection; one per concurrent user, since a DuckDB connection runs one statement at a time. */
  async connect(): Promise<DuckDBConnection> {
    if (this.isClosed) throw new Error("LocalDb: connect() after close()");
    const connection = await this.instance.connect();
    this.connections.add(connection);
    return connection;
  }

  /** Whether close() was called: the instance, its tables and its connections are gone. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Ends a connection from connect() early (close() ends the rest). */
  disconnect(connection: DuckDBConnection): void {
    if (this.connections.delete(connection)) connection.disconnectSync();
  }

  /** Ends every connection and the instance, and removes the spill directory. Safe to call twice. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const c of this.connections) c.disconnectSync();
    this.connections.clear();
    this.instance.closeSync();
    await rm(this.tempDir, { recursive: true, force: true });
  }

  // SET (not a creation option) because its parser says what is wrong with the value.
  private async setMemoryLimit(limit: string): Promise<void> {
    const connection = await this.connect();
    try {
      await connection.run(`SET memory_limit = ${quoteLiteral(limit)}`);
      // A limit too small to run anything is accepted by SET and fails the first query.
      await connection.run("SELECT count(*) FROM range(10000)");
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      throw new Error(
        `--memory-limit ${JSON.stringify(limit)} is not a usable DuckDB memory limit (${reason}); give a size such as "2GB" or "512MiB"`,
        { cause: e },
      );
    } finally {
      this.disconnect(connection);
    }
  }
}
