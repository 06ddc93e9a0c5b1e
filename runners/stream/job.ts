import { type MessagePort } from "node:worker_threads";
import { type BuiltPipeline, Instant, type Json, type StepNode as GraphStep, isKV } from "../../sdk/index.js";
import { type Clock, ManualClock, systemClock } from "../core/clock.js";
import { type Bundle, SOURCE_META } from "../core/exec/bundle.js";
import { encodeBundle } from "../core/exec/bundle-codec.js";
import { type Lifting, PreCombiner, liftedWeight, lifting, mergingCombineFn } from "../core/exec/lifting.js";
import { GroupOperator } from "../core/exec/operators/group.js";
import { type Operator, type Output, describeElement, stepError } from "../core/exec/operators/operator.js";
import { GraphIndex } from "../core/exec/plan.js";
import { type Built, buildOperator, runtimeOf } from "../core/exec/wiring.js";
import { encodeKey, keyGroupOf, keyGroupRange, workerForKeyGroup } from "../core/state/keys.js";
import { Exchange } from "./exchange.js";
import { StepNode, type NodeListener, type SignalTarget } from "./node.js";
import {
  type CoordinatorMessage,
  type SplitPosition,
  type StageCounts,
  type WorkerInit,
  type WorkerMessage,
} from "./protocol.js";
import { type EdgeMode, type Signal } from "./signals.js";
import { SourceTask } from "./source.js";
import { type PreCommit, StreamWriteOperator } from "./write.js";

/** Elements per exchange buffer, and buffers in flight per pair of workers. */
const FLUSH_ROWS = 4096;
/** Partial accumulators a lifted combine holds before it sends them regardless (a bound on its memory). */
const LIFT_GROUPS = 65_536;
const CREDITS = 4;
/** How often real processing time reaches the steps, and counts reach the coordinator. */
const TICK_MS = 20;
const STATS_MS = 500;

/** One consumer of a collection: a step's input, and how elements reach its instances. */
interface Edge {
  readonly id: number;
  readonly node: () => StepNode;
  readonly input: number;
  readonly mode: EdgeMode;
  /** A lifted combine's partial accumulators, held on the sending side until the watermark, a barrier or the end takes them. */
  readonly lift: PreCombiner | null;
  /** The trigger may fire at any time (lifting "perBundle"): each bundle's partials are sent at once. */
  readonly liftPerBundle: boolean;
}

/** Runs the worker's actions one at a time, in the order they came (Flink's mailbox). */
class Mailbox {
  private tail: Promise<void> = Promise.resolve();
  failure: unknown = null;

  constructor(private readonly onFailure: (e: unknown) => void) {}

  run(action: () => Promise<void> | void): Promise<void> {
    const next = this.tail.then(async () => {
      if (this.failure === null) await action();
    });
    this.tail = next.catch((e: unknown) => {
      if (this.failure === null) {
        this.failure = e;
        this.onFailure(e);
      }
    });
    return next;
  }
}

/** How each consumer of a step's input is fed: by key for keyed steps, to all for side inputs, else on this worker. */
export function edgeMode(step: GraphStep, input: number): EdgeMode {
  switch (step.kind) {
    case "groupByKey":
    case "combinePerKey":
      return "keyed";
    case "combineGlobally":
      return "single";
    case "parDo":
      if (input > 0) return "broadcast";
      return step.state.length + step.timers.length > 0 ? "keyed" : "forward";
    default:
      return "forward";
  }
}

/**
 * One worker of a stream job: an instance of every step, fed by this worker's share of the
 * source splits and by the exchange. Keyed steps own the key groups of keyGroupRange(worker);
 * elements for another worker's key groups cross the exchange.
 */
export class WorkerJob {
  private readonly index: GraphIndex;
  private readonly nodes = new Map<string, StepNode>();
  private readonly edges: Edge[] = [];
  private readonly edgesOf = new Map<string, Edge[]>();
  private readonly exchange: Exchange;
  private readonly mailbox: Mailbox;
  private readonly sources: SourceTask[] = [];
  private readonly writes = new Map<string, StreamWriteOperator>();
  private readonly counts = new Map<string, { rowsIn: number; outputs: Record<string, number> }>();
  private readonly checkpoints: WorkerCheckpoints;
  private readonly manual: boolean;
  private readonly range;
  private failed: (e: unknown) => void = () => {};
  private finishedAll: () => void = () => {};
  private blockedMs = 0;

  constructor(
    private readonly init: WorkerInit,
    private readonly built: BuiltPipeline,
  ) {
    this.index = new GraphIndex(built.graph);
    this.manual = built.graph.steps.some((s) => s.kind === "read" && s.source.kind === "testStream");
    this.range = keyGroupRange(init.worker, init.parallelism, init.maxParallelism);
    this.mailbox = new Mailbox((e) => this.failed(e));
    this.exchange = new Exchange(
      init.worker,
      init.peers,
      { credits: CREDITS, flushRows: FLUSH_ROWS, bufferTimeoutMs: init.bufferTimeoutMs },
      (edge, from, message, done) =>
        void this.mailbox.run(async () => {
          const e = this.edges[edge];
          if (!e) throw new Error(`internal: worker ${init.worker} got a message for unknown edge ${edge}`);
          await e.node().receive(e.input, from, message);
          done();
        }),
    );
    this.checkpoints = new WorkerCheckpoints(init.worker, init.control);
  }

  /** Builds the steps, restores their state, and runs until every step has finished. */
  async run(): Promise<void> {
    const { graph } = this.built;
    let id = 0;
    for (const step of graph.steps)
      step.inputs.forEach((collection, input) => {
        const liftMode: Lifting = step.kind === "combinePerKey" ? lifting(this.index, step) : "none";
        const lift =
          liftMode !== "none" ? new PreCombiner(step.name, runtimeOf({ pipeline: this.built }, step, "combine").combineFn) : null;
        const edge: Edge = {
          id: id++,
          node: () => this.nodes.get(step.name)!,
          input,
          mode: edgeMode(step, input),
          lift,
          liftPerBundle: liftMode === "perBundle",
        };
        this.edges.push(edge);
        const list = this.edgesOf.get(collection) ?? [];
        list.push(edge);
        this.edgesOf.set(collection, list);
      });
    for (const step of graph.steps) {
      this.counts.set(step.name, { rowsIn: 0, outputs: {} });
      if (step.kind === "read") continue;
      const clock: Clock = this.manual ? new ManualClock(0) : systemClock;
      const built = await buildOperator(step, {
        index: this.index,
        pipeline: this.built,
        outputOf: (c) => this.router(step.name, c),
        clock,
        fusion: { passThrough: new Set(), keysOnly: new Set() },
        batchEngine: false,
        custom: (s) => this.custom(s, clock),
      });
      const operator = this.instrument(step.name, built.operator);
      const channels = step.inputs.map((_, i) => (edgeMode(step, i) === "forward" ? 1 : this.init.parallelism));
      const outputs = Object.values(step.outputs).map((c) => this.router(step.name, c));
      this.nodes.set(
        step.name,
        new StepNode(step.name, operator, channels, outputs, this.listener(), clock instanceof ManualClock ? clock : null),
      );
    }
    const restore = this.init.restore;
    if (restore)
      for (const [step, snapshots] of Object.entries(restore.states))
        this.nodes.get(step)?.operator.restore?.(snapshots, this.range);
    this.checkpoints.expect([...this.nodes.keys()], []);
    for (const step of graph.steps)
      if (step.kind === "read")
        this.sources.push(
          new SourceTask({
            step,
            built: this.built,
            worker: this.init.worker,
            parallelism: this.init.parallelism,
            positions: restore?.sources[step.name] ?? {},
            outputs: Object.fromEntries(Object.entries(step.outputs).map(([tag, c]) => [tag, this.router(step.name, c)])),
            mailbox: (action) => this.mailbox.run(action),
            backpressure: async () => {
              if (!this.exchange.backlogged) return;
              const t0 = performance.now();
              await this.exchange.drained();
              this.blockedMs += performance.now() - t0;
            },
            checkpoints: this.checkpoints,
          }),
        );
    this.checkpoints.expect(
      [...this.nodes.keys()],
      this.sources.map((s) => s.step.name),
    );
    this.init.control.on("message", (m: CoordinatorMessage) => {
      if (m.type === "checkpoint") {
        this.checkpoints.trigger(m.id);
        for (const s of this.sources) s.trigger(m.id);
      }
    });
    const done = new Promise<void>((resolve, reject) => {
      this.failed = reject;
      this.finishedAll = resolve;
    });
    const ticker = setInterval(() => {
      if (!this.manual)
        void this.mailbox.run(async () => {
          const now = Date.now();
          for (const node of this.nodes.values()) if (!node.finished) await node.operator.processingTime(now);
        });
    }, TICK_MS);
    const stats = setInterval(() => this.postStats(), STATS_MS);
    try {
      if (this.nodes.size === 0) this.finishedAll();
      await Promise.all([...this.sources.map((s) => s.run()), done]);
      this.exchange.flushAll();
      this.postStats();
    } finally {
      clearInterval(ticker);
      clearInterval(stats);
    }
  }

  /** Resolves once every buffer this worker sent has been taken (before its ports close). */
  async drained(): Promise<void> {
    this.exchange.flushAll();
    await this.exchange.drained();
  }

  /** Stops sending and receiving. */
  close(): void {
    this.exchange.close();
  }

  private listener(): NodeListener {
    return {
      aligned: async (step, id) => this.checkpoints.aligned(id, step, await this.snapshotOf(step, id)),
      finished: async (step) => {
        const write = this.writes.get(step);
        const final = write ? await write.preCommit(null) : null;
        // The last counts go before "done", so the coordinator has them when the job ends.
        if ([...this.nodes.values()].every((n) => n.finished)) this.postStats();
        this.checkpoints.finished(step, final);
        if ([...this.nodes.values()].every((n) => n.finished)) {
          this.exchange.flushAll();
          this.finishedAll();
        }
      },
    };
  }

  private async snapshotOf(step: string, id: number): Promise<{ state: Uint8Array | null; preCommit: PreCommit | null }> {
    const node = this.nodes.get(step)!;
    const write = this.writes.get(step);
    return { state: node.operator.snapshot?.() ?? null, preCommit: write ? await write.preCommit(id) : null };
  }

  /** The stream runner's own operators: writes per checkpoint epoch, and a global combine whose default only worker 0 gives. */
  private custom(step: GraphStep, clock: Clock): Promise<Built> | null {
    if (step.kind === "write") {
      const { sink } = runtimeOf({ pipeline: this.built }, step, "write");
      if (!sink.writing)
        throw stepError(step.name, new Error(`sink kind "${sink.kind}" cannot be written: it has no writing side`));
      const epoch = this.init.restore?.checkpoint ?? 0;
      const op = new StreamWriteOperator(
        step.name,
        sink.writing,
        sink.kind === "memory",
        this.init.worker,
        this.init.parallelism,
        epoch,
      );
      this.writes.set(step.name, op);
      return Promise.resolve({ operator: op });
    }
    // Lifted, the grouping merges the partial accumulators; off worker 0, a global combine gives no default.
    const lifted = step.kind === "combinePerKey" && lifting(this.index, step) !== "none";
    const otherGlobal = step.kind === "combineGlobally" && this.init.worker !== 0;
    if (lifted || otherGlobal) {
      const fn = runtimeOf({ pipeline: this.built }, step, "combine").combineFn;
      return Promise.resolve({
        operator: new GroupOperator({
          step: step.name,
          shape: lifted ? "perKey" : "globally",
          strategy: this.index.collection(step.inputs[0]!).windowing,
          combineFn: lifted ? mergingCombineFn(fn) : fn,
          ...(lifted ? { weightOf: liftedWeight } : {}),
          withDefaults: false,
          output: this.router(step.name, step.outputs.main!),
          clock,
        }),
      });
    }
    return null;
  }

  /** Counts elements in, and fails on purpose where a test asked (a worker failure to recover from). */
  private instrument(step: string, operator: Operator): Operator {
    const counts = this.counts.get(step)!;
    const failAt = this.init.failAt;
    const fail = failAt && failAt.step === step && failAt.worker === this.init.worker ? failAt.element : -1;
    const process = operator.process.bind(operator);
    operator.process = async (input: number, bundle: Bundle) => {
      const before = counts.rowsIn;
      counts.rowsIn += bundle.values.length;
      if (fail >= 0 && before <= fail && counts.rowsIn > fail)
        throw stepError(step, new Error(`injected failure at element ${fail} (failAt)`));
      await process(input, bundle);
    };
    return operator;
  }

  private router(producer: string, collection: string): Output & SignalTarget {
    const edges = () => this.edgesOf.get(collection) ?? [];
    const counts = () => this.counts.get(producer)!;
    const { parallelism } = this.init;
    return {
      emit: async (bundle) => {
        const c = counts();
        c.outputs[collection] = (c.outputs[collection] ?? 0) + bundle.values.length;
        for (const e of edges()) {
          if (e.mode === "forward") await e.node().receive(e.input, 0, { kind: "data", bundle });
          else if (e.mode === "single") await this.sendTo(e, 0, bundle);
          else if (e.mode === "broadcast") for (let w = 0; w < parallelism; w++) await this.sendTo(e, w, bundle);
          else if (e.lift) {
            e.lift.add(bundle);
            if (e.liftPerBundle || e.lift.groups >= LIFT_GROUPS) await this.sendKeyed(e, e.lift.take());
          } else await this.sendKeyed(e, bundle);
        }
      },
      watermark: async (at) => {
        for (const e of edges()) {
          if (e.lift) await this.sendKeyed(e, e.lift.take(at));
          await this.signalEdge(e, { kind: "watermark", at });
        }
      },
      signal: async (s) => {
        for (const e of edges()) {
          if (e.lift) await this.sendKeyed(e, e.lift.take());
          await this.signalEdge(e, s);
        }
      },
    };
  }

  private async sendKeyed(e: Edge, bundle: Bundle): Promise<void> {
    if (bundle.values.length === 0) return;
    const { parallelism, maxParallelism } = this.init;
    const parts = splitByWorker(bundle, parallelism, maxParallelism, e.node().step);
    for (let w = 0; w < parallelism; w++) if (parts[w]) await this.sendTo(e, w, parts[w]!);
  }

  private async sendTo(e: Edge, to: number, bundle: Bundle): Promise<void> {
    if (to === this.init.worker) await e.node().receive(e.input, to, { kind: "data", bundle });
    else this.exchange.send(to, e.id, bundle);
  }

  private async signalEdge(e: Edge, s: Signal): Promise<void> {
    if (e.mode === "forward") return e.node().receive(e.input, 0, s);
    for (let w = 0; w < this.init.parallelism; w++)
      if (w === this.init.worker) await e.node().receive(e.input, w, s);
      else this.exchange.signal(w, e.id, s);
  }

  private postStats(): void {
    const steps: StageCounts[] = [...this.counts].map(([step, c]) => {
      const node = this.nodes.get(step);
      const op = node?.operator;
      return {
        step,
        rowsIn: c.rowsIn,
        outputs: { ...c.outputs },
        droppedLate: op?.droppedLate ?? 0,
        droppedClosed: op?.droppedClosed ?? 0,
        watermark: node?.reached ?? Instant.MIN,
      };
    });
    this.init.control.postMessage({
      type: "stats",
      worker: this.init.worker,
      steps,
      blockedMs: this.blockedMs,
    } satisfies WorkerMessage);
  }
}

/** A keyed bundle cut into the parts each worker owns, by the key group of each element's key. */
function splitByWorker(bundle: Bundle, parallelism: number, maxParallelism: number, step: string): (Bundle | undefined)[] {
  const { values, metas } = bundle;
  const uniform = !Array.isArray(metas);
  const parts: { values: unknown[]; metas: unknown[] }[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isKV(v)) throw stepError(step, new Error(`needs KV elements (key, value), got ${describeElement(v)}`));
    const w =
      parallelism === 1 ? 0 : workerForKeyGroup(keyGroupOf(encodeKey(v.key), maxParallelism), parallelism, maxParallelism);
    const p = (parts[w] ??= { values: [], metas: [] });
    p.values.push(v);
    if (!uniform) p.metas.push((metas as readonly unknown[])[i]);
  }
  return Array.from({ length: parallelism }, (_, w) => {
    const p = parts[w];
    if (!p) return undefined;
    return { values: p.values, metas: uniform ? metas : (p.metas as Bundle["metas"]) } as Bundle;
  });
}

/** This worker's parts of each checkpoint: a snapshot per step as its barrier passes, split positions per source. */
export class WorkerCheckpoints {
  private readonly open = new Map<
    number,
    {
      states: Record<string, Uint8Array>;
      sources: Record<string, Record<string, SplitPosition>>;
      pending: Record<string, Json[]>;
      staged: Record<string, Uint8Array[]>;
      nodes: Set<string>;
      reads: Set<string>;
    }
  >();
  private nodes = new Set<string>();
  private reads = new Set<string>();
  private readonly ended = new Map<string, Record<string, SplitPosition>>();
  private final: Record<string, Json[]> = {};
  private finalStaged: Record<string, Uint8Array[]> = {};

  constructor(
    private readonly worker: number,
    private readonly control: MessagePort,
  ) {}

  expect(nodes: readonly string[], reads: readonly string[]): void {
    this.nodes = new Set(nodes);
    this.reads = new Set(reads);
  }

  trigger(id: number): void {
    this.part(id);
    this.maybeAck(id);
  }

  async aligned(id: number, step: string, s: { state: Uint8Array | null; preCommit: PreCommit | null }): Promise<void> {
    const part = this.part(id);
    if (s.state) part.states[step] = s.state;
    if (s.preCommit) {
      part.pending[step] = s.preCommit.pending;
      if (s.preCommit.staged.length > 0) part.staged[step] = [encodeStaged(s.preCommit.staged)];
    }
    part.nodes.delete(step);
    this.maybeAck(id);
  }

  /** A source put barrier `id` into its outputs at these positions. */
  injected(id: number, read: string, positions: Record<string, SplitPosition>): void {
    const part = this.part(id);
    part.sources[read] = positions;
    part.reads.delete(read);
    this.maybeAck(id);
  }

  /** A source read everything it will ever read: it counts for every later checkpoint. */
  sourceEnded(read: string, positions: Record<string, SplitPosition>): void {
    this.ended.set(read, positions);
    this.reads.delete(read);
    for (const [id, part] of this.open)
      if (part.reads.delete(read)) {
        part.sources[read] = positions;
        this.maybeAck(id);
      }
  }

  /**
   * A step finished. When it is the last, the closing pre-commit goes to the coordinator first,
   * so that it has it before any checkpoint in which this worker has finished everything.
   */
  finished(step: string, final: PreCommit | null): void {
    this.nodes.delete(step);
    if (final) {
      this.final[step] = final.pending;
      if (final.staged.length > 0) this.finalStaged[step] = [encodeStaged(final.staged)];
    }
    if (this.nodes.size === 0) this.done();
    for (const [id, part] of this.open) if (part.nodes.delete(step)) this.maybeAck(id);
  }

  private done(): void {
    this.control.postMessage(
      { type: "done", worker: this.worker, pending: this.final, staged: this.finalStaged } satisfies WorkerMessage,
      Object.values(this.finalStaged).flatMap((bs) => bs.map((b) => b.buffer as ArrayBuffer)),
    );
  }

  private part(id: number) {
    let part = this.open.get(id);
    if (!part) {
      part = {
        states: {},
        sources: Object.fromEntries(this.ended),
        pending: {},
        staged: {},
        nodes: new Set(this.nodes),
        reads: new Set(this.reads),
      };
      this.open.set(id, part);
    }
    return part;
  }

  private maybeAck(id: number): void {
    const part = this.open.get(id);
    if (!part || part.nodes.size > 0 || part.reads.size > 0) return;
    this.open.delete(id);
    const ack: WorkerMessage = {
      type: "ack",
      id,
      worker: this.worker,
      states: part.states,
      sources: part.sources,
      pending: part.pending,
      staged: part.staged,
      finished: this.nodes.size === 0,
    };
    this.control.postMessage(ack, [
      ...Object.values(part.states).map((b) => b.buffer as ArrayBuffer),
      ...Object.values(part.staged).flatMap((bs) => bs.map((b) => b.buffer as ArrayBuffer)),
    ]);
  }
}

/** Staged elements of an in-process sink, as one buffer. */
function encodeStaged(values: unknown[]): Uint8Array {
  return encodeBundle({ values, metas: SOURCE_META });
}
