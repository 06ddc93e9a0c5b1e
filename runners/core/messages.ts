import { type RecordBatch } from "apache-arrow";
import { Instant, type WindowedValue } from "../../sdk/index.js";

/**
 * What flows on every edge between operators: data, and the signals the shared run loop
 * acts on (watermarks, checkpoint barriers, end of input). Arroyo's Data | Signal split.
 */
export type Message<T> = DataMessage<T> | WatermarkMessage | BarrierMessage | EndMessage;

export type MessageKind = Message<unknown>["kind"];

/**
 * A batch of elements: an Arrow RecordBatch when the collection has a schema (columnar
 * execution), else windowed values as they are.
 */
export type Batch<T> = RecordBatch | readonly WindowedValue<T>[];

export interface DataMessage<T> {
  readonly kind: "data";
  readonly batch: Batch<T>;
}

/** No element with a timestamp before `at` follows on this edge (Beam's convention; see watermarks.ts). */
export interface WatermarkMessage {
  readonly kind: "watermark";
  readonly at: Instant;
}

/** Everything before this message belongs to checkpoint `checkpointId` (aligned barriers, as in Flink). */
export interface BarrierMessage {
  readonly kind: "barrier";
  readonly checkpointId: number;
}

/** The edge carries nothing more: its watermark is now Instant.MAX. */
export interface EndMessage {
  readonly kind: "end";
}

export const data = <T>(batch: Batch<T>): DataMessage<T> => Object.freeze({ kind: "data", batch });

export function watermark(at: Instant): WatermarkMessage {
  if (!Number.isInteger(at) || at < Instant.MIN || at > Instant.MAX)
    throw new RangeError(`a watermark needs a whole-millisecond instant between Instant.MIN and Instant.MAX, got ${at}`);
  return Object.freeze({ kind: "watermark", at });
}

export function barrier(checkpointId: number): BarrierMessage {
  if (!Number.isSafeInteger(checkpointId) || checkpointId < 0)
    throw new RangeError(`a checkpoint id is a non-negative whole number, got ${checkpointId}`);
  return Object.freeze({ kind: "barrier", checkpointId });
}

const END: EndMessage = Object.freeze({ kind: "end" });

export const end = (): EndMessage => END;

/** Whether a batch is columnar; an array test, so it holds whichever copy of apache-arrow made the batch. */
export const isColumnar = <T>(batch: Batch<T>): batch is RecordBatch => !Array.isArray(batch);

/** The number of elements in a batch, whatever its layout. */
export const batchLength = <T>(batch: Batch<T>): number => (isColumnar(batch) ? batch.numRows : batch.length);
