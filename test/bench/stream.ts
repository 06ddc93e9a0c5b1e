import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { memory } from "../../io/index.js";
import { runStream } from "../../runners/stream/index.js";
import streamSum from "./fixtures/stream-sum.js";

/**
 * Issue #5's stream benchmark: fixed 1-minute windows, sum per key over 1,000 keys, 10 million
 * generated events with 30 s out-of-orderness, parallelism 2; events/s without checkpoints and
 * with one every second (the baseline is the run without, in the same process). Then latency at
 * a steady 100,000 events/s: for each pane, the wall time from when its window could first fire
 * (the watermark, max event time - out-of-orderness, passing the window's end) to the pane
 * reaching the sink's DoFn.
 */
const MODULE = fileURLToPath(new URL("./fixtures/stream-sum.ts", import.meta.url));

export async function runStreamBench(events = 10_000_000): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "beamline-bench-stream-"));
  const rows: string[] = [];
  try {
    const throughput = async (checkpoints: boolean): Promise<number> => {
      const built = streamSum.build({
        count: events,
        keys: 1000,
        windowMs: 60_000,
        outOfOrderMs: 30_000,
        eventsPerSecond: 1_000_000,
        paced: false,
        output: join(dir, checkpoints ? "out-ck" : "out"),
      });
      const t0 = performance.now();
      const summary = await runStream(built, {
        parallelism: 2,
        source: { module: MODULE, options: built.options },
        ...(checkpoints ? { checkpointDir: join(dir, "ck"), checkpointIntervalMs: 1000 } : {}),
      });
      const s = (performance.now() - t0) / 1000;
      rows.push(
        `| ${checkpoints ? "checkpoint every 1 s" : "no checkpoints"} | ${(events / s / 1e6).toFixed(2)} M | ${s.toFixed(1)} s | ${summary.checkpoints} |`,
      );
      return events / s;
    };
    rows.push(
      `stream runner: ${events.toLocaleString("en")} generated events, 1,000 keys, fixed 1-minute windows, sum per key, 30 s out-of-orderness, --parallelism=2 (one run each; wall time including pool start)`,
      "",
      "| run | events/s | time | checkpoints |",
      "|---|---|---|---|",
    );
    const plain = await throughput(false);
    const withCk = await throughput(true);
    rows.push(
      "",
      `checkpointing cost: ${((1 - withCk / plain) * 100).toFixed(1)}% of throughput (target < 10%); target ≥ 5 M events/s`,
    );

    // Latency at a steady rate: 1-second windows and 1 s out-of-orderness so that panes come every second.
    const id = "bench-stream-latency";
    memory.clear(id);
    const rate = 100_000;
    const seconds = 15;
    const built = streamSum.build({
      count: rate * seconds,
      keys: 1000,
      windowMs: 1000,
      outOfOrderMs: 1000,
      eventsPerSecond: rate,
      paced: true,
      output: `memory:${id}`,
    });
    await runStream(built, { parallelism: 2, source: { module: MODULE, options: built.options } });
    const panes = memory.results<{ end: number; ms: number }>(id);
    // The last windows fire at the end of input (watermark +∞), not by the watermark: left out.
    const lastEnd = Math.max(...panes.map((p) => p.end));
    const ms = panes
      .filter((p) => p.end <= lastEnd - 2000)
      .map((p) => p.ms)
      .sort((a, b) => a - b);
    const q = (f: number) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))] ?? NaN;
    rows.push(
      "",
      `latency at a steady ${rate.toLocaleString("en")} events/s (paced generator, ${seconds} s, 1-second windows, 1 s out-of-orderness, 1,000 keys, --parallelism=2): ` +
        `${ms.length.toLocaleString("en")} panes, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms.at(-1)} ms (target p99 < 100 ms)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows.join("\n");
}
