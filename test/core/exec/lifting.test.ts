import { describe, expect, test } from "vitest";
import { z } from "zod";
import { memory } from "../../../io/index.js";
import { lifting } from "../../../runners/core/exec/lifting.js";
import { GraphIndex } from "../../../runners/core/exec/plan.js";
import {
  type CombinePerKeyStep,
  type Trigger,
  type WindowFn,
  Pipeline,
  afterAny,
  afterCount,
  afterProcessingTime,
  afterWatermark,
  fixedWindows,
  globalWindows,
  repeatedly,
  seconds,
  sessions,
  windowInto,
} from "../../../sdk/index.js";
import { count } from "../../../transforms/index.js";

// Which combines the stream runner lifts (pre-combines before the shuffle), and how: partials
// held until the window's end under the default trigger, sent per bundle under a trigger that
// may fire at any time, and not at all where pre-combining would change the panes.

interface Windowing {
  readonly windowFn: WindowFn;
  readonly trigger?: Trigger;
  readonly allowedLateness?: number;
  readonly accumulation?: "discarding" | "accumulating" | "retracting";
  readonly timestampCombiner?: "endOfWindow" | "earliest";
}

function liftingOf(w: Windowing) {
  const built = Pipeline.define("lifting", z.object({}), (p) =>
    p
      .read("Keys", memory.create(["a", "b", "a"]))
      .pipe(windowInto(w.windowFn, { name: "Window", ...w }))
      .apply(count.perElement("Count"))
      .write("Out", memory.collect("lifting-test")),
  ).build({});
  const index = new GraphIndex(built.graph);
  const step = built.graph.steps.find((s): s is CombinePerKeyStep => s.kind === "combinePerKey");
  if (!step) throw new Error("no combinePerKey step in the test pipeline");
  return lifting(index, step);
}

describe("lifting", () => {
  test("the default trigger holds partials until the window's end", () => {
    expect(liftingOf({ windowFn: fixedWindows(seconds(10)) })).toBe("untilWindowEnd");
    expect(liftingOf({ windowFn: globalWindows() })).toBe("untilWindowEnd");
  });

  test("processing-time and watermark triggers send each bundle's partials at once", () => {
    const g = globalWindows();
    expect(liftingOf({ windowFn: g, trigger: repeatedly(afterProcessingTime(seconds(10))) })).toBe("perBundle");
    expect(
      liftingOf({ windowFn: fixedWindows(seconds(10)), trigger: afterWatermark({ early: afterProcessingTime(seconds(1)) }) }),
    ).toBe("perBundle");
    expect(liftingOf({ windowFn: g, trigger: repeatedly(afterProcessingTime(seconds(1))), accumulation: "accumulating" })).toBe(
      "perBundle",
    );
  });

  test("a trigger that counts elements, merging windows, lateness, other timestamps or retractions: not lifted", () => {
    const g = globalWindows();
    expect(liftingOf({ windowFn: g, trigger: repeatedly(afterCount(3)) })).toBe("none");
    expect(liftingOf({ windowFn: g, trigger: repeatedly(afterAny(afterCount(3), afterProcessingTime(10))) })).toBe("none");
    expect(
      liftingOf({ windowFn: fixedWindows(seconds(10)), trigger: afterWatermark({ late: afterCount(1) }), allowedLateness: 0 }),
    ).toBe("none");
    expect(liftingOf({ windowFn: sessions(seconds(10)) })).toBe("none");
    expect(liftingOf({ windowFn: fixedWindows(seconds(10)), allowedLateness: seconds(5) })).toBe("none");
    expect(liftingOf({ windowFn: fixedWindows(seconds(10)), timestampCombiner: "earliest" })).toBe("none");
    expect(
      liftingOf({
        windowFn: fixedWindows(seconds(10)),
        trigger: afterWatermark({ early: afterProcessingTime(1) }),
        accumulation: "retracting",
      }),
    ).toBe("none");
  });
});
