import { describe, expect, test } from "vitest";
import { type KV, kv } from "../../sdk/index.js";
import { keys, values, withKeys } from "../../transforms/index.js";
import { build, doFnOf, memory, outputs, shape, step } from "./harness.js";

const pairs = memory<KV<string, number>>();

describe("keys, values, withKeys", () => {
  test("each is one parDo step of its own kind, with derived or given names", () => {
    const built = build((p) => {
      const r = p.read("R", pairs);
      r.pipe(keys());
      r.pipe(values("Vals"));
      r.pipe(withKeys((e: KV<string, number>) => e.value));
    });
    expect(shape(built)).toEqual([
      ["R", "read", "read"],
      ["keys@2", "parDo", "keys"],
      ["Vals", "parDo", "values"],
      ["withKeys@4", "parDo", "withKeys"],
    ]);
    expect(step(built, "keys@2").derivedName).toBe(true);
    expect(step(built, "Vals").derivedName).toBe(false);
    expect(built.graph.composites).toEqual([]);
  });

  test("the DoFns take the key, the value, or pair the element with its computed key", async () => {
    const built = build((p) => {
      const r = p.read("R", pairs);
      r.apply("K", keys());
      r.apply("V", values());
      r.apply(
        "W",
        withKeys((e: KV<string, number>) => e.value * 10),
      );
    });
    const input = [kv("a", 1), kv("b", 2)];
    expect(await outputs(doFnOf(built, "K"), input)).toEqual(["a", "b"]);
    expect(await outputs(doFnOf(built, "V"), input)).toEqual([1, 2]);
    expect(await outputs(doFnOf(built, "W"), input)).toEqual([kv(10, kv("a", 1)), kv(20, kv("b", 2))]);
  });
});
