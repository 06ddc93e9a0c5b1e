import { type GraphBuilder, type ReadWithDeadLetters } from "./builder.js";
import { type CollectionNode } from "./graph.js";
import { type ReadOptions, type Sink, type Source } from "./io.js";
import { type PTransform } from "./transform.js";
import { type WindowingStrategy } from "./windowing.js";

type T1<I, O> = PTransform<I, O>;

/** Chaining shared by collections and the root: apply one transform or pipe several. */
abstract class Appliable<Self> {
  protected abstract self(): Self;
  protected abstract get builder(): GraphBuilder;

  /** Applies a transform, optionally under a step name. */
  apply<O>(transform: T1<Self, O>): O;
  apply<O>(name: string, transform: T1<Self, O>): O;
  apply<O>(nameOrTransform: string | T1<Self, O>, transform?: T1<Self, O>): O {
    if (typeof nameOrTransform === "string") return this.builder.apply(this.self(), transform as T1<Self, O>, nameOrTransform);
    return this.builder.apply(this.self(), nameOrTransform);
  }

  /** Applies transforms in order, each to the previous one's output. */
  pipe<A>(t1: T1<Self, A>): A;
  pipe<A, B>(t1: T1<Self, A>, t2: T1<A, B>): B;
  pipe<A, B, C>(t1: T1<Self, A>, t2: T1<A, B>, t3: T1<B, C>): C;
  pipe<A, B, C, D>(t1: T1<Self, A>, t2: T1<A, B>, t3: T1<B, C>, t4: T1<C, D>): D;
  pipe<A, B, C, D, E>(t1: T1<Self, A>, t2: T1<A, B>, t3: T1<B, C>, t4: T1<C, D>, t5: T1<D, E>): E;
  pipe<A, B, C, D, E, F>(t1: T1<Self, A>, t2: T1<A, B>, t3: T1<B, C>, t4: T1<C, D>, t5: T1<D, E>, t6: T1<E, F>): F;
  pipe<A, B, C, D, E, F, G>(
    t1: T1<Self, A>,
    t2: T1<A, B>,
    t3: T1<B, C>,
    t4: T1<C, D>,
    t5: T1<D, E>,
    t6: T1<E, F>,
    t7: T1<F, G>,
  ): G;
  pipe<A, B, C, D, E, F, G, H>(
    t1: T1<Self, A>,
    t2: T1<A, B>,
    t3: T1<B, C>,
    t4: T1<C, D>,
    t5: T1<D, E>,
    t6: T1<E, F>,
    t7: T1<F, G>,
    t8: T1<G, H>,
  ): H;
  pipe<A, B, C, D, E, F, G, H, J>(
    t1: T1<Self, A>,
    t2: T1<A, B>,
    t3: T1<B, C>,
    t4: T1<C, D>,
    t5: T1<D, E>,
    t6: T1<E, F>,
    t7: T1<F, G>,
    t8: T1<G, H>,
    t9: T1<H, J>,
  ): J;
  pipe(...transforms: T1<never, unknown>[]): unknown {
    let value: unknown = this.self();
    for (const t of transforms) value = this.builder.apply(value as never, t);
    return value;
  }
}

/** The start of a pipeline: reads attach here. */
export class Root extends Appliable<Root> {
  /** @internal */
  constructor(readonly _builder: GraphBuilder) {
    super();
  }
  protected self(): Root {
    return this;
  }
  protected get builder(): GraphBuilder {
    return this._builder;
  }

  /** Reads a source into a collection, with event time and watermark options. */
  read<T>(name: string, source: Source<T>, options: ReadOptions<T> = {}): PCollection<T> {
    return this._builder.read(name, source, options);
  }

  /**
   * Reads a source whose bad records (a malformed line, a row failing the schema) go to
   * `deadLetters`, each with its position and error, instead of failing the job.
   */
  readWithDeadLetters<T>(name: string, source: Source<T>, options: ReadOptions<T> = {}): ReadWithDeadLetters<T> {
    return this._builder.readWithDeadLetters(name, source, options);
  }
}

/**
 * A distributed, possibly unbounded, collection of elements of type T. It knows its
 * boundedness, windowing strategy and optional schema; elements live in runners, not here.
 */
export class PCollection<T> extends Appliable<PCollection<T>> {
  /** Phantom: makes PCollection covariant in T so mismatched transforms fail to compile. */
  declare readonly __element: T;

  /** @internal */
  constructor(
    readonly _builder: GraphBuilder,
    readonly id: string,
  ) {
    super();
  }
  protected self(): PCollection<T> {
    return this;
  }
  protected get builder(): GraphBuilder {
    return this._builder;
  }

  private get node(): CollectionNode {
    return this._builder.collection(this.id);
  }
  get bounded(): boolean {
    return this.node.bounded;
  }
  get windowing(): WindowingStrategy {
    return this.node.windowing;
  }
  get schema(): CollectionNode["schema"] {
    return this.node.schema;
  }
  /** The name of the step that produced this collection. */
  get producer(): string {
    return this.node.producer;
  }

  /** Writes the collection to a sink. */
  write(name: string, sink: Sink<T>): PDone {
    return this._builder.write(name, this, sink);
  }
}

/** The output of a write: nothing further can be applied. */
export interface PDone {
  readonly kind: "done";
  readonly step: string;
}
