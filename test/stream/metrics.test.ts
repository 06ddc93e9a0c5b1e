import { register } from "prom-client";
import { afterEach, describe, expect, test } from "vitest";
import { type MetricsEndpoint, StreamMetrics } from "../../runners/stream/metrics.js";
import { Instant } from "../../sdk/index.js";

const open: MetricsEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function serve(metrics: StreamMetrics, port = 0): Promise<MetricsEndpoint> {
  const endpoint = await metrics.serve(port);
  open.push(endpoint);
  return endpoint;
}

/** One scrape: every sample line as `name{labels}` → value. */
async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parse(await res.text());
}

function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(\S+) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, series = "", value = ""] = match;
    samples.set(series, value === "+Inf" ? Infinity : value === "-Inf" ? -Infinity : Number(value));
  }
  return samples;
}

describe("StreamMetrics", () => {
  test("serves counters per stage, zero for stages that have seen nothing", async () => {
    const metrics = new StreamMetrics(["Read", "Sum"]);
    metrics.recordsIn("Read", 10);
    metrics.recordsIn("Read", 5);
    metrics.recordsOut("Read", 15);
    metrics.recordsIn("Sum", 15);
    metrics.recordsOut("Sum", 3);
    metrics.backpressure("Read", 250);
    metrics.backpressure("Read", 1000);
    metrics.droppedLate("Sum", 2);
    const { port } = await serve(metrics);

    const s = await scrape(port);
    expect(s.get('beamline_records_in_total{stage="Read"}')).toBe(15);
    expect(s.get('beamline_records_out_total{stage="Read"}')).toBe(15);
    expect(s.get('beamline_records_in_total{stage="Sum"}')).toBe(15);
    expect(s.get('beamline_records_out_total{stage="Sum"}')).toBe(3);
    expect(s.get('beamline_backpressure_seconds_total{stage="Read"}')).toBe(1.25);
    expect(s.get('beamline_backpressure_seconds_total{stage="Sum"}')).toBe(0);
    expect(s.get('beamline_dropped_late_total{stage="Read"}')).toBe(0);
    expect(s.get('beamline_dropped_late_total{stage="Sum"}')).toBe(2);
    expect(s.get('beamline_checkpoints_total{outcome="completed"}')).toBe(0);
    expect(s.get('beamline_checkpoints_total{outcome="failed"}')).toBe(0);
    expect(s.get("beamline_restarts_total")).toBe(0);
  });

  test("says what each metric measures and what type it is", async () => {
    const text = await new StreamMetrics(["Read"]).text();
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.fromEntries(types)).toEqual({
      beamline_records_in_total: "counter",
      beamline_records_out_total: "counter",
      beamline_records_in_per_second: "gauge",
      beamline_records_out_per_second: "gauge",
      beamline_watermark_ms: "gauge",
      beamline_watermark_lag_ms: "gauge",
      beamline_backpressure_seconds_total: "counter",
      beamline_dropped_late_total: "counter",
      beamline_checkpoint_duration_seconds: "histogram",
      beamline_checkpoint_size_bytes: "gauge",
      beamline_checkpoints_total: "counter",
      beamline_restarts_total: "counter",
    });
    for (const [, name, help] of text.matchAll(/^# HELP (\S+) (.*)$/gm))
      expect(help?.length, `help for ${name}`).toBeGreaterThan(20);
  });

  test("rates cover the last rateWindowMs as of the scrape", async () => {
    let now = 10_000;
    const metrics = new StreamMetrics(["Read"], { rateWindowMs: 1000, now: () => now });
    const { port } = await serve(metrics);
    const rateIn = async (): Promise<number | undefined> =>
      (await scrape(port)).get('beamline_records_in_per_second{stage="Read"}');

    expect(await rateIn()).toBe(0);
    metrics.recordsIn("Read", 100);
    now = 10_500;
    metrics.recordsIn("Read", 300);
    metrics.recordsOut("Read", 50);
    expect(await rateIn()).toBe(400);
    expect((await scrape(port)).get('beamline_records_out_per_second{stage="Read"}')).toBe(50);
    // No new records: the first 100 leave the window and the figure falls with time alone.
    now = 11_000;
    expect(await rateIn()).toBe(300);
    now = 11_500;
    expect(await rateIn()).toBe(0);
    expect((await scrape(port)).get('beamline_records_in_total{stage="Read"}')).toBe(400);
  });

  test("rates average over the whole window (default 5s)", async () => {
    let now = 1_000_000;
    const metrics = new StreamMetrics(["Read"], { now: () => now });
    for (let i = 0; i < 50; i++) {
      now += 100;
      metrics.recordsIn("Read", 100);
    }
    expect(parse(await metrics.text()).get('beamline_records_in_per_second{stage="Read"}')).toBe(1000);
  });

  test("watermark lag is processing time minus the watermark, measured at scrape time", async () => {
    let now = Instant.of("2024-01-01T00:00:10Z");
    const metrics = new StreamMetrics(["Read", "Sum"], { now: () => now });
    const { port } = await serve(metrics);

    let s = await scrape(port);
    expect(s.get('beamline_watermark_ms{stage="Read"}')).toBe(-Infinity);
    expect(s.has('beamline_watermark_lag_ms{stage="Read"}')).toBe(false);

    metrics.watermark("Read", Instant.of("2024-01-01T00:00:08Z"));
    metrics.watermark("Sum", Instant.MIN);
    s = await scrape(port);
    expect(s.get('beamline_watermark_ms{stage="Read"}')).toBe(Instant.of("2024-01-01T00:00:08Z"));
    expect(s.get('beamline_watermark_lag_ms{stage="Read"}')).toBe(2000);
    expect(s.has('beamline_watermark_lag_ms{stage="Sum"}')).toBe(false);

    // A watermark that does not move shows a growing lag.
    now += 500;
    expect((await scrape(port)).get('beamline_watermark_lag_ms{stage="Read"}')).toBe(2500);

    metrics.watermark("Read", Instant.MAX);
    metrics.watermark("Sum", now);
    s = await scrape(port);
    expect(s.get('beamline_watermark_ms{stage="Read"}')).toBe(Infinity);
    expect(s.get('beamline_watermark_lag_ms{stage="Read"}')).toBe(0);
    expect(s.get('beamline_watermark_lag_ms{stage="Sum"}')).toBe(0);
  });

  test("checkpoints: duration histogram and size of completed ones, count by outcome", async () => {
    const metrics = new StreamMetrics(["Read"]);
    const { port } = await serve(metrics);
    expect((await scrape(port)).get("beamline_checkpoint_duration_seconds_count")).toBe(0);

    metrics.checkpoint({ durationMs: 40, bytes: 1024, ok: true });
    metrics.checkpoint({ durationMs: 2000, bytes: 4096, ok: true });
    metrics.checkpoint({ durationMs: 30_000, bytes: 0, ok: false });
    const s = await scrape(port);
    expect(s.get("beamline_checkpoint_duration_seconds_count")).toBe(2);
    expect(s.get("beamline_checkpoint_duration_seconds_sum")).toBeCloseTo(2.04);
    expect(s.get('beamline_checkpoint_duration_seconds_bucket{le="0.005"}')).toBe(0);
    expect(s.get('beamline_checkpoint_duration_seconds_bucket{le="0.05"}')).toBe(1);
    expect(s.get('beamline_checkpoint_duration_seconds_bucket{le="2.5"}')).toBe(2);
    expect(s.get('beamline_checkpoint_duration_seconds_bucket{le="30"}')).toBe(2);
    expect(s.get('beamline_checkpoint_duration_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(s.get("beamline_checkpoint_size_bytes")).toBe(4096);
    expect(s.get('beamline_checkpoints_total{outcome="completed"}')).toBe(2);
    expect(s.get('beamline_checkpoints_total{outcome="failed"}')).toBe(1);
  });

  test("counts restarts", async () => {
    const metrics = new StreamMetrics([]);
    metrics.restart();
    metrics.restart();
    const { port } = await serve(metrics);
    expect((await scrape(port)).get("beamline_restarts_total")).toBe(2);
  });

  test("text() is the exposition the endpoint serves", async () => {
    const metrics = new StreamMetrics(["Read"], { now: () => 5000 });
    metrics.recordsIn("Read", 7);
    const { port } = await serve(metrics);
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(body).toBe(await metrics.text());
  });

  test("answers 404 to anything but GET /metrics", async () => {
    const { port } = await serve(new StreamMetrics(["Read"]));
    const base = `http://127.0.0.1:${port}`;
    for (const path of ["/", "/metric", "/metrics/extra", "/favicon.ico"])
      expect((await fetch(base + path)).status, path).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${base}/metrics?name[]=x`)).status).toBe(200);
  });

  test("refuses unknown stages, naming the ones it has", () => {
    const metrics = new StreamMetrics(["Read", "Sum"]);
    const message = 'StreamMetrics has no stage "Write"; the job\'s stages are "Read", "Sum"';
    expect(() => metrics.recordsIn("Write", 1)).toThrow(message);
    expect(() => metrics.recordsOut("Write", 1)).toThrow(message);
    expect(() => metrics.watermark("Write", 0)).toThrow(message);
    expect(() => metrics.backpressure("Write", 1)).toThrow(message);
    expect(() => metrics.droppedLate("Write", 1)).toThrow(message);
  });

  test("refuses bad arguments", async () => {
    expect(() => new StreamMetrics(["Read", "Read"])).toThrow('stage "Read" is listed twice');
    expect(() => new StreamMetrics([""])).toThrow("must not be empty");
    expect(() => new StreamMetrics([], { rateWindowMs: 0 })).toThrow("rateWindowMs must be a positive");
    const metrics = new StreamMetrics(["Read"]);
    expect(() => metrics.recordsIn("Read", -1)).toThrow("recordsIn needs a count of zero or more, got -1");
    expect(() => metrics.recordsOut("Read", 1.5)).toThrow("got 1.5");
    expect(() => metrics.backpressure("Read", Number.NaN)).toThrow("backpressure needs a finite amount");
    expect(() => metrics.watermark("Read", Number.NaN)).toThrow("watermark must be an instant");
    expect(() => metrics.checkpoint({ durationMs: -1, bytes: 0, ok: true })).toThrow("durationMs");
    await expect(metrics.serve(70_000)).rejects.toThrow("metrics port must be an integer from 0 to 65535");
    expect(parse(await metrics.text()).get('beamline_records_in_total{stage="Read"}')).toBe(0);
  });

  test("two instances in one process keep their own figures and leave the global registry alone", async () => {
    const a = new StreamMetrics(["Read"]);
    const b = new StreamMetrics(["Read"]);
    a.recordsIn("Read", 1);
    b.recordsIn("Read", 2);
    a.restart();
    const [ea, eb] = [await serve(a), await serve(b)];
    expect(ea.port).not.toBe(eb.port);
    expect((await scrape(ea.port)).get('beamline_records_in_total{stage="Read"}')).toBe(1);
    expect((await scrape(eb.port)).get('beamline_records_in_total{stage="Read"}')).toBe(2);
    expect((await scrape(eb.port)).get("beamline_restarts_total")).toBe(0);
    expect(register.getMetricsAsArray().filter((m) => m.name.startsWith("beamline_"))).toEqual([]);
  });

  test("close() frees the port, and may be called twice", async () => {
    const first = await new StreamMetrics(["Read"]).serve(0);
    await scrape(first.port); // leaves a kept-alive connection that close() must not wait for
    await first.close();
    await first.close();
    await expect(fetch(`http://127.0.0.1:${first.port}/metrics`)).rejects.toThrow();

    const again = new StreamMetrics(["Read"]);
    again.recordsIn("Read", 3);
    const second = await serve(again, first.port);
    expect(second.port).toBe(first.port);
    expect((await scrape(second.port)).get('beamline_records_in_total{stage="Read"}')).toBe(3);
  });

  test("a port in use is an error", async () => {
    const { port } = await serve(new StreamMetrics(["Read"]));
    await expect(new StreamMetrics(["Read"]).serve(port)).rejects.toThrow(/EADDRINUSE/);
  });
});
