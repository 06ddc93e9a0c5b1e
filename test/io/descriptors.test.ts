import { describe, expect, test } from "vitest";
import { memory, text } from "../../io/index.js";

describe("I/O descriptors", () => {
  test("text lines and text files record their glob and output in the graph's terms", () => {
    expect(text.lines("logs/*.gz")).toMatchObject({ kind: "text", bounded: true, params: { glob: "logs/*.gz" } });
    expect(text.write("out", { shards: 4 })).toMatchObject({ kind: "text", params: { dir: "out", shards: 4 } });
    expect(() => text.write("out", { shards: 0 })).toThrow(RangeError);
  });

  test("memory.create keeps values off the graph params and checks one timestamp per value", () => {
    const values = [1, 2, 3];
    const src = memory.create(values, { timestamps: [10, 20, 30] });
    values.push(4);
    expect(src).toMatchObject({
      kind: "memory",
      bounded: true,
      params: { count: 3 },
      values: [1, 2, 3],
      timestamps: [10, 20, 30],
    });
    expect(() => memory.create([1, 2], { timestamps: [1] })).toThrow(/1 timestamps for 2 values/);
  });
});
