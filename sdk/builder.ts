import {
  type CollectionNode,
  type CompositeNode,
  type PipelineGraph,
  type StepNode,
  GRAPH_VERSION,
  deepFreeze,
} from "./graph.js";
import { type DeadLetter, type ReadOptions, type Sink, type Source } from "./io.js";
import { PCollection, type PDone, Root } from "./pcollection.js";
import { type StepRuntime } from "./runtime.js";
import { describeSchema } from "./schema.js";
import { type PTransform, type TransformMeta, defineTransform, metaOf } from "./transform.js";
import { DEFAULT_WINDOWING, type WindowingStrategy } from "./windowing.js";

/** One problem found while building or loading a graph, naming the step it concerns. */
export interface GraphProblem {
  readonly step: string;
  readonly message: string;
}

type StepBaseKey = "name" | "derivedName" | "transform" | "params" | "parent" | "inputs" | "outputs";
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a primitive contributes to its step node; the builder fills in name and wiring. */
export type StepBody = DistributiveOmit<StepNode, StepBaseKey>;

/** A read with a dead-letter output: the records read, and the ones that could not be. */
export interface ReadWithDeadLetters<T> {
  readonly records: PCollection<T>;
  readonly deadLetters: PCollection<DeadLetter>;
}

export interface OutputSpec {
  readonly tag: string;
  readonly bounded: boolean;
  readonly windowing: WindowingStrategy;
  readonly schema: CollectionNode["schema"];
}

interface Scope {
  readonly name: string | null;
  readonly derived: boolean;
  readonly meta: TransformMeta;
  readonly parent: Scope | null;
  children: number;
  steps: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Builds the graph while the user's build function runs; used only through Root and PCollection. */
export class GraphBuilder {
  private readonly steps: StepNode[] = [];
  private readonly collections = new Map<string, CollectionNode>();
  private readonly composites: Mutable<CompositeNode>[] = [];
  private readonly runtime = new Map<string, StepRuntime>();
  private readonly names = new Set<string>();
  private readonly problems: GraphProblem[] = [];
  private scope: Scope = { name: null, derived: false, meta: { kind: "pipeline" }, parent: null, children: 0, steps: 0 };
  readonly root: Root;

  constructor(readonly pipeline: string) {
    this.root = new Root(this);
  }

  collection(id: string): CollectionNode {
    const node = this.collections.get(id);
    if (!node) throw new Error(`internal: no collection ${id}`);
    return node;
  }

  /** Applies a transform in a new named scope (or inside the atomic transform that is applying it). */
  apply<I, O>(input: I, t: PTransform<I, O>, userName?: string): O {
    const meta = metaOf(t as PTransform<never, unknown>);
    const outer = this.scope;
    // A primitive applied by an atomic transform is that transform's one step, not a child.
    if (outer.meta.atomic && outer.steps === 0 && userName === undefined) return t(input);
    const scope = this.enter(outer, meta, userName ?? meta.name);
    this.scope = scope;
    let output: O;
    try {
      output = t(input);
    } finally {
      this.scope = outer;
    }
    if (meta.atomic && scope.steps !== 1) throw new Error(`internal: atomic transform ${scope.name} added ${scope.steps} steps`);
    if (!meta.atomic) this.recordComposite(scope, input, output);
    return output;
  }

  read<T>(name: string, source: Source<T>, options: ReadOptions<T>): PCollection<T> {
    return this.readStep(name, source, options, false).main as PCollection<T>;
  }

  /** A read whose bad records go to a second output, tagged `deadLetters`, instead of failing the job. */
  readWithDeadLetters<T>(name: string, source: Source<T>, options: ReadOptions<T>): ReadWithDeadLetters<T> {
    const out = this.readStep(name, source, options, true);
    return { records: out.main as PCollection<T>, deadLetters: out.deadLetters as PCollection<DeadLetter> };
  }

  private readStep<T>(name: string, source: Source<T>, options: ReadOptions<T>, deadLetters: boolean) {
    const t = defineTransform({ kind: "read", name, atomic: true }, () => {
      const schema = source.schema ? describeSchema(source.schema) : null;
      const outputs: OutputSpec[] = [{ tag: "main", bounded: source.bounded, windowing: DEFAULT_WINDOWING, schema }];
      if (deadLetters) outputs.push({ tag: "deadLetters", bounded: source.bounded, windowing: DEFAULT_WINDOWING, schema: null });
      return this.addStep(
        {
          kind: "read",
          source: { kind: source.kind, bounded: source.bounded, params: source.params },
          eventTime: options.eventTime !== undefined,
          maxDelay: options.maxDelay ?? source.readDefaults?.maxDelay ?? 0,
          idleTimeout: options.idleTimeout ?? source.readDefaults?.idleTimeout ?? null,
        },
        [],
        outputs,
        { kind: "read", source: source as Source<unknown>, eventTime: options.eventTime as ((v: unknown) => number) | undefined },
      );
    });
    return this.apply(this.root, t);
  }

  write<T>(name: string, input: PCollection<T>, sink: Sink<T>): PDone {
    const t = defineTransform({ kind: "write", name, atomic: true }, (pc: PCollection<T>) => {
      this.addStep({ kind: "write", sink: { kind: sink.kind, params: sink.params } }, [pc], [], {
        kind: "write",
        sink: sink as Sink<unknown>,
      });
      return { kind: "done" as const, step: this.scope.name ?? name };
    });
    return this.apply(input, t);
  }

  /** Adds the primitive step of the atomic transform being applied; returns its outputs by tag. */
  addStep(
    body: StepBody,
    inputs: readonly PCollection<unknown>[],
    outputs: readonly OutputSpec[],
    runtime?: StepRuntime,
  ): Record<string, PCollection<unknown>> {
    const scope = this.scope;
    if (!scope.meta.atomic || scope.name === null)
      throw new Error(`internal: a ${body.kind} step must be applied as a transform`);
    scope.steps += 1;
    const name = scope.name;
    const result: Record<string, PCollection<unknown>> = {};
    const outputIds: Record<string, string> = {};
    for (const spec of outputs) {
      const id = `c${this.collections.size + 1}`;
      this.collections.set(id, { id, producer: name, ...spec });
      outputIds[spec.tag] = id;
      result[spec.tag] = new PCollection(this, id);
    }
    this.steps.push({
      ...body,
      name,
      derivedName: scope.derived,
      transform: scope.meta.kind,
      params: scope.meta.params ?? null,
      parent: scope.parent?.name ?? null,
      inputs: inputs.map((pc) => pc.id),
      outputs: outputIds,
    } as StepNode);
    if (runtime) this.runtime.set(name, runtime);
    return result;
  }

  /** Records a problem to report with all others when the build ends. */
  problem(step: string, message: string): void {
    this.problems.push({ step, message });
  }

  finish(): { graph: PipelineGraph; runtime: ReadonlyMap<string, StepRuntime>; problems: readonly GraphProblem[] } {
    const graph: PipelineGraph = {
      version: GRAPH_VERSION,
      pipeline: this.pipeline,
      steps: this.steps,
      collections: [...this.collections.values()],
      composites: this.composites,
    };
    return { graph: deepFreeze(graph), runtime: this.runtime, problems: this.problems };
  }

  private enter(parent: Scope, meta: TransformMeta, given: string | undefined): Scope {
    parent.children += 1;
    const segment = given ?? `${meta.kind}@${parent.children}`;
    let name = parent.name === null ? segment : `${parent.name}/${segment}`;
    if (given !== undefined && (given.length === 0 || given.includes("/")))
      this.problem(name, `step name "${given}" must be non-empty and must not contain "/"`);
    if (this.names.has(name)) {
      this.problem(name, `duplicate step name "${name}": every step needs a unique name`);
      let n = 2;
      while (this.names.has(`${name}~${n}`)) n += 1;
      name = `${name}~${n}`;
    }
    this.names.add(name);
    return { name, derived: parent.derived || given === undefined, meta, parent, children: 0, steps: 0 };
  }

  private recordComposite(scope: Scope, input: unknown, output: unknown): void {
    // Composites are listed after their children: the order in which they complete.
    this.composites.push({
      name: scope.name as string,
      derivedName: scope.derived,
      transform: scope.meta.kind,
      params: scope.meta.params ?? null,
      parent: scope.parent?.name ?? null,
      inputs: collectionsIn(input).map((pc) => pc.id),
      outputs: Object.fromEntries(collectionEntries(output).map(([tag, pc]) => [tag, pc.id])),
    });
  }
}

function collectionsIn(value: unknown): PCollection<unknown>[] {
  return collectionEntries(value).map(([, pc]) => pc);
}

/** The collections in a transform's input or output, with a tag for each. */
function collectionEntries(value: unknown): [string, PCollection<unknown>][] {
  if (value instanceof PCollection) return [["main", value]];
  if (Array.isArray(value))
    return value.flatMap((v, i) =>
      collectionEntries(v).map(([t, pc]): [string, PCollection<unknown>] => [t === "main" ? String(i) : `${i}.${t}`, pc]),
    );
  if (value !== null && typeof value === "object" && !(value instanceof Root))
    return Object.entries(value).flatMap(([k, v]) =>
      collectionEntries(v).map(([t, pc]): [string, PCollection<unknown>] => [t === "main" ? k : `${k}.${t}`, pc]),
    );
  return [];
}
