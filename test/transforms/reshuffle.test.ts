import { describe, expect, test } from "vitest";
import {
  type BuiltPipeline,
  DEFAULT_WINDOWING,
  Instant,
  afterCount,
  afterWatermark,
  fixedWindows,
  kv,
  minutes,
  repeatedly,
  windowInto,
} from "../../sdk/index.js";
import { reshuffle } from "../../transforms/index.js";
import { build, composite, doFnOf, memory, runDoFn, shape, step } from "./harness.js";

const windowingOf = (built: BuiltPipeline, stepName: string) =>
  built.graph.collections.find((c) => c.id === step(built, stepName).outputs.main)?.windowing;

describe("reshuffle", () => {
  test("is a composite: key, rewindow to fire per element, group, restore, restore the windowing", () => {
    const built = build((p) => p.read("R", memory<string>()).apply("Spread", reshuffle()));
    expect(shape(built).slice(1)).toEqual([
      ["Spread/AddKey", "parDo", "reshuffle.addKey"],
      ["Spread/Window", "windowInto", "configureWindowing"],
      ["Spread/GroupByKey", "groupByKey", "groupByKey"],
      ["Spread/Restore", "parDo", "reshuffle.restore"],
      ["Spread/RestoreWindowing", "windowInto", "configureWindowing"],
    ]);
    // Elements keep the windows they are in (sliding copies, merged sessions): nothing is re-assigned.
    expect(
      built.graph.steps.filter((s) => s.kind === "windowInto").map((s) => s.kind === "windowInto" && s.assignWindows),
    ).toEqual([false, false]);
    expect(composite(built, "Spread")).toMatchObject({
      transform: "reshuffle",
      inputs: [step(built, "R").outputs.main],
      outputs: { main: step(built, "Spread/RestoreWindowing").outputs.main },
    });
  });

  test("groups with the same window function, firing on every element, and then gives back the input's windowing", () => {
    const original = {
      trigger: afterWatermark({ late: afterCount(1) }),
      accumulation: "accumulating",
      allowedLateness: minutes(5),
    } as const;
    const built = build((p) =>
      p.read("R", memory<number>(false)).pipe(windowInto(fixedWindows(minutes(1)), original), reshuffle("Spread")),
    );
    expect(windowingOf(built, "Spread/Window")).toEqual({
      ...DEFAULT_WINDOWING,
      windowFn: fixedWindows(minutes(1)),
      trigger: repeatedly(afterCount(1)),
      accumulation: "discarding",
      timestampCombiner: "earliest",
      allowedLateness: Instant.MAX,
    });
    expect(windowingOf(built, "Spread/RestoreWindowing")).toEqual(windowingOf(built, "windowInto@2"));
    expect(windowingOf(built, "Spread/RestoreWindowing")).toMatchObject(original);
  });

  test("an unbounded input in the global window with the default trigger passes validation", () => {
    const built = build((p) => p.read("R", memory<number>(false)).pipe(reshuffle("Spread")));
    expect(windowingOf(built, "Spread/RestoreWindowing")).toEqual(DEFAULT_WINDOWING);
    const out = built.graph.collections.find((c) => c.id === step(built, "Spread/RestoreWindowing").outputs.main);
    expect(out?.bounded).toBe(false);
  });

  test("AddKey keeps each value with its timestamp under well-spread keys, the same on every run", async () => {
    const run = async () => {
      const built = build((p) => p.read("R", memory<string>()).apply("Spread", reshuffle()));
      const elements = Array.from({ length: 1000 }, (_, i) => `e${i}`);
      return runDoFn(doFnOf(built, "Spread/AddKey"), elements, (_, i) => 1000 + i);
    };
    const first = await run();
    expect(first[7]?.value).toMatchObject({ value: { value: "e7", timestamp: 1007 } });
    const keys = first.map((e) => (e.value as { key: number }).key);
    expect(new Set(keys).size).toBe(1000);
    // Keys spread over the key space rather than counting up: a fair share lands in each quarter.
    const quarters = [0, 1, 2, 3].map((q) => keys.filter((k) => Math.floor(k / 2 ** 30) === q).length);
    for (const n of quarters) expect(n).toBeGreaterThan(150);
    expect((await run()).map((e) => (e.value as { key: number }).key)).toEqual(keys);
  });

  test("Restore re-emits every grouped value with its original timestamp", async () => {
    const built = build((p) => p.read("R", memory<string>()).apply("Spread", reshuffle()));
    const group = kv(42, [
      { value: "a", timestamp: 5 },
      { value: "b", timestamp: 9 },
    ]);
    const emitted = await runDoFn(doFnOf(built, "Spread/Restore"), [group], () => 5);
    expect(emitted.map((e) => [e.value, e.timestamp])).toEqual([
      ["a", 5],
      ["b", 9],
    ]);
  });
});
