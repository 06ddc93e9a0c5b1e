import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../support/random.js";

/**
 * `files` files of `key,timestamp` lines, `events` in all: keys k0..k999; each file's event
 * times advance 30 ms an event, with up to `jitter` ms of disorder (below the fixture's 5 s
 * maxDelay, so no event is late and every run's counts are the same).
 */
export async function writeEvents(dir: string, events: number, files = 4, jitter = 3_000): Promise<string> {
  await mkdir(dir, { recursive: true });
  const random = seededRandom(7);
  const per = Math.ceil(events / files);
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    const n = Math.min(per, events - f * per);
    for (let i = 0; i < n; i++) {
      const t = 1_700_000_000_000 + i * 30 + Math.floor(random() * jitter);
      lines.push(`k${Math.floor(random() * 1000)},${t}`);
    }
    await writeFile(join(dir, `events-${f}.txt`), `${lines.join("\n")}\n`);
  }
  return join(dir, "events-*.txt");
}

/** Every line of the committed shards (part-*), sorted. */
export async function outputLines(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith("part-")).sort();
  const lines: string[] = [];
  for (const f of names) for (const l of (await readFile(join(dir, f), "utf8")).split("\n")) if (l !== "") lines.push(l);
  return lines.sort();
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `beamline run <module> --runner=stream ...args` in a child process, from the sources, its stderr collected. */
export function streamCli(
  module: string,
  args: readonly string[],
): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "runners/cli/main.ts", "run", module, "--runner=stream", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => err, exit };
}

/** Resolves once stderr has reported `n` completed checkpoints; fails if the job ends first. */
export async function checkpointsSeen(stderr: () => string, n: number, exit: Promise<unknown>): Promise<void> {
  for (;;) {
    if ((stderr().match(/^checkpoint \d+ completed/gm) ?? []).length >= n) return;
    const ended = await Promise.race([exit.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
    if (ended) throw new Error(`the job ended before ${n} checkpoints:\n${stderr()}`);
  }
}
