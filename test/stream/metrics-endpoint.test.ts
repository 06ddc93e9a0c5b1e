import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runStream } from "../../runners/stream/index.js";
import windowedCount from "./fixtures/windowed-count.js";
import { writeEvents } from "./support.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/windowed-count.ts", import.meta.url));

/** The value of one sample line, `name{labels} value`, or undefined. */
const sample = (text: string, name: string, labels = ""): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};

test("--metrics-port serves Prometheus text while a job runs: records, watermark, checkpoints", async () => {
  const dir = await mkdtemp(join(tmpdir(), "beamline-metrics-"));
  try {
    const input = await writeEvents(join(dir, "events"), 1_000_000);
    const built = windowedCount.build({ input, output: join(dir, "out"), maxDelay: 5_000 });
    let port: number | null = null;
    const scrapes: Promise<string>[] = [];
    await runStream(built, {
      parallelism: 2,
      source: { module: FIXTURE, options: built.options },
      checkpointDir: join(dir, "checkpoints"),
      checkpointIntervalMs: 100,
      metricsPort: 0,
      onStarted: (info) => (port = info.metricsPort),
      onCheckpoint: (c) => {
        if (c.id === 8) scrapes.push(fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()));
      },
    });
    expect(port).toBeGreaterThan(0);
    expect(scrapes).toHaveLength(1);
    const text = await scrapes[0]!;
    expect(sample(text, "beamline_records_in_total", 'stage="stage-2"')).toBeGreaterThan(0);
    expect(sample(text, "beamline_checkpoints_total", 'outcome="completed"')).toBeGreaterThanOrEqual(7);
    expect(sample(text, "beamline_checkpoint_duration_seconds_count")).toBeGreaterThanOrEqual(7);
    expect(sample(text, "beamline_watermark_ms", 'stage="stage-2"')).toBeGreaterThan(1_600_000_000_000);
    expect(text).toContain("beamline_backpressure_seconds_total");
    expect(text).toContain("beamline_restarts_total 0");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
