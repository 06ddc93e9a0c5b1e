import { type Json } from "./graph.js";

/**
 * A transform is a function from its input (a collection, a list or record of them, or
 * the pipeline root) to its output. Library transforms carry metadata (a kind runners can
 * recognise, parameters, a default name); a plain function is a composite too.
 */
export type PTransform<I, O> = (input: I) => O;

export interface TransformMeta {
  /** What runners recognise (`map`, `sum.perKey`, ...); `composite` for plain functions. */
  readonly kind: string;
  /** The step name the user gave; absent means derived from position. */
  readonly name?: string;
  readonly params?: Json;
  /** An atomic transform is exactly one primitive step, named as the transform. */
  readonly atomic?: boolean;
}

const META = Symbol.for("beamline.transform");

type WithMeta = { [META]?: TransformMeta };

export function metaOf(t: PTransform<never, unknown>): TransformMeta {
  return (t as WithMeta)[META] ?? { kind: "composite" };
}

/** Attaches metadata to a transform function, keeping its (possibly generic) type. */
export function defineTransform<F extends PTransform<never, unknown>>(meta: TransformMeta, fn: F): F {
  const wrapped = ((input: never) => fn(input)) as unknown as F & WithMeta;
  wrapped[META] = Object.freeze({ ...meta });
  return wrapped;
}

/** The same transform under a user-given step name. */
export function withName<F extends PTransform<never, unknown>>(name: string, t: F): F {
  return defineTransform({ ...metaOf(t), name }, t);
}
