// What kafkajs 2.2.4 can and cannot do against librdkafka 2.0.2's mock cluster (see broker.ts for the summary).
// The tests run in order and share one broker: the producer test fills "events", later tests read it back.
import {
  AssignerProtocol,
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type ConsumerConfig,
  type IMemberAssignment,
  type PartitionAssigner,
  type Producer,
} from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockBroker, type MockBroker } from "./broker.js";

const TOPIC = "events"; // 4 partitions
const PARTITIONS = [0, 1, 2, 3];
const TXN_TOPIC = "txn"; // 1 partition
const N = 1_000;
/** Record i carries timestamp BASE_TS + i (CreateTime), far in the past so "now" can never be mistaken for it. */
const BASE_TS = 1_600_000_000_000;

/**
 * Group settings that keep the mock fast and stable. The mock holds a new group's first JoinGroup for
 * 3 s (its group.initial.rebalance.delay.ms), and expires a member whose session timeout is shorter
 * than that wait (see the "session timeout" test), so sessionTimeout must be at least ~2.5 s.
 */
const GROUP: Partial<ConsumerConfig> = {
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 1_000,
  maxWaitTimeInMs: 250,
};

/** Poll until `done()` holds, or fail with `what` after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An assigner that hands every member the same fixed partitions, as a worker reading chosen partitions would. */
const fixedPartitions =
  (assignment: IMemberAssignment): PartitionAssigner =>
  () => ({
    name: "FixedPartitions",
    version: 1,
    async assign({ members }) {
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return {
        name: "FixedPartitions",
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      };
    },
  });

describe("kafkajs 2.2.4 against the librdkafka 2.0.2 mock cluster", () => {
  let broker: MockBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  /** High watermark per partition of TOPIC once the producer test has run. */
  const highs: number[] = [];

  beforeAll(async () => {
    broker = await startMockBroker({ topics: { [TOPIC]: PARTITIONS.length, [TXN_TOPIC]: 1 } });
    kafka = new Kafka({ clientId: "broker-test", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer({ idempotent: false });
    await Promise.all([admin.connect(), producer.connect()]);
  }, 30_000);

  afterAll(async () => {
    await Promise.allSettled([admin?.disconnect(), producer?.disconnect()]);
    await broker?.stop();
  });

  it("starts on 127.0.0.1 and reports its bootstrap list", () => {
    expect(broker.brokers).toHaveLength(1);
    expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("producer (idempotent: false, acks -1) writes 1,000 keyed, timestamped messages: explicit partitions and default partitioner", async () => {
    const message = (i: number) => ({ key: `key-${i}`, value: `value-${i}`, timestamp: String(BASE_TS + i) });
    // First half: explicit partition i % 4, so 125 each.
    const explicit = await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: N / 2 }, (_, i) => ({ ...message(i), partition: i % 4 })),
    });
    expect(explicit.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort()).toEqual(PARTITIONS.map((p) => [p, 0, "0"]));
    // Quirk: the mock answers every Produce with the placeholder LogAppendTime 1234 (a real broker says -1 under CreateTime).
    expect(new Set(explicit.map((r) => r.logAppendTime))).toEqual(new Set(["1234"]));

    // Second half: kafkajs's default (Java-compatible murmur2) partitioner picks the partition from the key.
    const defaulted = await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: N / 2 }, (_, j) => message(N / 2 + j)),
    });
    const partitionMetadata = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions;
    const partitioner = Partitioners.DefaultPartitioner();
    const expected = PARTITIONS.map(() => N / 2 / 4);
    for (let i = N / 2; i < N; i++) expected[partitioner({ topic: TOPIC, partitionMetadata, message: message(i) })]! += 1;
    for (const r of defaulted) expect([r.errorCode, r.baseOffset]).toEqual([0, "125"]);
    expect(defaulted.length).toBe(expected.filter((n) => n > N / 2 / 4).length);

    const offsets = await admin.fetchTopicOffsets(TOPIC);
    highs.push(...offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high)));
    expect(highs).toEqual(expected);
    expect(highs.reduce((a, b) => a + b, 0)).toBe(N);
    expect(offsets.map((o) => o.low)).toEqual(["0", "0", "0", "0"]);
  });

  it("admin: fetchTopicMetadata, listTopics, describeCluster and fetchTopicOffsets work", async () => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(topics).toHaveLength(1);
    expect(topics[0]!.name).toBe(TOPIC);
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr, p.partitionErrorCode])).toEqual(
      PARTITIONS.map((p) => [p, 1, [1], [1], 0]),
    );
    expect((await admin.listTopics()).sort()).toEqual([TOPIC, TXN_TOPIC]);

    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(broker.brokers);
    expect(cluster.brokers.map((b) => b.nodeId)).toEqual([1]);
    // Quirk behind every controller-routed failure below: the mock advertises controller id 0, which is no broker.
    expect(cluster.controller).toBe(0);

    const offsets = (await admin.fetchTopicOffsets(TOPIC)).sort((a, b) => a.partition - b.partition);
    expect(offsets.map((o) => Number(o.high))).toEqual(highs);
    expect(offsets.map((o) => o.offset)).toEqual(offsets.map((o) => o.high));
  });

  it("admin: fetchTopicOffsetsByTimestamp does NOT work: it always yields the high watermarks", async () => {
    // The mock's ListOffsets answers -1 for any real timestamp, and kafkajs maps -1 to the high watermark.
    // A real broker would answer offset 0 here: every record has timestamp >= BASE_TS.
    const byTs = (await admin.fetchTopicOffsetsByTimestamp(TOPIC, BASE_TS)).sort((a, b) => a.partition - b.partition);
    expect(byTs.map((o) => Number(o.offset))).toEqual(highs);
    expect(highs.every((h) => h > 0)).toBe(true);
  });

  it("admin: createTopics, deleteTopics and createPartitions do NOT work (no controller; CreateTopics unsupported)", async () => {
    await expect(admin.createTopics({ topics: [{ topic: "fresh", numPartitions: 2 }] })).rejects.toThrow(
      expect.objectContaining({ name: "KafkaJSBrokerNotFound", message: "Broker 0 not found in the cached metadata" }),
    );
    await expect(admin.deleteTopics({ topics: [TXN_TOPIC], timeout: 1_000 })).rejects.toThrow(
      "Broker 0 not found in the cached metadata",
    );
    await expect(admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 8 }], timeout: 1_000 })).rejects.toThrow(
      "Broker 0 not found in the cached metadata",
    );
    expect((await admin.listTopics()).sort()).toEqual([TOPIC, TXN_TOPIC]);
  });

  it("admin: group APIs other than offset fetch are unsupported (setOffsets, describeGroups, listGroups, deleteGroups, deleteTopicRecords)", async () => {
    const unsupported = "The Kafka server does not support the requested API version";
    // setOffsets first checks the group is idle with DescribeGroups, which the mock does not implement.
    await expect(
      admin.setOffsets({ groupId: "set-offsets", topic: TOPIC, partitions: [{ partition: 0, offset: "5" }] }),
    ).rejects.toThrow(expect.objectContaining({ name: "KafkaJSNonRetriableError", message: unsupported }));
    await expect(admin.resetOffsets({ groupId: "set-offsets", topic: TOPIC, earliest: true })).rejects.toThrow(unsupported);
    await expect(admin.describeGroups(["set-offsets"])).rejects.toThrow(
      expect.objectContaining({ name: "KafkaJSNonRetriableError", message: unsupported }),
    );
    await expect(admin.listGroups()).rejects.toThrow(expect.objectContaining({ name: "KafkaJSServerDoesNotSupportApiKey" }));
    await expect(admin.deleteGroups(["set-offsets"])).rejects.toThrow(
      expect.objectContaining({ name: "KafkaJSServerDoesNotSupportApiKey", message: unsupported }),
    );
    await expect(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: "1" }] })).rejects.toThrow(
      unsupported,
    );
    // fetchOffsets works: an unknown group has no committed offsets (-1).
    const fetched = await admin.fetchOffsets({ groupId: "set-offsets", topics: [TOPIC] });
    expect(fetched).toHaveLength(1);
    expect(fetched[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(PARTITIONS.map((p) => [p, "-1"]));
  });

  it("producer: idempotent: true fails to connect (InitProducerId goes to controller 0)", async () => {
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await expect(idempotent.connect()).rejects.toThrow(
        expect.objectContaining({ name: "KafkaJSBrokerNotFound", message: "Broker 0 not found in the cached metadata" }),
      );
    } finally {
      await idempotent.disconnect();
    }
  });

  it("consumer group: subscribe fromBeginning + eachBatch gets all 1,000 messages with keys and timestamps; offsets committed", async () => {
    const groupId = "all-messages";
    const consumer = kafka.consumer({ groupId, ...GROUP });
    const seen = new Map<number, { key: string; timestamp: string; partition: number; offset: string }>();
    let delivered = 0;
    let joinMs = -1;
    consumer.on(consumer.events.GROUP_JOIN, (e) => (joinMs = e.payload.duration));
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            delivered++;
            const i = Number(m.value!.toString().replace("value-", ""));
            seen.set(i, { key: m.key!.toString(), timestamp: m.timestamp, partition: batch.partition, offset: m.offset });
          }
        },
      });
      await until(() => seen.size >= N, 15_000, "1,000 messages");
      await sleep(300); // nothing more may arrive
    } finally {
      await consumer.disconnect();
    }
    // The mock holds a new group's first join for 3 s.
    expect(joinMs).toBeGreaterThanOrEqual(2_900);
    expect(delivered).toBe(N);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    for (const [i, m] of seen) {
      expect(m.key).toBe(`key-${i}`);
      expect(m.timestamp).toBe(String(BASE_TS + i)); // explicit CreateTime timestamps survive the round trip
      if (i < N / 2) expect(m.partition).toBe(i % 4);
    }
    // Offsets within each partition are exactly 0..high-1.
    for (const p of PARTITIONS) {
      const offsets = [...seen.values()].filter((m) => m.partition === p).map((m) => Number(m.offset));
      expect(offsets.sort((a, b) => a - b)).toEqual(Array.from({ length: highs[p]! }, (_, o) => o));
    }
    // Auto-commit (at the latest on disconnect) left the group at the high watermarks.
    const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
    expect(committed!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))).toEqual(highs);
  });

  it("consumer group: seek re-reads from an offset, and commitOffsets (autoCommit: false) stores exactly what was committed", async () => {
    const groupId = "seek-commit";
    const consumer = kafka.consumer({ groupId, ...GROUP });
    const p0Batches: { first: string; count: number }[] = [];
    const p0Offsets: number[] = [];
    const last0 = String(highs[0]! - 1);
    let sought = false;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== 0) return;
          p0Batches.push({ first: batch.firstOffset()!, count: batch.messages.length });
          p0Offsets.push(...batch.messages.map((m) => Number(m.offset)));
          // Once partition 0 has been read to its end, go back to offset 100.
          if (!sought && batch.lastOffset() === last0) {
            sought = true;
            consumer.seek({ topic: TOPIC, partition: 0, offset: "100" });
          }
        },
      });
      await until(() => p0Offsets.length >= highs[0]! * 2 - 100, 15_000, "partition 0 re-read from offset 100");
      await consumer.commitOffsets([
        { topic: TOPIC, partition: 0, offset: "42" },
        { topic: TOPIC, partition: 2, offset: "7" },
      ]);
      await sleep(300); // nothing more may arrive
    } finally {
      await consumer.disconnect();
    }
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    expect(p0Offsets).toEqual([...range(0, highs[0]!), ...range(100, highs[0]!)]);
    // Quirk: each Fetch response carries at most one stored record batch per partition, i.e. one
    // producer request's worth: the first batch stops at offset 124, where the second send began.
    expect(p0Batches[0]).toEqual({ first: "0", count: N / 2 / 4 });
    expect(p0Batches.some((b) => b.first === "100")).toBe(true);

    const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
    expect(committed!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(["42", "-1", "7", "-1"]);
  });

  it("consumer group: a custom partitionAssigners entry restricts the member to chosen partitions", async () => {
    const chosen = [1, 3];
    const consumer = kafka.consumer({
      groupId: "fixed-partitions",
      ...GROUP,
      partitionAssigners: [fixedPartitions({ [TOPIC]: chosen })],
    });
    const counts = new Map<number, number>();
    let joined: { groupProtocol: string; memberAssignment: IMemberAssignment; isLeader: boolean } | undefined;
    consumer.on(consumer.events.GROUP_JOIN, (e) => (joined = e.payload));
    const want = chosen.reduce((n, p) => n + highs[p]!, 0);
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          counts.set(batch.partition, (counts.get(batch.partition) ?? 0) + batch.messages.length);
        },
      });
      await until(() => [...counts.values()].reduce((a, b) => a + b, 0) >= want, 15_000, "the chosen partitions");
      await sleep(500); // long enough for a stray partition to show up
    } finally {
      await consumer.disconnect();
    }
    expect(joined).toMatchObject({ groupProtocol: "FixedPartitions", isLeader: true, memberAssignment: { [TOPIC]: chosen } });
    expect([...counts.keys()].sort()).toEqual(chosen);
    for (const p of chosen) expect(counts.get(p)).toBe(highs[p]);
  });

  it("transactions do NOT work: commit/abort calls succeed but aborted records still reach read_committed consumers", async () => {
    const tx = kafka.producer({ transactionalId: "tx-1", idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: "txn-reader", ...GROUP }); // readUncommitted defaults to false
    const values: string[] = [];
    try {
      await expect(tx.connect()).rejects.toThrow("Broker 0 not found in the cached metadata");
      const committed = await tx.transaction();
      await committed.send({ topic: TXN_TOPIC, messages: [{ value: "committed" }] });
      await committed.commit();
      const aborted = await tx.transaction();
      await aborted.send({ topic: TXN_TOPIC, messages: [{ value: "aborted" }] });
      await aborted.abort();

      await consumer.connect();
      await consumer.subscribe({ topic: TXN_TOPIC, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      await until(() => values.length >= 2, 15_000, "both transactional records");
    } finally {
      await Promise.allSettled([consumer.disconnect(), tx.disconnect()]);
    }
    expect(values).toEqual(["committed", "aborted"]); // a real broker would hide "aborted"
  });

  it("consumer group: a sessionTimeout shorter than the mock's 3 s join delay never joins (JoinGroup times out)", async () => {
    // requestTimeout 1 s: kafkajs then times JoinGroup out after rebalanceTimeout + 5 s = 6 s.
    const impatient = new Kafka({
      clientId: "short-session",
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      requestTimeout: 1_000,
    });
    const consumer = impatient.consumer({
      groupId: "short-session",
      sessionTimeout: 1_000,
      rebalanceTimeout: 1_000,
      heartbeatInterval: 300,
      retry: { retries: 0, restartOnFailure: async () => false },
    });
    const crashes: Error[] = [];
    consumer.on(consumer.events.CRASH, (e) => void crashes.push(e.payload.error));
    let received = 0;
    const started = Date.now();
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({ eachBatch: async ({ batch }) => void (received += batch.messages.length) }).catch(() => {});
      await until(() => crashes.length > 0, 15_000, "the JoinGroup timeout");
    } finally {
      await consumer.disconnect();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_500);
    expect(received).toBe(0);
    expect(crashes[0]).toMatchObject({
      name: "KafkaJSRequestTimeoutError",
      message: "Request JoinGroup(key: 11, version: 5) timed out",
    });
  });
});

describe("stopping the mock broker under connected kafkajs clients (retry: { retries: 2, initialRetryTime: 100 })", () => {
  it("consumer crashes and producer/admin calls reject with ECONNREFUSED within about a second", async () => {
    const doomed = await startMockBroker({ topics: { [TOPIC]: 1 } });
    const retry = { retries: 2, initialRetryTime: 100 };
    const kafka = new Kafka({ clientId: "doomed", brokers: doomed.brokers, logLevel: logLevel.NOTHING, retry });
    const producer = kafka.producer({ idempotent: false });
    const admin = kafka.admin();
    const restartAsked: Error[] = [];
    // With the default restartOnFailure kafkajs would restart the consumer forever (the root cause is retriable).
    const consumer = kafka.consumer({
      groupId: "doomed",
      ...GROUP,
      retry: { ...retry, restartOnFailure: async (e) => (restartAsked.push(e), false) },
    });
    const crashes: { at: number; error: Error; restart: boolean }[] = [];
    let stoppedAt = 0;
    consumer.on(
      consumer.events.CRASH,
      (e) => void crashes.push({ at: Date.now() - stoppedAt, error: e.payload.error, restart: e.payload.restart }),
    );
    try {
      await Promise.all([producer.connect(), admin.connect(), consumer.connect()]);
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: "before" }] });
      let got = 0;
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({ eachBatch: async ({ batch }) => void (got += batch.messages.length) });
      await until(() => got === 1, 15_000, "the first message");

      stoppedAt = Date.now();
      await doomed.stop();
      const refused = /^Connection error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/;

      let t = Date.now();
      const sendError = await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: "after" }] }).then(
        () => undefined,
        (e: Error) => e,
      );
      const sendMs = Date.now() - t;
      expect(sendError).toMatchObject({ name: "KafkaJSNonRetriableError", message: expect.stringMatching(refused) });
      expect(sendError?.cause).toMatchObject({ name: "KafkaJSConnectionError", retriable: true });
      expect(sendMs).toBeLessThan(3_000);

      t = Date.now();
      const adminError = await admin.fetchTopicOffsets(TOPIC).then(
        () => undefined,
        (e: Error) => e,
      );
      const adminMs = Date.now() - t;
      expect(adminError).toMatchObject({
        name: "KafkaJSNumberOfRetriesExceeded",
        retryCount: 2,
        message: expect.stringMatching(refused),
      });
      expect(adminError?.cause).toMatchObject({ name: "KafkaJSConnectionError" });
      expect(adminMs).toBeLessThan(3_000);

      await until(() => crashes.length > 0, 10_000, "the consumer crash");
      expect(crashes[0]!.at).toBeLessThan(3_000);
      expect(crashes[0]!.restart).toBe(false);
      expect(crashes[0]!.error).toMatchObject({ name: "KafkaJSNonRetriableError", message: expect.stringMatching(refused) });
      expect(crashes[0]!.error.cause).toMatchObject({ name: "KafkaJSConnectionError", retriable: true });
      expect(restartAsked).toHaveLength(1);
    } finally {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
      await doomed.stop();
    }
  });
});

describe("a multi-broker mock cluster", () => {
  it("advertises every broker, places partition leaders among them, and kafkajs produces to each leader", async () => {
    const cluster = await startMockBroker({ brokers: 3, topics: { spread: 6 } });
    const kafka = new Kafka({ clientId: "spread", brokers: [cluster.brokers[0]!], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: false });
    try {
      expect(cluster.brokers).toHaveLength(3);
      expect(cluster.bootstrap).toBe(cluster.brokers.join(","));
      await Promise.all([admin.connect(), producer.connect()]);
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual([...cluster.brokers].sort());
      const { partitions } = (await admin.fetchTopicMetadata({ topics: ["spread"] })).topics[0]!;
      // The mock picks each partition's leader at random among the brokers.
      for (const p of partitions) expect([1, 2, 3]).toContain(p.leader);
      await producer.send({
        topic: "spread",
        acks: -1,
        messages: Array.from({ length: 60 }, (_, i) => ({ value: `v${i}`, partition: i % 6 })),
      });
      const offsets = await admin.fetchTopicOffsets("spread");
      expect(offsets.map((o) => o.high)).toEqual(Array.from({ length: 6 }, () => "10"));
    } finally {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      await cluster.stop();
    }
  });
});
