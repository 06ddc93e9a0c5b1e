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
    const run = async (count: number, checkpoints: boolean): Promise<{ s: number; checkpoints: number }> => {
      const built = streamSum.build({
        count,
        keys: 1000,
        windowMs: 60_000,
        outOfOrderMs: 30_000,
        eventsPerSecond: 1_000_000,
        paced: false,
        output: join(dir, `out-${runs++}`),
      });
      const t0 = performance.now();
      const summary = await runStream(built, {
        parallelism: 2,
        source: { module: MODULE, options: built.options },
        ...(checkpoints ? { checkpointDir: join(dir, `ck-${runs}`), checkpointIntervalMs: 1000 } : {}),
      });
      return { s: (performance.now() - t0) / 1000, checkpoints: summary.checkpoints };
    };
    let runs = 0;
    // Runs alternate, five of each, and the medians count: a run of a job this short varies by
    // ±10% with the scheduler, as much as the cost being measured.
    const plain: number[] = [];
    const withCk: number[] = [];
    const ckCounts: number[] = [];
    const start: number[] = [];
    for (let i = 0; i < 5; i++) {
      plain.push((await run(events, false)).s);
      const r = await run(events, true);
      withCk.push(r.s);
      ckCounts.push(r.checkpoints);
      if (i < 3) start.push((await run(1000, false)).s);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const p = median(plain);
    const c = median(withCk);
    const s0 = median(start);
    const perSecond = (secs: number) => `${(events / secs / 1e6).toFixed(2)} M`;
    rows.push(
      `stream runner: ${events.toLocaleString("en")} generated events, 1,000 keys, fixed 1-minute windows, sum per key, 30 s out-of-orderness, --parallelism=2; median of 5 alternating runs, wall time from runStream() to its end, pool start included`,
      "",
      "| run | events/s | time | runs (s) | checkpoints |",
      "|---|---|---|---|---|",
      `| no checkpoints | ${perSecond(p)} | ${p.toFixed(2)} s | ${plain.map((x) => x.toFixed(2)).join(", ")} | 0 |`,
      `| checkpoint every 1 s | ${perSecond(c)} | ${c.toFixed(2)} s | ${withCk.map((x) => x.toFixed(2)).join(", ")} | ${ckCounts.join(", ")} |`,
      "",
      `pool start and pipeline load (a run of 1,000 events): ${s0.toFixed(2)} s; without it, ${perSecond(Math.max(1e-3, p - s0))} events/s`,
      `checkpointing cost: ${((1 - p / c) * 100).toFixed(1)}% of throughput (target < 10%); target ≥ 5 M events/s`,
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
