import { tableFromArrays } from "apache-arrow";
import { describe, expect, test } from "vitest";
import { type Batch, type Message, barrier, batchLength, data, end, isColumnar, watermark } from "../../runners/core/messages.js";
import { GLOBAL_WINDOW, Instant, NO_FIRING, type WindowedValue } from "../../sdk/index.js";

const wv = <T>(value: T, timestamp: Instant): WindowedValue<T> => ({
  value,
  timestamp,
  windows: [GLOBAL_WINDOW],
  pane: NO_FIRING,
});

const columnar = (): Batch<{ word: string; n: number }> => {
  const batch = tableFromArrays({ word: ["a", "b", "c"], n: Float64Array.from([1, 2, 3]) }).batches[0];
  if (!batch) throw new Error("no batch");
  return batch;
};

/** A run loop's view: every kind handled, checked by the compiler. */
function describeMessage<T>(m: Message<T>): string {
  switch (m.kind) {
    case "data":
      return `data(${batchLength(m.batch)})`;
    case "watermark":
      return `watermark(${Instant.format(m.at)})`;
    case "barrier":
      return `barrier(${m.checkpointId})`;
    case "end":
      return "end";
  }
}

describe("messages", () => {
  test("are built by small constructors and read by kind", () => {
    const messages: Message<string>[] = [
      data([wv("x", 1), wv("y", 2)]),
      watermark(Instant.of("2024-01-01T00:00:00Z")),
      barrier(7),
      end(),
    ];
    expect(messages.map(describeMessage)).toEqual(["data(2)", "watermark(2024-01-01T00:00:00.000Z)", "barrier(7)", "end"]);
  });

  test("are frozen", () => {
    expect(Object.isFrozen(data([]))).toBe(true);
    expect(Object.isFrozen(watermark(0))).toBe(true);
    expect(Object.isFrozen(barrier(1))).toBe(true);
    expect(Object.isFrozen(end())).toBe(true);
  });

  test("watermarks name the ends of time, and only instants", () => {
    expect(watermark(Instant.MIN).at).toBe(Instant.MIN);
    expect(watermark(Instant.MAX).at).toBe(Instant.MAX);
    expect(() => watermark(Instant.MAX + 1_000)).toThrow(RangeError);
    expect(() => watermark(Number.NaN)).toThrow(RangeError);
    expect(() => watermark(1.5)).toThrow(RangeError);
  });

  test("checkpoint ids are non-negative whole numbers", () => {
    expect(barrier(0).checkpointId).toBe(0);
    expect(() => barrier(-1)).toThrow(/non-negative whole number, got -1/);
    expect(() => barrier(2.5)).toThrow(RangeError);
  });
});

describe("batches", () => {
  test("an Arrow RecordBatch is columnar and counts its rows", () => {
    const batch = columnar();
    expect(isColumnar(batch)).toBe(true);
    expect(batchLength(batch)).toBe(3);
    expect(batchLength(data(batch).batch)).toBe(3);
  });

  test("an array of windowed values is not columnar and counts its elements", () => {
    const batch: Batch<number> = [wv(1, 10), wv(2, 20)];
    expect(isColumnar(batch)).toBe(false);
    expect(batchLength(batch)).toBe(2);
    expect(batchLength([])).toBe(0);
  });
});
