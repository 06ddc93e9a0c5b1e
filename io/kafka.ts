import { randomUUID } from "node:crypto";
import {
  AssignerProtocol,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  type PartitionAssigner,
  type Producer,
  logLevel,
} from "kafkajs";
import { type z } from "zod";
import {
  type Duration,
  type Instant,
  type Json,
  type ReadChunk,
  type ReadContext,
  type RecordSchema,
  type Sink,
  type SinkWriting,
  type Source,
  type SourceReading,
  type SourceSplit,
} from "../sdk/index.js";
import { type FieldSpec, fieldSpecs, fromValue, validate } from "./fields.js";
import { messageOf, recordText } from "./files.js";

// Kafka through kafkajs. A read is split by partition; each split is read by a consumer of
// its own (a consumer group of one, whose assigner gives it exactly that partition), seeked
// to the offset the split starts at, so the runner's checkpoints, not the group, decide
// where a restored read resumes. Each chunk carries its position (the next offset), which
// the stream runner records in checkpoints; a completed checkpoint's offsets are also
// committed to `groupId`, for lag monitoring only. docs/kafka.md says what is guaranteed.

/** What a deserializer gets besides the value bytes. */
export interface KafkaRecordInfo {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  /** The record's timestamp (CreateTime or LogAppendTime), ms since the epoch. */
  readonly timestamp: Instant;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

export interface KafkaClientOptions {
  /** Bootstrap brokers, "host:port" (a list, or one string with commas). */
  readonly brokers: string | readonly string[];
  /** Default "beamline". */
  readonly clientId?: string;
  /** Retries of a failing broker request before the job fails (default 5; kafkajs backs off from 300 ms). */
  readonly retries?: number;
}

export interface KafkaReadOptions<T> extends KafkaClientOptions {
  readonly topics: string | readonly string[];
  /** Values as JSON objects checked against this schema (a bad one is a bad record). */
  readonly schema?: RecordSchema;
  /** Values made by this function (a throw is a bad record). Neither: the value as UTF-8 text. */
  readonly deserializer?: (value: Buffer | null, record: KafkaRecordInfo) => T;
  /** Where a split with no checkpointed offset starts: default "earliest". */
  readonly start?: "earliest" | "latest" | { readonly timestamp: Instant };
  /** Event time: "record" (default), the record's timestamp; or a function of the value. */
  readonly eventTime?: "record" | ((value: T) => Instant);
  /** The watermark trails the latest event time seen in a partition by this (default 0). */
  readonly maxDelay?: Duration;
  /** A partition with no records for this long stops holding the watermark back (default: never). */
  readonly idleTimeout?: Duration;
  /** Read up to the end offsets seen when the read starts, then end: a topic as a bounded input. */
  readonly bounded?: boolean;
  /** The consumer group completed checkpoints' offsets are committed to (lag monitoring). Default "beamline-<topics>". */
  readonly groupId?: string;
  /** Records per chunk, default 4096. */
  readonly chunk?: number;
}

export interface KafkaWriteOptions<T> extends KafkaClientOptions {
  readonly topic: string;
  /** The record key of each value; default: none (kafkajs's partitioner spreads them). */
  readonly key?: (value: T) => string | Buffer | null;
  /** The record value; default: strings as they are, anything else as JSON. */
  readonly serializer?: (value: T) => string | Buffer | null;
  /** The record timestamp; default: the broker's (CreateTime now). */
  readonly timestamp?: (value: T) => Instant;
  /** Ask for an idempotent producer (the broker must support InitProducerId; librdkafka's mock does not). Default false. */
  readonly idempotent?: boolean;
}

/** A split's parameters: one partition, and for a bounded read the offset it ends at. */
interface PartitionSplit {
  readonly topic: string;
  readonly partition: number;
  readonly end: number | null;
}

/** A split's position after a chunk: the next offset to read, and the end a bounded read keeps across restores. */
interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly end: number | null;
}

/** A partition's reader waits this long for records before it yields an empty chunk (so barriers and idleness move on). */
const POLL_MS = 10;
/** Records a partition's reader holds before kafkajs's fetch for it waits (backpressure). */
const QUEUE_RECORDS = 16_384;

const list = (x: string | readonly string[]): string[] =>
  (typeof x === "string" ? x.split(",") : [...x]).map((s) => s.trim()).filter((s) => s !== "");

function client(options: KafkaClientOptions, what: string): Kafka {
  const brokers = list(options.brokers);
  if (brokers.length === 0) throw new TypeError(`${what}: brokers must name at least one "host:port"`);
  return new Kafka({
    clientId: options.clientId ?? "beamline",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: options.retries ?? 5, initialRetryTime: 300 },
  });
}

/**
 * What every consumer here is given: a session long enough to outlast a group's initial
 * rebalance delay, fetches that wait at most 100 ms (so an idle reader or a paused committer
 * leaves at once when closed), and bounded retries with no restart: a crash fails the read.
 */
function consumerSettings(options: KafkaClientOptions) {
  return {
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    retry: { retries: options.retries ?? 5, initialRetryTime: 300, restartOnFailure: async () => false },
  };
}

/** A broker error as one line, with what we were doing and where. */
function brokerError(what: string, brokers: string | readonly string[], e: unknown): Error {
  const cause = e as Error & { retryCount?: number; originalError?: Error };
  const detail = cause.originalError ? `${cause.message}: ${cause.originalError.message}` : messageOf(e);
  return new Error(`${what}: Kafka at ${list(brokers).join(",")}: ${detail}`, { cause: e });
}

/** Records of `topics` (a split per partition); see KafkaReadOptions. */
function read<S extends RecordSchema>(
  options: Omit<KafkaReadOptions<z.output<S>>, "schema" | "deserializer"> & { readonly schema: S },
): Source<z.output<S>>;
function read<T = string>(options: KafkaReadOptions<T>): Source<T>;
function read(options: KafkaReadOptions<unknown>): Source<unknown> {
  const topics = list(options.topics);
  const what = `kafka.read(${topics.join(",")})`;
  if (topics.length === 0) throw new TypeError(`${what}: topics must name at least one topic`);
  if (options.schema && options.deserializer) throw new TypeError(`${what}: give a schema or a deserializer, not both`);
  const chunk = options.chunk ?? 4096;
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new RangeError(`${what}: chunk must be a whole number ≥ 1, got ${chunk}`);
  const start = options.start ?? "earliest";
  const params: Json = {
    brokers: list(options.brokers),
    topics,
    start: typeof start === "string" ? start : { timestamp: start.timestamp },
    eventTime: typeof options.eventTime === "function" ? "function" : "record",
    bounded: options.bounded === true,
    groupId: options.groupId ?? null,
    chunk,
  };
  return Object.freeze({
    kind: "kafka",
    bounded: options.bounded === true,
    params,
    ...(options.schema ? { schema: options.schema } : {}),
    readDefaults: {
      ...(options.maxDelay !== undefined ? { maxDelay: options.maxDelay } : {}),
      ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
    },
    reading: kafkaReading(options, topics, what, chunk),
  });
}

function kafkaReading(options: KafkaReadOptions<unknown>, topics: string[], what: string, chunk: number): SourceReading<unknown> {
  const decode = decoder(options);
  const groupId = options.groupId ?? `beamline-${topics.join("-")}`;
  let committer: GroupCommitter | null = null;
  const reading: SourceReading<unknown> = {
    async splits(): Promise<SourceSplit[]> {
      const admin = client(options, what).admin();
      try {
        await admin.connect();
        const splits: SourceSplit[] = [];
        for (const topic of topics) {
          const offsets = await admin.fetchTopicOffsets(topic);
          for (const o of [...offsets].sort((a, b) => a.partition - b.partition)) {
            const split: PartitionSplit = { topic, partition: o.partition, end: options.bounded ? Number(o.high) : null };
            splits.push({ id: `${topic}/${o.partition}`, params: { ...split } });
          }
        }
        return splits;
      } catch (e) {
        throw brokerError(`${what}: listing partitions`, options.brokers, e);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    read: (split, ctx, from) =>
      eager(() =>
        readPartition(options, split.params as unknown as PartitionSplit, ctx, from as Position | undefined, decode, chunk, what),
      ),
    checkpointed: (positions) =>
      (committer ??= new GroupCommitter(options, groupId, topics, what)).commit(positions as unknown as Position[]),
    close: async () => committer?.close(),
  };
  return Object.freeze(reading);
}

/**
 * An iterable whose iterator starts its generator at once: joining a consumer group takes
 * seconds (the broker's initial rebalance delay), so a runner that makes every split's
 * iterator up front has all of them join together rather than one after another.
 */
function eager<T>(start: () => AsyncGenerator<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const gen = start();
      let first: Promise<IteratorResult<T>> | null = gen.next();
      // Held until asked for; a failure surfaces then, not as an unhandled rejection.
      first.catch(() => undefined);
      return {
        next: () => {
          const r = first ?? gen.next();
          first = null;
          return r;
        },
        return: (value?: unknown) => gen.return(value as T),
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  };
}

/** Turns a record into an element, or says why it cannot. */
type Decode = (m: KafkaMessage, info: KafkaRecordInfo) => { value: unknown } | { error: string };

function decoder(options: KafkaReadOptions<unknown>): Decode {
  const { schema, deserializer } = options;
  if (deserializer)
    return (m, info) => {
      try {
        return { value: deserializer(m.value, info) };
      } catch (e) {
        return { error: `deserializer: ${messageOf(e)}` };
      }
    };
  if (!schema) return (m) => ({ value: m.value === null ? null : m.value.toString("utf8") });
  const fields: readonly FieldSpec[] = fieldSpecs(schema);
  return (m) => {
    if (m.value === null) return { error: "no value (a tombstone), expected a JSON object" };
    let value: unknown;
    try {
      value = JSON.parse(m.value.toString("utf8"));
    } catch (e) {
      return { error: `not JSON: ${messageOf(e)}` };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { error: `expected a JSON object, got ${Array.isArray(value) ? "an array" : typeof value}` };
    const record: Record<string, unknown> = { ...value };
    for (const f of fields) if (f.name in record) record[f.name] = fromValue(f, record[f.name]);
    const row = validate(schema, record, "field");
    return "error" in row ? { error: row.error } : { value: row.value };
  };
}

/** A consumer group assigner that gives its only member exactly one partition. */
function onePartition(topic: string, partition: number): PartitionAssigner {
  return () => ({
    name: "BeamlineSplit",
    version: 1,
    protocol: ({ topics }) => ({
      name: "BeamlineSplit",
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    }),
    assign: async ({ members }) =>
      members.map((m, i) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: i === 0 ? { [topic]: [partition] } : {},
          userData: Buffer.alloc(0),
        }),
      })),
  });
}

async function startOffset(kafka: Kafka, options: KafkaReadOptions<unknown>, topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const start = options.start ?? "earliest";
    if (typeof start === "object") {
      const at = await admin.fetchTopicOffsetsByTimestamp(topic, start.timestamp);
      return Number(at.find((o) => o.partition === partition)?.offset ?? 0);
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    const o = offsets.find((x) => x.partition === partition);
    if (!o) throw new Error(`topic ${topic} has no partition ${partition}`);
    return Number(start === "latest" ? o.high : o.low);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function* readPartition(
  options: KafkaReadOptions<unknown>,
  split: PartitionSplit,
  ctx: ReadContext,
  from: Position | undefined,
  decode: Decode,
  chunk: number,
  what: string,
): AsyncGenerator<ReadChunk<unknown>> {
  const { topic, partition } = split;
  const where = `${what}: topic ${topic} partition ${partition}`;
  const kafka = client(options, what);
  const end = from ? from.end : split.end;
  let next: number;
  try {
    next = from ? from.offset : await startOffset(kafka, options, topic, partition);
  } catch (e) {
    throw brokerError(`${where}: finding the start offset`, options.brokers, e);
  }
  const position = (): Json => ({ topic, partition, offset: next, end });
  if (end !== null && next >= end) return;
  const eventTime = typeof options.eventTime === "function" ? options.eventTime : null;

  // Records fetched and not yet taken, and who waits for what.
  const queue: KafkaMessage[] = [];
  // The last offset queued (a fetch from before the seek, or a repeated one, brings older records
  // again), and the offset fetching has reached (beyond the last record when the log ends in
  // markers that are no records, such as a transaction's).
  let queued = next - 1;
  let reached = next;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let drained: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const consumer: Consumer = kafka.consumer({
    groupId: `beamline-split-${randomUUID()}`,
    partitionAssigners: [onePartition(topic, partition)],
    ...consumerSettings(options),
  });
  // Also after batches of only markers or aborted records, which never reach eachBatch.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.partition !== partition) return;
    reached = Math.max(reached, Number(payload.lastOffset) + 1);
    notify();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    failure ??= brokerError(where, options.brokers, payload.error);
    notify();
    drained?.();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning }: EachBatchPayload) => {
        if (batch.partition !== partition) return;
        for (const m of batch.messages)
          if (Number(m.offset) > queued) {
            queue.push(m);
            queued = Number(m.offset);
          }
        notify();
        while (queue.length >= QUEUE_RECORDS && isRunning() && failure === null) {
          await new Promise<void>((r) => {
            drained = r;
            setTimeout(r, 1000);
          });
          drained = null;
          await heartbeat();
        }
      },
    });
    consumer.seek({ topic, partition, offset: String(next) });
  } catch (e) {
    await consumer.disconnect().catch(() => undefined);
    throw brokerError(`${where}: connecting`, options.brokers, e);
  }

  try {
    while (end === null || next < end) {
      if (failure) throw failure;
      if (queue.length === 0)
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, POLL_MS);
        });
      if (failure) throw failure;
      const values: unknown[] = [];
      const timestamps: Instant[] = [];
      let taken = 0;
      while (taken < queue.length && values.length < chunk) {
        const m = queue[taken]!;
        const offset = Number(m.offset);
        if (end !== null && offset >= end) break;
        taken++;
        if (offset < next) continue;
        next = offset + 1;
        const info: KafkaRecordInfo = {
          topic,
          partition,
          offset,
          key: m.key ?? null,
          timestamp: Number(m.timestamp),
          headers: (m.headers ?? {}) as KafkaRecordInfo["headers"],
        };
        const made = decode(m, info);
        if ("error" in made) {
          ctx.reject({
            source: `topic ${topic} partition ${partition}`,
            position: `offset ${offset}`,
            record: m.value === null ? "" : recordText(m.value.toString("utf8")),
            error: made.error,
          });
          continue;
        }
        let t: Instant;
        try {
          t = eventTime ? eventTime(made.value) : info.timestamp;
        } catch (e) {
          ctx.reject({
            source: `topic ${topic} partition ${partition}`,
            position: `offset ${offset}`,
            record: m.value === null ? "" : recordText(m.value.toString("utf8")),
            error: `eventTime: ${messageOf(e)}`,
          });
          continue;
        }
        values.push(made.value);
        timestamps.push(t);
      }
      queue.splice(0, taken);
      if (queue.length < QUEUE_RECORDS) (drained as (() => void) | null)?.();
      // A bounded read is done once nothing before its end is left: the next record is past it, or fetching is.
      if (end !== null && ((queue.length > 0 && Number(queue[0]!.offset) >= end) || (queue.length === 0 && reached >= end)))
        next = Math.max(next, end);
      yield { values, timestamps, position: position() };
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * Commits completed checkpoints' offsets to `groupId`, for lag monitoring, through a consumer
 * that joins the group once (kafkajs commits only as a member) and stays paused, so it never
 * fetches. Reports that come while one is being committed are merged: only the latest offset
 * per partition is committed next.
 *
 * Joining takes seconds, and after a job was killed much longer: the broker holds the join
 * until the killed job's member has timed out (about 20 s against the test broker). Until the
 * group is joined, commits therefore go on in the background, so that neither a checkpoint's
 * report nor the end of the job waits for the join; a failure there is reported by the next
 * report, and close() gives up a join still under way.
 */
class GroupCommitter {
  private readonly latest = new Map<string, Position>();
  private consumer: Consumer | null = null;
  private joined: Promise<void> | null = null;
  private running: Promise<void> | null = null;
  private isJoined = false;
  /** A background commit's failure, not yet reported. */
  private failed: Error | null = null;

  constructor(
    private readonly options: KafkaReadOptions<unknown>,
    private readonly groupId: string,
    private readonly topics: readonly string[],
    private readonly what: string,
  ) {}

  async commit(positions: readonly Position[]): Promise<void> {
    for (const p of positions) this.latest.set(`${p.topic}/${p.partition}`, p);
    if (this.latest.size > 0) this.running ??= this.drain();
    // Once joined, a commit takes milliseconds: wait for it, so its failure is this report's.
    if (this.isJoined) await this.running;
    const failed = this.failed;
    this.failed = null;
    if (failed) throw failed;
  }

  /**
   * Waits for a commit under way once the group is joined. A join still under way is given
   * up: its consumer is disconnected in the background, since kafkajs's disconnect waits for
   * the held join request.
   */
  async close(): Promise<void> {
    if (!this.isJoined) {
      void this.disconnect();
      return;
    }
    await this.running;
    await this.disconnect();
  }

  /** Commits until nothing is left; never rejects (a failure is kept for the next report). */
  private async drain(): Promise<void> {
    try {
      while (this.latest.size > 0) {
        await this.join();
        const batch = [...this.latest.values()];
        this.latest.clear();
        await this.consumer!.commitOffsets(
          batch.map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.offset) })),
        );
      }
    } catch (e) {
      this.failed = brokerError(`${this.what}: committing offsets to group ${this.groupId}`, this.options.brokers, e);
      await this.disconnect();
    } finally {
      this.running = null;
    }
  }

  /** Leaves the group (a later commit joins again); a join under way fails. */
  private async disconnect(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.joined = null;
    this.isJoined = false;
    await consumer?.disconnect().catch(() => undefined);
  }

  private join(): Promise<void> {
    return (this.joined ??= (async () => {
      const consumer = client(this.options, this.what).consumer({
        groupId: this.groupId,
        ...consumerSettings(this.options),
      });
      this.consumer = consumer;
      const joined = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.GROUP_JOIN, () => resolve());
        consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      });
      // A crash after a step below has failed is no unhandled rejection; awaited, it still throws.
      joined.catch(() => undefined);
      await consumer.connect();
      for (const topic of this.topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch: async () => {} });
      consumer.pause(this.topics.map((topic) => ({ topic })));
      await joined;
      // Given up (close) while joining: this consumer is being disconnected.
      if (this.consumer !== consumer) throw new Error("the commits were closed while joining the group");
      this.isJoined = true;
    })());
  }
}

/** Each value as a record of `topic`, acknowledged by the brokers at every checkpoint (at-least-once). */
function write<T>(options: KafkaWriteOptions<T>): Sink<T> {
  const what = `kafka.write(${options.topic})`;
  if (!options.topic) throw new TypeError(`${what}: topic must be given`);
  const serialize =
    options.serializer ??
    ((v: T): string | Buffer | null => {
      const x = v as unknown;
      return typeof x === "string" || Buffer.isBuffer(x) ? x : (JSON.stringify(x) ?? null);
    });
  const writing: SinkWriting<T> = {
    shards: (suggested) => suggested,
    async open(ctx) {
      const producer: Producer = client(options, what).producer({
        idempotent: options.idempotent === true,
        allowAutoTopicCreation: false,
        ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
      });
      try {
        await producer.connect();
      } catch (e) {
        throw brokerError(`step "${ctx.step}": ${what}: connecting`, options.brokers, e);
      }
      let records = 0;
      return {
        async write(values) {
          if (values.length === 0) return;
          const messages = values.map((v) => ({
            key: options.key ? options.key(v) : null,
            value: serialize(v),
            ...(options.timestamp ? { timestamp: String(options.timestamp(v)) } : {}),
          }));
          try {
            // acks -1: every in-sync replica has the records before the send resolves.
            await producer.send({ topic: options.topic, messages, acks: -1 });
          } catch (e) {
            throw brokerError(`${what}: sending ${messages.length} records`, options.brokers, e);
          }
          records += values.length;
        },
        async close() {
          await producer.disconnect();
          return { records };
        },
        async abort() {
          await producer.disconnect().catch(() => undefined);
        },
      };
    },
    // Everything written was acknowledged before its checkpoint's pre-commit returned: nothing left to publish.
    commit: async () => {},
  };
  return Object.freeze({
    kind: "kafka",
    params: { brokers: list(options.brokers), topic: options.topic, idempotent: options.idempotent === true },
    writing,
  });
}

/** Kafka sources and sinks (kafkajs). */
export const kafka = Object.freeze({ read, write });
