// examples/load-access-log.ts and examples/realtime-uv.ts against the mock Kafka broker
// (test/support/kafka/broker.ts): the log goes into a topic, and the unique visitors per UTC
// day read back from it equal the ones worked out here from the file, on both runners.
import fs from "node:fs/promises";
import path from "node:path";
import { type Admin, Kafka, type KafkaMessage, logLevel, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import loadAccessLog from "../../examples/load-access-log.js";
import realtimeUv from "../../examples/realtime-uv.js";
import { runLocal } from "../../runners/local/index.js";
import { runStream } from "../../runners/stream/index.js";
import { type MockBroker, startMockBroker } from "../support/kafka/broker.js";
import { REPO_ROOT, runCli, tempDir } from "./support.js";

const LOG = path.resolve(REPO_ROOT, "../shared/data/apache_access_log");
const UV_MODULE = path.resolve(REPO_ROOT, "examples/realtime-uv.ts");
const TOPIC = "access-log";
const CLI_TOPIC = "access-log-cli";
const LIVE_TOPIC = "access-log-live";
const PARTITIONS = 4;

const MONTHS: Record<string, string> = { Jan: "01", Feb: "02", Mar: "03", Apr: "04", May: "05", Jun: "06" };

interface Line {
  readonly line: string;
  readonly client: string;
  readonly at: number;
  readonly day: string;
}

/** The log's lines with client, instant and UTC day, parsed here with string operations (not the examples' regex). */
async function linesOf(file: string): Promise<Line[]> {
  const out: Line[] = [];
  for (const line of (await fs.readFile(file, "utf8")).split("\n")) {
    if (line === "") continue;
    const client = line.slice(0, line.indexOf(" "));
    const [date, zone] = line.slice(line.indexOf("[") + 1, line.indexOf("]")).split(" "); // 17/May/2015:10:05:03 +0000
    const [dd, mon, rest] = date!.split("/");
    const [yyyy, hh, mi, ss] = rest!.split(":");
    const at = new Date(`${yyyy}-${MONTHS[mon!]}-${dd}T${hh}:${mi}:${ss}${zone!.slice(0, 3)}:${zone!.slice(3)}`).getTime();
    if (Number.isNaN(at)) throw new Error(`cannot parse ${JSON.stringify(line.slice(0, 80))}`);
    out.push({ line, client, at, day: new Date(at).toISOString().slice(0, 10) });
  }
  return out;
}

/** Distinct clients per UTC day. */
function uvPerDay(lines: readonly Line[]): Map<string, number> {
  const clients = new Map<string, Set<string>>();
  for (const l of lines) {
    const s = clients.get(l.day) ?? new Set<string>();
    s.add(l.client);
    clients.set(l.day, s);
  }
  return new Map([...clients].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, s]) => [day, s.size]));
}

interface Pane {
  readonly day: string;
  readonly uv: number;
  readonly timing: string;
}

/** The lines of every published file (`part-*`) of `dir`, files in name order, lines in file order, as panes. */
async function panesIn(dir: string): Promise<Pane[]> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith("part-")).sort();
  const panes: Pane[] = [];
  for (const name of names)
    for (const line of (await fs.readFile(path.join(dir, name), "utf8")).split("\n")) {
      if (line === "") continue;
      const m = /^(\d{4}-\d{2}-\d{2}),(\d+),(early|on-time|late)$/.exec(line);
      if (!m) throw new Error(`${name}: not a "day,uv,timing" line: ${JSON.stringify(line)}`);
      panes.push({ day: m[1]!, uv: Number(m[2]), timing: m[3]! });
    }
  return panes;
}

/** The on-time UV per day; fails if a day has more than one on-time pane. */
function onTime(panes: readonly Pane[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of panes.filter((x) => x.timing === "on-time")) {
    if (out.has(p.day)) throw new Error(`day ${p.day} has two on-time panes`);
    out.set(p.day, p.uv);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Poll until `done()` resolves true, or fail naming `what` after `ms`. */
async function until(done: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the Kafka examples against the mock broker", () => {
  let broker: MockBroker;
  let kafka: Kafka;
  let admin: Admin;
  let lines: Line[];

  beforeAll(async () => {
    broker = await startMockBroker({ topics: { [TOPIC]: PARTITIONS, [CLI_TOPIC]: PARTITIONS, [LIVE_TOPIC]: PARTITIONS } });
    kafka = new Kafka({ clientId: "kafka-examples-test", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    lines = await linesOf(LOG);
  }, 120_000);

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    await broker?.stop();
  });

  test("the figures worked out here are the data's published ones", () => {
    expect(lines).toHaveLength(10_000);
    expect(new Set(lines.map((l) => l.client)).size).toBe(1753);
    expect([...uvPerDay(lines).keys()]).toEqual(["2015-05-17", "2015-05-18", "2015-05-19", "2015-05-20"]);
  });

  test("load-access-log writes every request: the line as value, client as key, request time as timestamp, file order per partition", async () => {
    await runLocal(loadAccessLog.buildFromArgs({ input: LOG, brokers: broker.bootstrap, topic: TOPIC }), { parallelism: 1 });

    const offsets = (await admin.fetchTopicOffsets(TOPIC)).sort((a, b) => a.partition - b.partition);
    expect(offsets).toHaveLength(PARTITIONS);
    expect(offsets.map((o) => o.low)).toEqual(["0", "0", "0", "0"]);
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(10_000);
    for (const o of offsets) expect(Number(o.high)).toBeGreaterThan(0);

    // Read everything back with kafkajs.
    const byPartition = new Map<number, KafkaMessage[]>();
    let seen = 0;
    const consumer = kafka.consumer({
      groupId: "verify-load",
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 100,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const list = byPartition.get(batch.partition) ?? [];
          list.push(...batch.messages);
          byPartition.set(batch.partition, list);
          seen += batch.messages.length;
        },
      });
      await until(async () => seen >= 10_000, 30_000, "10,000 records");
    } finally {
      await consumer.disconnect();
    }
    expect(seen).toBe(10_000);

    const timeOf = new Map(lines.map((l) => [l.line, l.at]));
    const partitionOf = new Map<string, number>();
    for (const [partition, messages] of byPartition) {
      expect(messages.map((m) => Number(m.offset))).toEqual(messages.map((_, i) => i));
      for (const m of messages) {
        const value = m.value!.toString("utf8");
        const client = value.slice(0, value.indexOf(" "));
        expect(m.key?.toString("utf8")).toBe(client);
        expect(Number(m.timestamp)).toBe(timeOf.get(value));
        // One client, one partition.
        expect(partitionOf.get(client) ?? partition).toBe(partition);
        partitionOf.set(client, partition);
      }
      // A partition holds its clients' lines in the file's order (what keeps them within the data's 59 s of disorder).
      expect(messages.map((m) => m.value!.toString("utf8"))).toEqual(
        lines.filter((l) => partitionOf.get(l.client) === partition).map((l) => l.line),
      );
    }
    expect(partitionOf.size).toBe(1753);
  }, 60_000);

  test("load-access-log through the CLI (`beamline run examples/load-access-log.ts`) writes 10,000 records", async () => {
    const r = await runCli([
      "run",
      "examples/load-access-log.ts",
      `--input=${LOG}`,
      `--brokers=${broker.bootstrap}`,
      `--topic=${CLI_TOPIC}`,
    ]);
    expect(r.stderr).toContain("total: ");
    expect(r.code).toBe(0);
    const offsets = await admin.fetchTopicOffsets(CLI_TOPIC);
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(10_000);
  }, 60_000);

  test("realtime-uv, bounded: the on-time UV per UTC day is exact, the same on the local and the stream runner", async () => {
    const expected = uvPerDay(lines);
    expect([...expected.values()]).toEqual([341, 627, 561, 505]);
    const dir = await tempDir();
    const options = { brokers: broker.bootstrap, topic: TOPIC, bounded: true };

    const local = realtimeUv.buildFromArgs({ ...options, output: path.join(dir, "local") });
    const localSummary = await runLocal(local, { parallelism: 2 });
    expect(localSummary.droppedLate).toBe(0);
    const localPanes = await panesIn(path.join(dir, "local"));
    expect(onTime(localPanes)).toEqual(expected);
    expect(localPanes.filter((p) => p.timing === "late")).toEqual([]);

    const stream = realtimeUv.buildFromArgs({ ...options, output: path.join(dir, "stream") });
    const streamSummary = await runStream(stream, { parallelism: 2, source: { module: UV_MODULE, options: stream.options } });
    expect(streamSummary.droppedLate).toBe(0);
    const streamPanes = await panesIn(path.join(dir, "stream"));
    expect(onTime(streamPanes)).toEqual(expected);
    expect(streamPanes.filter((p) => p.timing === "late")).toEqual([]);
  }, 90_000);

  test("realtime-uv, unbounded on the stream runner: accumulating early panes every 200 ms while requests arrive, on-time panes for closed days", async () => {
    const dir = await tempDir();
    const output = path.join(dir, "out");
    const built = realtimeUv.buildFromArgs({ brokers: broker.bootstrap, topic: LIVE_TOPIC, output, earlyEveryMs: 200 });
    expect(built.options.bounded).toBe(false);
    const stop = new AbortController();
    const warnings: string[] = [];
    const job = runStream(built, {
      parallelism: 2,
      source: { module: UV_MODULE, options: built.options },
      // Files are published at each checkpoint: often, so the panes can be watched as they come.
      checkpointDir: path.join(dir, "ck"),
      checkpointIntervalMs: 250,
      stop: stop.signal,
      onWarning: (m) => void warnings.push(m),
    });
    job.catch(() => undefined);

    const producer: Producer = kafka.producer({ idempotent: false });
    await producer.connect();
    const send = (slice: readonly Line[]) =>
      producer.send({
        topic: LIVE_TOPIC,
        acks: -1,
        messages: slice.map((l) => ({ key: l.client, value: l.line, timestamp: String(l.at) })),
      });
    const has = async (day: string, uv: number, timing: string) =>
      (await panesIn(output)).some((p) => p.day === day && p.uv === uv && p.timing === timing);
    try {
      // The first 1,000 requests are all of 17 May: the day stays open, and an early pane soon counts all of them.
      const first = lines.slice(0, 1000);
      expect(new Set(first.map((l) => l.day))).toEqual(new Set(["2015-05-17"]));
      await send(first);
      const soFar = uvPerDay(first).get("2015-05-17")!;
      await until(() => has("2015-05-17", soFar, "early"), 30_000, `an early pane 2015-05-17,${soFar}`);

      // The rest in slices of 500, 250 ms apart.
      for (let i = 1000; i < lines.length; i += 500) {
        await send(lines.slice(i, i + 500));
        await new Promise((r) => setTimeout(r, 250));
      }
      // Every day but the last is closed by the watermark; the last stays open, its early panes reaching its full count.
      const all = uvPerDay(lines);
      await until(
        async () =>
          (await has("2015-05-20", all.get("2015-05-20")!, "early")) &&
          (await Promise.all(["2015-05-17", "2015-05-18", "2015-05-19"].map((d) => has(d, all.get(d)!, "on-time")))).every(
            Boolean,
          ),
        30_000,
        "the full count of 20 May in an early pane and the on-time panes of 17-19 May",
      );
    } finally {
      stop.abort();
      await producer.disconnect().catch(() => undefined);
    }
    const summary = await job;
    expect(summary.savepoint).not.toBeNull();
    expect(summary.droppedLate).toBe(0);

    const panes = await panesIn(output);
    const all = uvPerDay(lines);
    expect(onTime(panes)).toEqual(new Map([...all].filter(([d]) => d !== "2015-05-20")));
    expect(panes.filter((p) => p.timing === "late")).toEqual([]);
    const early = panes.filter((p) => p.timing === "early");
    expect(early.length).toBeGreaterThanOrEqual(2);
    for (const day of all.keys()) {
      // Accumulating: a day's panes never count fewer visitors than the one before, and never more than the day had.
      const counts = panes.filter((p) => p.day === day).map((p) => p.uv);
      expect(counts.length).toBeGreaterThan(0);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(Math.max(...counts)).toBe(all.get(day));
    }
    // An on-time pane is its day's last.
    for (const [day] of onTime(panes)) expect(panes.filter((p) => p.day === day).at(-1)?.timing).toBe("on-time");
  }, 120_000);
});
