import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BroadcastChannel } from "node:worker_threads";
import { Kafka, logLevel } from "kafkajs";
import { runLocal } from "../../runners/local/index.js";
import { runStream } from "../../runners/stream/index.js";
import { startMockBroker } from "../support/kafka/broker.js";
import { seededRandom } from "../support/random.js";
import kafkaCount, { MARKS_CHANNEL } from "./fixtures/kafka-count.js";

/**
 * Kafka reading throughput: N JSON records {"key", "n"} (1,000 keys, seeded) in a topic of 4
 * partitions of librdkafka's mock broker, with CreateTime timestamps 1 ms apart (in order in
 * each partition), produced in sends of 40,000 (10,000 per partition: one stored batch each,
 * which is what one Fetch returns per partition). N is 500,000: the mock keeps at most 5 MiB
 * per partition and deletes the oldest batches beyond that (test/support/kafka/broker.ts), and
 * 125,000 of these records (~33 bytes each as stored) are about 4 MiB. Measured in the same
 * run, each over the whole topic:
 *  - kafkajs alone: one consumer (subscribe fromBeginning, eachBatch) counting messages until
 *    all N are seen; and the same consumer doing what the pipeline does by hand (JSON.parse,
 *    a Map of counts per one-minute window and key), whose counts the pipeline's must equal;
 *  - beamline: test/bench/fixtures/kafka-count.ts (kafka.read with a schema, bounded, fixed
 *    1-minute windows, count per key, text output) on the stream runner with parallelism 2,
 *    and on the local runner.
 * Times run from the first record handed to user code (kafkajs's first eachBatch; the first
 * element reaching the pipeline's first DoFn on any worker) to the end (all N counted; the run
 * resolving, output written and committed): connecting, the mock's ~3 s consumer-group join
 * and the stream runner's pool start are left out of both. The totals with them are printed too.
 */
const MODULE = fileURLToPath(new URL("./fixtures/kafka-count.ts", import.meta.url));
const TOPIC = "bench";
const PARTITIONS = 4;
const KEYS = 1000;
const SEND = 40_000;
const BASE_TS = 1_700_000_000_000;

interface Timing {
  /** ms from the first record to the end. */
  readonly fromFirst: number;
  /** ms from the start (connecting) to the end. */
  readonly total: number;
}

export async function runKafkaBench(n = 500_000): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "beamline-bench-kafka-"));
  const broker = await startMockBroker({ topics: { [TOPIC]: PARTITIONS } });
  const kafka = new Kafka({ clientId: "bench-kafka", brokers: broker.brokers, logLevel: logLevel.NOTHING });
  try {
    // ---- Data, outside any timed region ----
    const random = seededRandom(42);
    const keyOf: string[] = [];
    for (let i = 0; i < n; i++) keyOf.push(`k${Math.floor(random() * KEYS)}`);
    const producer = kafka.producer({ idempotent: false });
    await producer.connect();
    const t0 = performance.now();
    for (let from = 0; from < n; from += SEND) {
      const messages = [];
      for (let i = from; i < Math.min(n, from + SEND); i++)
        messages.push({
          partition: i % PARTITIONS,
          value: JSON.stringify({ key: keyOf[i], n: i }),
          timestamp: String(BASE_TS + i),
        });
      await producer.send({ topic: TOPIC, acks: -1, messages });
    }
    const produceMs = performance.now() - t0;
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    await admin.disconnect();
    // A partition over the mock's 5 MiB has lost its oldest records: its low watermark moved up.
    const stored = offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
    if (stored !== n)
      throw new Error(
        `the topic holds ${stored} records, not ${n} (low watermarks ${offsets.map((o) => o.low).join(", ")}): too many for the mock`,
      );

    // ---- kafkajs alone ----
    let groups = 0;
    const consume = async (onBatch: (values: (Buffer | null)[], timestamps: string[]) => void): Promise<Timing> => {
      const consumer = kafka.consumer({
        groupId: `bench-kafkajs-${groups++}`,
        sessionTimeout: 10_000,
        rebalanceTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 100,
      });
      const start = performance.now();
      let first = 0;
      let seen = 0;
      let done: () => void = () => {};
      const all = new Promise<void>((r) => (done = r));
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (seen === 0) first = performance.now();
          onBatch(
            batch.messages.map((m) => m.value),
            batch.messages.map((m) => m.timestamp),
          );
          seen += batch.messages.length;
          if (seen >= n) done();
        },
      });
      await all;
      const end = performance.now();
      await consumer.disconnect();
      return { fromFirst: end - first, total: end - start };
    };
    const countOnly = await consume(() => {});
    const expected = new Map<string, number>();
    const byHand = await consume((values, timestamps) => {
      for (let i = 0; i < values.length; i++) {
        const { key } = JSON.parse(values[i]!.toString("utf8")) as { key: string };
        const start = Math.floor(Number(timestamps[i]) / 60_000) * 60_000;
        const k = `${start},${key}`;
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
    });

    // ---- beamline ----
    const firsts = new Map<string, number>();
    const marks = new BroadcastChannel(MARKS_CHANNEL);
    marks.onmessage = (e) => {
      const { mark, at } = (e as { data: { mark: string; at: number } }).data;
      firsts.set(mark, Math.min(firsts.get(mark) ?? Infinity, at));
    };
    let runs = 0;
    const beamline = async (runner: "stream" | "local"): Promise<Timing & { same: boolean }> => {
      const mark = `${runner}-${runs++}`;
      const output = join(dir, mark);
      const built = kafkaCount.build({ brokers: broker.bootstrap, topic: TOPIC, output, bounded: true, maxDelay: 1000, mark });
      const start = Date.now();
      if (runner === "stream") await runStream(built, { parallelism: 2, source: { module: MODULE, options: built.options } });
      else await runLocal(built, { parallelism: 2 });
      const end = Date.now();
      // The mark was posted long before the end; give the channel a moment to deliver it.
      await new Promise((r) => setTimeout(r, 50));
      const first = firsts.get(mark);
      if (first === undefined) throw new Error(`${mark}: no first-record mark arrived`);
      return { fromFirst: end - first, total: end - start, same: sameCounts(await countsIn(output), expected) };
    };
    let stream: Awaited<ReturnType<typeof beamline>>;
    let local: Awaited<ReturnType<typeof beamline>>;
    try {
      stream = await beamline("stream");
      local = await beamline("local");
    } finally {
      marks.close();
    }

    const rate = (t: Timing) => `${(n / (t.fromFirst / 1000) / 1e6).toFixed(2)} M`;
    const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const row = (what: string, t: Timing, same: string) =>
      `| ${what} | ${rate(t)} | ${secs(t.fromFirst)} | ${secs(t.total)} | ${(countOnly.fromFirst / t.fromFirst).toFixed(2)} | ${same} |`;
    const same = (ok: boolean) => (ok ? "yes" : "**NO**");
    return [
      `kafka: ${n.toLocaleString("en")} JSON records {"key","n"} (${KEYS.toLocaleString("en")} keys) in ${PARTITIONS} partitions of librdkafka's mock broker ` +
        `(produced by kafkajs in sends of ${SEND.toLocaleString("en")}: ${secs(produceMs)}, not timed below); one run each, in this order`,
      "",
      "| reader | records/s | from first record | total | rate ÷ kafkajs count-only | counts equal by-hand |",
      "|---|---|---|---|---|---|",
      row("kafkajs: one consumer, count messages", countOnly, "—"),
      row("kafkajs: one consumer, JSON.parse + count per key and minute (by hand)", byHand, "(reference)"),
      row(
        "beamline stream runner, --parallelism=2: kafka.read (schema) → 1-min windows → count per key → text",
        stream,
        same(stream.same),
      ),
      row("beamline local runner (same pipeline, parallelism 2)", local, same(local.same)),
      "",
      "records/s and 'from first record' run from the first record handed to user code (kafkajs: the first eachBatch; beamline: the first " +
        "element reaching the pipeline's first DoFn on any worker) to the end (kafkajs: all N seen; beamline: the run resolved, windows fired, " +
        "output written and committed, consumers and workers closed). So the ~3 s consumer-group join of the mock broker (one group for kafkajs, " +
        "one per partition for beamline, joined in parallel) and the stream runner's pool start are excluded from both; 'total' includes them.",
    ].join("\n");
  } finally {
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `windowStart,key,count` lines of every published file in `dir`, as a map. */
async function countsIn(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const f of (await readdir(dir)).filter((f) => f.startsWith("part-")))
    for (const line of (await readFile(join(dir, f), "utf8")).split("\n")) {
      if (line === "") continue;
      const at = line.lastIndexOf(",");
      const k = line.slice(0, at);
      // A window and key given twice is wrong however its counts add up: NaN equals nothing.
      counts.set(k, counts.has(k) ? NaN : Number(line.slice(at + 1)));
    }
  return counts;
}

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
