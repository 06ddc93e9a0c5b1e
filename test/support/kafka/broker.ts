/**
 * A real Kafka wire-protocol broker for tests: librdkafka's mock cluster (librdkafka-dev 2.0.2),
 * run by the small C launcher next to this file (mock-broker.c), which is compiled on first use.
 * When that fails for want of librdkafka's headers and this process is root with apt-get (a fresh
 * CI machine), `apt-get install librdkafka-dev pkg-config` is run once, under a lock directory
 * shared by concurrent test files, and the build retried; otherwise the error says what to install.
 *
 * What kafkajs 2.2.4 can do against it (each point is pinned by broker.test.ts):
 *
 * Works
 *  - Producer with idempotent: false, acks -1 (also 0/1): explicit partitions and the default (murmur2)
 *    partitioner; keys, values and explicit CreateTime `timestamp`s round-trip exactly.
 *  - Admin: fetchTopicMetadata, listTopics, describeCluster, fetchTopicOffsets (high/low watermarks),
 *    fetchOffsets for a group.
 *  - Consumer groups: subscribe fromBeginning, eachBatch / eachMessage, auto-commit, commitOffsets (also
 *    with autoCommit: false), seek, and custom `partitionAssigners` (a member gets exactly the partitions
 *    the assigner encodes with AssignerProtocol.MemberAssignment.encode).
 *  - Multi-broker clusters (--brokers N): every broker is advertised; partition leaders are random.
 *
 * Does not work
 *  - createTopics, deleteTopics, createPartitions: KafkaJSBrokerNotFound "Broker 0 not found in the cached
 *    metadata" (the mock advertises controller id 0, which is no broker; it has no CreateTopics anyway).
 *    Create topics up front with startMockBroker({ topics }).
 *  - Idempotent (idempotent: true) and transactional producers: connect() rejects with the same
 *    KafkaJSBrokerNotFound (InitProducerId is sent to the controller). Transactions opened anyway
 *    commit/abort without error, but aborted records are still delivered to read_committed consumers.
 *  - fetchTopicOffsetsByTimestamp: always the high watermarks (ListOffsets answers -1 for a timestamp).
 *  - setOffsets, resetOffsets, describeGroups: KafkaJSNonRetriableError "The Kafka server does not support
 *    the requested API version" (no DescribeGroups); listGroups, deleteGroups: KafkaJSServerDoesNotSupportApiKey
 *    (same message); deleteTopicRecords: KafkaJSNonRetriableError (same message).
 *    To position a group, run a consumer and use seek / commitOffsets.
 *
 * Quirks
 *  - A new (empty) group's first JoinGroup is held for 3 s (the mock's initial rebalance delay), so each
 *    fresh consumer group costs ~3 s before its first batch.
 *  - sessionTimeout must outlast that wait: with sessionTimeout <= 2 s the member is expired while
 *    joining and JoinGroup is never answered (KafkaJSRequestTimeoutError "Request JoinGroup(key: 11,
 *    version: 5) timed out" after max(requestTimeout, rebalanceTimeout + 5 s)). 2.5 s works; use ~10 s.
 *  - A Fetch response carries at most one stored record batch per partition (one producer request's
 *    worth), so a partition written by several sends is read back in several batches.
 *  - Produce responses carry the placeholder logAppendTime "1234". Fetch honours maxWaitTimeInMs.
 *  - Each partition keeps at most 5 MiB (and 100,000 stored batches): producing more deletes the oldest
 *    batches and moves the low watermark up (rdkafka_mock.c's max_size/max_cnt; not pinned by broker.test.ts,
 *    seen by test/bench/kafka.ts, which therefore stays at ~4 MiB per partition).
 *  - Supported APIs (ApiVersions): Produce 0-7, Fetch 0-11, ListOffsets 0-5, Metadata 0-2, OffsetCommit
 *    0-7, OffsetFetch 0-5, FindCoordinator 0-2, JoinGroup 0-5, Heartbeat 0-3, LeaveGroup 0-1, SyncGroup
 *    0-3, ApiVersions 0-2, InitProducerId 0-4, AddPartitionsToTxn/AddOffsetsToTxn/EndTxn 0-1, TxnOffsetCommit 0-2.
 *
 * Broker loss (stop() under connected clients, retry { retries: 2, initialRetryTime: 100 }): the
 * consumer crashes within ~0.5 s with KafkaJSNonRetriableError "Connection error: connect ECONNREFUSED
 * 127.0.0.1:<port>" whose cause is a retriable KafkaJSConnectionError, so with the default
 * restartOnFailure kafkajs keeps restarting it; producer.send rejects after ~0.6 s with the same
 * KafkaJSNonRetriableError; admin calls reject after ~0.3 s with KafkaJSNumberOfRetriesExceeded.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const HERE = import.meta.dirname;
const SOURCE = path.join(HERE, "mock-broker.c");
const CACHE_DIR = path.resolve(HERE, "../../../node_modules/.cache/beamline-kafka");
const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const INSTALL_HINT = "the mock Kafka broker needs gcc and librdkafka >= 2.0 headers: apt-get install librdkafka-dev";
const PACKAGES = ["librdkafka-dev", "pkg-config"];
/** Held (a directory: mkdir is atomic) by the one process installing PACKAGES. */
const INSTALL_LOCK = path.join(CACHE_DIR, "apt-install.lock");
/** An install takes this long at most; a lock older than that was left by a process that died. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface MockBroker {
  /** Comma-separated host:port list, ready for a client's bootstrap setting. */
  bootstrap: string;
  /** The same list, one host:port per broker. */
  brokers: string[];
  /** SIGTERM the broker and wait for it to exit (usually milliseconds; librdkafka's mock teardown sometimes takes ~1 s). */
  stop(): Promise<void>;
}

export interface MockBrokerOptions {
  /** Topics to create up front, name → partition count (replication factor 1). */
  topics: Record<string, number>;
  /** Number of brokers in the cluster (default 1); the mock places each partition's leader at random among them. */
  brokers?: number;
}

/** Compiler flags for librdkafka: pkg-config when it knows the library, else plain -lrdkafka. */
async function rdkafkaFlags(): Promise<string[]> {
  try {
    const { stdout } = await run("pkg-config", ["--cflags", "--libs", "rdkafka"]);
    const flags = stdout.trim().split(/\s+/).filter(Boolean);
    if (flags.length > 0) return flags;
  } catch {
    // No pkg-config, or no rdkafka.pc: fall through.
  }
  return ["-lrdkafka"];
}

/**
 * Path of the compiled launcher, building it when missing. The name carries a hash of the C source,
 * so an edited source is rebuilt, and concurrent test files never see a half-written binary: each
 * compiles to its own temporary name and renames it into place (rename is atomic; the last one wins
 * with identical content).
 */
async function launcherBinary(): Promise<string> {
  const source = await readFile(SOURCE);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const binary = path.join(CACHE_DIR, `mock-broker-${hash}`);
  if (existsSync(binary)) return binary;

  await mkdir(CACHE_DIR, { recursive: true });
  const temp = `${binary}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const build = async () => {
    try {
      await run("gcc", ["-O2", "-Wall", "-o", temp, SOURCE, ...(await rdkafkaFlags())]);
      await rename(temp, binary);
    } finally {
      await rm(temp, { force: true });
    }
  };
  try {
    await build();
  } catch (error) {
    const detail = buildFailure(error);
    if (!MISSING_RDKAFKA.test(detail) || !canInstall())
      throw new Error(`could not build ${SOURCE}: ${detail}\n(${INSTALL_HINT})`, { cause: error });
    try {
      await (installing ??= installPackages());
      await build();
    } catch (e) {
      const then = e instanceof InstallError ? e.message : `after installing ${PACKAGES.join(" ")}: ${buildFailure(e)}`;
      throw new Error(`could not build ${SOURCE}: ${detail}\n${then}\n(${INSTALL_HINT})`, { cause: e });
    }
  }
  return binary;
}

/** What the compiler said, or that there is none. */
function buildFailure(error: unknown): string {
  const err = error as NodeJS.ErrnoException & { stderr?: string };
  return err.code === "ENOENT" ? "gcc not found" : (err.stderr ?? err.message).trim();
}

/** The compiler's words for librdkafka's headers or library not being there. */
const MISSING_RDKAFKA = /rdkafka\S*\.h: No such file|cannot find -lrdkafka/;

/** An install that failed: apt-get's last words. */
class InstallError extends Error {}

/** Whether missing packages can be installed here: root, with apt-get. */
function canInstall(): boolean {
  return process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
}

/** This process's install, if it started one: every failed build in this process waits for the same one. */
let installing: Promise<void> | null = null;

/**
 * Installs PACKAGES with apt-get unless dpkg says they are there, holding INSTALL_LOCK so that
 * concurrent test files (vitest runs each in its own process) install once: the others wait for
 * the lock to go, then find the packages installed.
 */
async function installPackages(): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
  for (;;) {
    try {
      await mkdir(INSTALL_LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const since = await stat(INSTALL_LOCK).then(
        (s) => s.mtimeMs,
        () => null,
      );
      if (since !== null && Date.now() - since > INSTALL_TIMEOUT_MS) await rm(INSTALL_LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const status = await run("dpkg-query", ["-W", "-f=${Status}\n", ...PACKAGES]).then(
      (r) => r.stdout,
      () => "",
    );
    if (status.split("\n").filter((l) => l === "install ok installed").length === PACKAGES.length) return;
    process.stderr.write(`mock Kafka broker: installing ${PACKAGES.join(" ")} with apt-get (librdkafka's headers are missing)\n`);
    const options = {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 64 << 20,
    };
    await run("apt-get", ["update"], options);
    await run("apt-get", ["install", "-y", ...PACKAGES], options);
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const said = (err.stderr ?? "").trim().split("\n").slice(-3).join("\n");
    throw new InstallError(`installing ${PACKAGES.join(" ")} with apt-get failed: ${said || err.message}`, { cause: e });
  } finally {
    await rm(INSTALL_LOCK, { recursive: true, force: true });
  }
}

/**
 * Start a mock Kafka cluster on 127.0.0.1 with the given topics. The broker's stdin is a pipe that
 * stays open: if this process dies without calling stop(), the pipe closes and the broker exits.
 */
export async function startMockBroker(opts: MockBrokerOptions): Promise<MockBroker> {
  const binary = await launcherBinary();
  const args = ["--brokers", String(opts.brokers ?? 1), ...Object.entries(opts.topics).map(([t, n]) => `${t}:${n}`)];
  const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });

  child.stdin.on("error", () => {}); // EPIPE once the broker is gone: nothing to do.
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < 64_000) stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const bootstrap = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    let failed = false;
    const fail = (why: string) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      // Give stderr a moment to drain so the message carries the broker's last words.
      setTimeout(() => {
        const hint = stderr.includes("librdkafka") ? `\n(${INSTALL_HINT})` : "";
        reject(new Error(`mock Kafka broker ${why}; stderr:\n${stderr.trim() || "(empty)"}${hint}`));
      }, 50);
    };
    const timer = setTimeout(() => fail(`printed no BOOTSTRAP line within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    const onError = (e: Error) => fail(`could not be started (${e.message})`);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited early (code ${code}, signal ${signal})`);
    child.once("error", onError);
    child.once("exit", onExit);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const match = /^BOOTSTRAP (\S+)$/m.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeListener("exit", onExit);
      child.removeListener("error", onError);
      resolve(match[1]);
    });
  });

  // A forgotten broker must not keep this process alive: drop our handles on it. When this process
  // exits, the broker's stdin closes and it exits too. stop() takes the handles back while it waits.
  const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[];
  for (const h of handles) h.unref();

  let stopping: Promise<void> | undefined;
  return {
    bootstrap,
    brokers: bootstrap.split(","),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        for (const h of handles) h.ref();
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        child.stdin.destroy();
      })();
      return stopping;
    },
  };
}
