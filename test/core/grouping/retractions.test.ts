import { describe, expect, test } from "vitest";
import { ManualClock } from "../../../runners/core/clock.js";
import { type PaneOutput, WindowOperator } from "../../../runners/core/grouping/window-operator.js";
import { triggerMachines } from "../../../runners/core/triggers/index.js";
import { assignWindows } from "../../../runners/core/windows/assign.js";
import { type CombineFn, DEFAULT_WINDOWING, afterCount, afterWatermark, fixedWindows, minFn, sumFn } from "../../../sdk/index.js";

const strategy = { ...DEFAULT_WINDOWING, windowFn: fixedWindows(10) };

function sumOperator(combineFn: CombineFn<number, unknown, unknown>, upstream = false) {
  const out: PaneOutput<unknown>[] = [];
  const op = new WindowOperator({
    step: upstream ? "Upstream" : "Downstream",
    strategy: upstream
      ? { ...strategy, trigger: afterWatermark({ early: afterCount(1) }), accumulation: "retracting" as const }
      : strategy,
    combineFn,
    triggers: triggerMachines,
    emit: (o) => out.push(o),
    clock: new ManualClock(0),
  });
  return { op, out };
}

describe("retractions flowing into a downstream combiner", () => {
  test("a retracting upstream pane is undone downstream, so the downstream sum counts each input once", () => {
    // Upstream: per-key sums with an early pane per element, retracting; downstream: the total of the per-key sums.
    const up = sumOperator(sumFn() as CombineFn<number, unknown, unknown>, true);
    const down = sumOperator(sumFn() as CombineFn<number, unknown, unknown>);
    for (const [key, v, t] of [
      ["a", 1, 1],
      ["a", 2, 2],
      ["b", 5, 3],
      ["a", 4, 4],
    ] as const)
      up.op.processElement(key, v, t, assignWindows(strategy.windowFn, t));
    up.op.end();
    // a: 1, 3 (retracts 1), 7 (retracts 3); b: 5; at end both on-time panes retract and restate (rule 7).
    expect(up.out.filter((o) => o.retraction).map((o) => o.value)).toEqual([1, 3, 7, 5]);
    for (const o of up.out) down.op.processElement("total", o.value as number, o.timestamp, [o.window], o.retraction);
    down.op.end();
    expect(down.out.map((o) => o.value)).toEqual([12]);
  });

  test("a combiner without retract() fails the step with a message naming it", () => {
    const { retract: _none, ...noRetract } = sumFn();
    const down = sumOperator(noRetract as CombineFn<number, unknown, unknown>);
    expect(() => down.op.processElement("k", 1, 1, assignWindows(strategy.windowFn, 1), true)).toThrow(
      /step "Downstream": received a retraction, but its combiner has no retract\(\)/,
    );
  });

  test("min retracts exactly, even when the minimum itself is withdrawn", () => {
    const down = sumOperator(minFn() as unknown as CombineFn<number, unknown, unknown>);
    const w = assignWindows(strategy.windowFn, 1);
    for (const v of [5, 3, 3, 8]) down.op.processElement("k", v, 1, w);
    down.op.processElement("k", 3, 1, w, true);
    down.op.processElement("k", 3, 1, w, true);
    down.op.end();
    expect(down.out.map((o) => o.value)).toEqual([5]);
  });
});
