import { expect, test } from "vitest";
import { z } from "zod";
import { memory } from "../../../io/index.js";
import { ParDoOperator } from "../../../runners/core/exec/operators/pardo.js";
import { Instant, type ParDoStep, Pipeline, eventTimer, kv, parDo, processingTimer, valueState } from "../../../sdk/index.js";

// The stream worker's ticker gives every node not yet finished the wall clock every 20 ms; a
// node finishes only once every channel sent "end", which can come after the watermark MAX.
// A stateful DoFn's operator has run processing time out at MAX by then: the tick must move
// nothing (found by Nexmark Q6 failing 1 run in 4 at its end).
test("a stateful ParDo ignores processing-time ticks after the end of input, and clock readings that go back", async () => {
  const fired: number[] = [];
  const built = Pipeline.define("ticks", z.object({}), (p) =>
    p.read("In", memory.create([kv(1, 1)])).apply(
      parDo(
        {
          process: (_e, ctx) => {
            ctx.state.seen.write(true);
            ctx.timers.later.set(1_000);
          },
          onTimer: { t: () => {}, later: (ctx) => void fired.push(ctx.timestamp) },
        },
        {
          name: "Stateful",
          declarations: { state: { seen: valueState<boolean>() }, timers: { t: eventTimer(), later: processingTimer() } },
        },
      ),
    ),
  ).build({});
  const step = built.graph.steps.find((s) => s.name === "Stateful") as ParDoStep;
  const r = built.runtime.get("Stateful") as unknown as ConstructorParameters<typeof ParDoOperator>[0];
  const op = new ParDoOperator({
    step,
    doFn: r.doFn,
    declarations: r.declarations,
    outputs: { main: { emit: async () => {}, watermark: async () => {} } },
    sideInputs: [],
    allowedLateness: 0,
  } as ConstructorParameters<typeof ParDoOperator>[0]);
  await op.processingTime(500);
  await op.processingTime(400);
  await op.watermark(0, Instant.MAX);
  await expect(op.processingTime(Date.now())).resolves.toBeUndefined();
  expect(fired).toEqual([]);
});
