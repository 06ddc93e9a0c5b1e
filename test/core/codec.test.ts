import { describe, expect, test } from "vitest";
import { BinaryReader, BinaryWriter } from "../../runners/core/codec.js";
import { Instant } from "../../sdk/index.js";

describe("the snapshot codec", () => {
  test("round-trips every field type, growing its buffer as needed", () => {
    const w = new BinaryWriter(4);
    w.u8(7).uvarint(0).uvarint(300).uvarint(Number.MAX_SAFE_INTEGER).varint(-1).varint(Instant.MIN).varint(Instant.MAX);
    w.f64(Math.PI)
      .bool(true)
      .string("héllo ✓")
      .bytes(new Uint8Array([1, 2, 3]));
    w.value({ m: new Map([["a", 1n]]), d: new Date(5), s: new Set([1]), xs: [1, "x", null] });
    const r = new BinaryReader(w.finish());
    expect([r.u8(), r.uvarint(), r.uvarint(), r.uvarint(), r.varint(), r.varint(), r.varint()]).toEqual([
      7,
      0,
      300,
      Number.MAX_SAFE_INTEGER,
      -1,
      Instant.MIN,
      Instant.MAX,
    ]);
    expect([r.f64(), r.bool(), r.string(), [...r.bytes()]]).toEqual([Math.PI, true, "héllo ✓", [1, 2, 3]]);
    expect(r.value()).toEqual({ m: new Map([["a", 1n]]), d: new Date(5), s: new Set([1]), xs: [1, "x", null] });
    expect(r.done).toBe(true);
  });

  test("is compact for small integers", () => {
    expect(new BinaryWriter().uvarint(127).finish().length).toBe(1);
    expect(new BinaryWriter().varint(-64).finish().length).toBe(1);
  });

  test("names the offset when a snapshot is truncated", () => {
    const bytes = new BinaryWriter().string("abcdef").finish();
    expect(() => new BinaryReader(bytes.subarray(0, 3)).string()).toThrow(/snapshot truncated: needed 6 bytes at offset 1/);
  });

  test("refuses values it cannot encode exactly", () => {
    expect(() => new BinaryWriter().uvarint(-1)).toThrow(RangeError);
    expect(() => new BinaryWriter().varint(0.5)).toThrow(RangeError);
  });
});
