// Shared by the example tests: temp dirs removed after each test, shard files read back, the CLI run in-process.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { main } from "../../runners/cli/main.js";

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "beamline-example-"));
  dirs.push(dir);
  return dir;
}

/** The repository root (the examples resolve their shared data from it). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** The files of an output directory: published shards only, sorted; fails on anything else left behind. */
export async function shardFiles(dir: string): Promise<string[]> {
  const names = (await fs.readdir(dir)).sort();
  const others = names.filter((n) => !/^part-\d{5}-of-\d{5}\.\w+$/.test(n));
  if (others.length > 0) throw new Error(`${dir} holds more than shards: ${others.join(", ")}`);
  return names.map((n) => path.join(dir, n));
}

/** Every line of every shard in `dir`, shard by shard, without the final newline of each. */
export async function shardLines(dir: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const file of await shardFiles(dir)) {
    const text = await fs.readFile(file, "utf8");
    if (text !== "" && !text.endsWith("\n")) throw new Error(`${file} does not end with a newline`);
    out.push(text === "" ? [] : text.slice(0, -1).split("\n"));
  }
  return out;
}

/** Runs `beamline <argv>` in-process; stderr is captured, and there is no terminal (no progress drawn). */
export async function runCli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: {} });
  return { code, stdout, stderr };
}
