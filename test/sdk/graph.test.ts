import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  GRAPH_VERSION,
  Pipeline,
  PipelineValidationError,
  afterCount,
  afterWatermark,
  calendarDays,
  canonicalJson,
  eventTimer,
  fixedWindows,
  graphToJson,
  groupByKey,
  kv,
  loadGraph,
  minutes,
  parDo,
  repeatedly,
  seconds,
  sessions,
  slidingWindows,
  valueState,
  windowInto,
} from "../../sdk/index.js";
import { filter } from "../../transforms/filter.js";
import { flatMap } from "../../transforms/flat-map.js";
import { map } from "../../transforms/map.js";
import { sum } from "../../transforms/sum.js";
import { boundedOf, sinkOf, unboundedOf } from "../support/sources.js";

const Options = z.object({ input: z.string(), window: z.int().default(60) });

/** A pipeline with composites, windowing, a trigger, a stateful DoFn and a write. */
const pageViews = Pipeline.define("page-views", Options, (p, opts) => {
  const views = p.read("Views", boundedOf<{ page: string; at: number }>(opts.input), {
    eventTime: (v) => v.at,
    maxDelay: seconds(30),
  });
  views
    .pipe(
      windowInto(fixedWindows(seconds(opts.window)), {
        trigger: afterWatermark({ early: afterCount(100) }),
        accumulation: "accumulating",
        allowedLateness: minutes(5),
      }),
      map((v) => kv(v.page, 1)),
      sum.perKey("ViewsPerPage"),
    )
    .write("Out", sinkOf());
  views
    .apply("Tokens", (pc) =>
      pc.pipe(
        flatMap((v) => v.page.split("/")),
        filter((t) => t.length > 0),
      ),
    )
    .write("TokensOut", sinkOf());
  views.pipe(map((v) => kv(v.page, v.at))).apply(
    "LastSeen",
    parDo(
      {
        process(el, ctx) {
          ctx.state.last.write(el.value);
          ctx.timers.gc.set(el.value + 1000);
        },
        onTimer: { gc: (ctx) => ctx.state.last.clear() },
      },
      { declarations: { state: { last: valueState<number>() }, timers: { gc: eventTimer() } } },
    ),
  );
});

const build = (input = "a.txt") => pageViews.build(pageViews.parseOptions({ input }));

describe("the pipeline graph", () => {
  test("is plain frozen data with versioned, ordered steps", () => {
    const { graph } = build();
    expect(graph.version).toBe(GRAPH_VERSION);
    expect(Object.isFrozen(graph)).toBe(true);
    expect(Object.isFrozen(graph.steps[0])).toBe(true);
    expect(graph.steps.map((s) => `${s.kind}:${s.name}`)).toEqual([
      "read:Views",
      "windowInto:windowInto@2",
      "parDo:map@3",
      "combinePerKey:ViewsPerPage",
      "write:Out",
      "parDo:Tokens/flatMap@1",
      "parDo:Tokens/filter@2",
      "write:TokensOut",
      "parDo:map@8",
      "parDo:LastSeen",
    ]);
    expect(graph.composites).toEqual([
      expect.objectContaining({ name: "Tokens", transform: "composite", parent: null, derivedName: false }),
    ]);
    const combine = graph.steps.find((s) => s.name === "ViewsPerPage");
    expect(combine).toMatchObject({ transform: "sum.perKey", combiner: { kind: "builtin", name: "sum" } });
  });

  test("collections carry boundedness and the windowing strategy set upstream", () => {
    const { graph } = build();
    const byProducer = new Map(graph.collections.map((c) => [c.producer, c]));
    expect(byProducer.get("Views")?.windowing.windowFn).toEqual({ kind: "global" });
    const windowed = byProducer.get("ViewsPerPage");
    expect(windowed?.bounded).toBe(true);
    expect(windowed?.windowing).toMatchObject({
      windowFn: { kind: "fixed", size: 60_000, offset: 0 },
      trigger: { kind: "afterWatermark", early: { kind: "afterCount", count: 100 }, late: null },
      accumulation: "accumulating",
      allowedLateness: 300_000,
      timestampCombiner: "endOfWindow",
    });
  });

  test("round-trips through JSON to an equal graph with the same hash", () => {
    const { graph, hash } = build();
    const loaded = loadGraph(graphToJson(graph));
    expect(loaded).toEqual(graph);
    expect(canonicalJson(loaded)).toBe(canonicalJson(graph));
    expect(pageViews.build(pageViews.parseOptions({ input: "a.txt" })).hash).toBe(hash);
  });

  test("has a stable hash across builds, which changes when the pipeline does", () => {
    const a = build();
    const b = build();
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(build("b.txt").hash).not.toBe(a.hash);
  });

  test("keeps user code out of the graph, in the runtime keyed by step name", () => {
    const { graph, runtime } = build();
    expect(graphToJson(graph)).not.toContain("=>");
    expect(runtime.get("LastSeen")?.kind).toBe("parDo");
    expect(runtime.get("ViewsPerPage")?.kind).toBe("combine");
    expect(runtime.get("Views")?.kind).toBe("read");
    expect([...runtime.keys()].every((name) => graph.steps.some((s) => s.name === name))).toBe(true);
  });
});

describe("validation", () => {
  const problemsOf = (fn: () => unknown): { step: string; message: string }[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof PipelineValidationError) return [...e.problems];
      throw e;
    }
    throw new Error("expected a PipelineValidationError");
  };

  test("reports a duplicate step name", () => {
    const def = Pipeline.define("dup", z.object({}), (p) => {
      p.read("In", boundedOf());
      p.read("In", boundedOf());
    });
    expect(problemsOf(() => def.build({}))).toEqual([
      { step: "In", message: expect.stringContaining('duplicate step name "In"') },
    ]);
  });

  test("reports grouping an unbounded collection in the global window with the default trigger", () => {
    const def = Pipeline.define("unbounded", z.object({}), (p) => {
      p.read("In", unboundedOf<string>()).pipe(
        map((w) => kv(w, 1)),
        groupByKey("Group"),
      );
    });
    expect(problemsOf(() => def.build({}))).toEqual([
      { step: "Group", message: expect.stringContaining("unbounded collection in the global window") },
    ]);
  });

  test("accepts the same grouping with windows, or with a trigger, or on bounded input", () => {
    const ok = Pipeline.define("ok", z.object({}), (p) => {
      const words = p.read("In", unboundedOf<string>());
      words.pipe(
        windowInto(sessions(minutes(5))),
        map((w) => kv(w, 1)),
        groupByKey("Windowed"),
      );
      words.pipe(
        windowInto({ kind: "global" }, { trigger: repeatedly(afterCount(10)) }),
        map((w) => kv(w, 1)),
        groupByKey("Triggered"),
      );
      p.read("Bounded", boundedOf<string>()).pipe(
        map((w) => kv(w, 1)),
        groupByKey("BoundedGroup"),
      );
    });
    expect(() => ok.build({})).not.toThrow();
  });

  test("reports a sliding period larger than the size", () => {
    const def = Pipeline.define("sliding", z.object({}), (p) => {
      p.read("In", boundedOf()).apply("Slide", windowInto(slidingWindows(minutes(1), minutes(5))));
    });
    expect(problemsOf(() => def.build({}))).toEqual([
      { step: "Slide", message: expect.stringContaining("period 5m is larger than its size 1m") },
    ]);
  });

  test("reports a stateful DoFn whose name was derived from position", () => {
    const def = Pipeline.define("stateful", z.object({}), (p) => {
      p.read("In", boundedOf<{ key: string; value: number }>()).pipe(
        parDo(
          { process: (el, ctx) => ctx.state.count.write(el.value) },
          { declarations: { state: { count: valueState<number>() } } },
        ),
      );
    });
    expect(problemsOf(() => def.build({}))).toEqual([
      { step: "parDo@2", message: expect.stringContaining("needs a stable name given by the user") },
    ]);
  });

  test("requires every segment of a stateful step's path to be user-given", () => {
    const def = Pipeline.define("nested", z.object({}), (p) => {
      p.read("In", boundedOf<{ key: string; value: number }>()).pipe((pc) =>
        pc.apply("Named", parDo({ process: () => {} }, { declarations: { timers: { t: eventTimer() } } })),
      );
    });
    expect(problemsOf(() => def.build({}))).toEqual([
      { step: "composite@2/Named", message: expect.stringContaining("stable name") },
    ]);
  });

  test("reports every problem at once, each with its step", () => {
    const def = Pipeline.define("many", z.object({}), (p) => {
      const input = p.read("In", unboundedOf<string>());
      p.read("In", boundedOf());
      input.pipe(
        map((w) => kv(w, 1)),
        groupByKey("Group"),
      );
      input.apply("Slide", windowInto(slidingWindows(seconds(10), seconds(20))));
      input.apply("Days", windowInto(calendarDays(1, "Mars/Olympus_Mons")));
      input.pipe(
        map((w) => kv(w, 1)),
        parDo({ process: () => {} }, { declarations: { state: { s: valueState<number>() } } }),
      );
    });
    const problems = problemsOf(() => def.build({}));
    expect(problems.map((p) => p.step)).toEqual(["In", "Group", "Slide", "Days", "parDo@8"]);
    const error = (() => {
      try {
        def.build({});
      } catch (e) {
        return String(e);
      }
    })();
    expect(error).toContain('pipeline "many" is invalid (5 problems)');
    expect(error).toContain('step "Days": calendarDays time zone "Mars/Olympus_Mons" is not an IANA time zone');
  });

  test("loading a malformed graph lists every problem with the step it is in", () => {
    const { graph } = build();
    const bad = JSON.parse(graphToJson(graph)) as { steps: Record<string, unknown>[] };
    bad.steps[1]!.kind = "teleport";
    bad.steps[3]!.inputs = ["c999"];
    bad.steps[3]!.derivedName = "no";
    expect(() => loadGraph(JSON.stringify(bad))).toThrow(PipelineValidationError);
    const problems = problemsOf(() => loadGraph(bad));
    expect(problems.map((p) => p.step)).toEqual(["windowInto@2", "ViewsPerPage"]);
    const semantic = JSON.parse(graphToJson(graph)) as { steps: { inputs: string[]; name: string }[] };
    semantic.steps[3]!.inputs = ["c999"];
    semantic.steps[4]!.name = "ViewsPerPage";
    expect(problemsOf(() => loadGraph(semantic))).toEqual([
      { step: "ViewsPerPage", message: "input collection c999 does not exist" },
      { step: "ViewsPerPage", message: expect.stringContaining("duplicate step name") },
    ]);
    const orphan = JSON.parse(graphToJson(graph)) as { steps: { outputs: Record<string, string> }[] };
    orphan.steps[2]!.outputs = { main: "c1" };
    expect(problemsOf(() => loadGraph(orphan))).toEqual([
      { step: "map@3", message: 'output "main" (c1) is not a collection produced by this step' },
    ]);
  });
});
