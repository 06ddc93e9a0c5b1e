import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { DuckCombine, LocalDb } from "../../../runners/local/duckdb/index.js";

const setting = async (db: LocalDb, name: string): Promise<unknown> => {
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0]![0];
  } finally {
    db.disconnect(connection);
  }
};

describe("LocalDb", () => {
  test("one instance with the job's settings, spilling to a fresh directory that close() removes", async () => {
    const db = await LocalDb.open({ memoryLimit: "100MiB", threads: 1 });
    expect(dirname(db.tempDir)).toBe(tmpdir());
    expect(existsSync(db.tempDir)).toBe(true);
    expect(await setting(db, "memory_limit")).toBe("100.0 MiB");
    expect(await setting(db, "temp_directory")).toBe(db.tempDir);
    expect(await setting(db, "preserve_insertion_order")).toBe(false);
    expect(await setting(db, "threads")).toBe(1n);
    await db.close();
    expect(existsSync(db.tempDir)).toBe(false);
    await db.close(); // twice is fine
    await expect(db.connect()).rejects.toThrow("connect() after close()");
  });

  test("a given temp dir gets a directory of its own inside it, and is left in place", async () => {
    const parent = await mkdtemp(join(tmpdir(), "beamline-test-"));
    const [a, b] = await Promise.all([LocalDb.open({ tempDir: parent }), LocalDb.open({ tempDir: parent })]);
    expect(dirname(a.tempDir)).toBe(parent);
    expect(a.tempDir).not.toBe(b.tempDir);
    await Promise.all([a.close(), b.close()]);
    expect(readdirSync(parent)).toEqual([]);
    await rm(parent, { recursive: true });
  });

  test.each(["lots", "", "12XB", "0", "1B"])("memory limit %j is refused, naming --memory-limit and the value", async (limit) => {
    await expect(LocalDb.open({ memoryLimit: limit })).rejects.toThrow(
      `--memory-limit ${JSON.stringify(limit)} is not a usable DuckDB memory limit`,
    );
  });

  test("the refusal says why, and leaves no directory behind", async () => {
    const parent = await mkdtemp(join(tmpdir(), "beamline-test-"));
    await expect(LocalDb.open({ memoryLimit: "12XB", tempDir: parent })).rejects.toThrow(/Unknown unit for memory: 'xb'.*"2GB"/);
    expect(readdirSync(parent)).toEqual([]);
    await rm(parent, { recursive: true });
  });

  test("closing the instance ends its combines' connections; closing a combine afterwards is harmless", async () => {
    const db = await LocalDb.open();
    const combine = await DuckCombine.create(db, { step: "Left", aggregate: "sum" });
    await combine.add(["a"], [0], [1]);
    await combine.flush();
    await db.close();
    await expect(combine.close()).resolves.toBeUndefined();
  });

  test("threads must be a positive integer", async () => {
    await expect(LocalDb.open({ threads: 0 })).rejects.toThrow("DuckDB threads must be a positive integer, got 0");
  });
});
