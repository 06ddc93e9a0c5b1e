import { type Json } from "./graph.js";
import { type RecordSchema } from "./schema.js";
import { type Duration, type Instant } from "./time.js";

/**
 * Where a pipeline's data comes from. The SDK sees only what the graph records (kind,
 * boundedness, parameters, schema); connectors in io/ add the reading side that
 * runners call.
 */
export interface Source<T> {
  readonly kind: string;
  readonly bounded: boolean;
  readonly params: Json;
  readonly schema?: RecordSchema;
  /** Phantom: the element type. */
  readonly __element?: T;
}

/** Where a pipeline's results go; connectors in io/ add the writing side. */
export interface Sink<T> {
  readonly kind: string;
  readonly params: Json;
  readonly __element?: (value: T) => void;
}

export interface ReadOptions<T> {
  /** Event time of each element; without it, the source's own timestamps (or MIN). */
  readonly eventTime?: (value: T) => Instant;
  /** Bounded out-of-orderness: the watermark trails the max seen event time by this. */
  readonly maxDelay?: Duration;
  /** A partition with no data for this long stops holding the watermark back. */
  readonly idleTimeout?: Duration;
}
