import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  type KV,
  type PCollection,
  Pipeline,
  afterProcessingTime,
  afterWatermark,
  eventTimer,
  fixedWindows,
  kv,
  minutes,
  outputTag,
  parDo,
  seconds,
  sideInput,
  valueState,
  windowInto,
} from "../../sdk/index.js";
import { memory, text } from "../../io/index.js";
import { EXPLAIN_FORMATS, explain, isExplainFormat } from "../../runners/core/explain.js";
import { flatMap } from "../../transforms/flat-map.js";
import { map } from "../../transforms/map.js";
import { sum } from "../../transforms/sum.js";
import { sinkOf, unboundedOf } from "../support/sources.js";

const words = (lines: PCollection<string>) =>
  lines.pipe(
    flatMap((line: string) => line.split(" "), "Split"),
    map((word: string) => kv(word, 1), "Pair"),
  );

/** Read, a composite, windowInto, a combine, a write; plus a side input, state, timers and a tagged output. */
const counts = Pipeline.define("counts", z.object({}), (p) => {
  const stopWords = p.read("StopWords", memory.create(["a", "the"]));
  const declarations = {
    state: { seen: valueState<boolean>() },
    timers: { expire: eventTimer() },
    sideInputs: { stop: sideInput.list(stopWords) },
    outputs: { dropped: outputTag<string>() },
  };
  const keyed = p
    .read("ReadLines", text.lines("in/*.txt"), { maxDelay: seconds(30) })
    .apply("Words", words)
    .pipe(
      windowInto(fixedWindows(minutes(1)), {
        trigger: afterWatermark({ early: afterProcessingTime(seconds(10)) }),
        accumulation: "accumulating",
        allowedLateness: minutes(5),
        name: "Window",
      }),
      parDo<KV<string, number>, KV<string, number>, typeof declarations>(
        { process: (e, ctx) => ctx.output(e) },
        { name: "Dedupe", declarations },
      ),
    );
  keyed.main.pipe(sum.perKey("Count")).write("Write", memory.collect("counts"));
  keyed.dropped.write("Dropped", text.write("out", { shards: 2 }));
});

const graph = counts.buildFromArgs([]).graph;

describe("explain as text", () => {
  const out = explain(graph, "text");
  const lines = out.split("\n");

  test("the header names the pipeline and version and says whether each collection is bounded", () => {
    expect(lines[0]).toBe('pipeline "counts" (graph version 1): bounded');
    expect(lines[1]).toBe("9 steps, 1 composite, 8 collections");
    expect(out).toMatch(/^ {2}c1 +bounded +from StopWords$/m);
    expect(out).toMatch(/^ {2}c7 +bounded +from Dedupe \(dropped\)$/m);
  });

  test("steps are listed in order, nested under their composite, with their collections", () => {
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(lines).toContain("  ReadLines  read  (none) -> c2");
    expect(lines).toContain("  Words  composite  c2 -> c4");
    expect(lines).toContain("    Words/Split  flatMap (parDo)  c2 -> c3");
    expect(lines).toContain("    Words/Pair  map (parDo)  c3 -> c4");
    expect(lines).toContain("  Dedupe  parDo  c5, c1 -> main=c6, dropped=c7");
    expect(lines).toContain("  Count  sum.perKey (combinePerKey)  c6 -> c8");
    expect(lines).toContain("  Write  write  c8 -> (none)");
    expect(at("  ReadLines")).toBeLessThan(at("  Words "));
    expect(at("  Words ")).toBeLessThan(at("    Words/Split"));
    expect(at("    Words/Pair")).toBeLessThan(at("  Window"));
  });

  test("sources, sinks, windowing, combiners, state, timers and side inputs are spelled out", () => {
    expect(out).toContain('source: text {"glob":"in/*.txt"}, bounded');
    expect(out).toContain("max delay 30s");
    expect(out).toContain('source: memory {"count":2}, bounded');
    expect(out).toContain("window: fixed(1m)");
    expect(out).toContain("trigger: afterWatermark(early=afterProcessingTime(10s))");
    expect(out).toContain("accumulation: accumulating");
    expect(out).toContain("allowed lateness: 5m");
    expect(out).toContain("combiner: builtin sum");
    // A grouping step shows the windowing of its input, where that strategy takes effect.
    expect(out).toContain(
      "windowing: window fixed(1m), trigger afterWatermark(early=afterProcessingTime(10s)), accumulation accumulating, allowed lateness 5m",
    );
    expect(out).toContain("state: seen (value)");
    expect(out).toContain("timers: expire (eventTime)");
    expect(out).toContain("side inputs: stop <- c1 (list)");
    expect(out).toContain('sink: memory {"id":"counts"}');
    expect(out).toContain('sink: text {"dir":"out","shards":2,"suffix":".txt"}');
  });

  test("an unbounded source makes its collections and the pipeline unbounded", () => {
    const streaming = Pipeline.define("stream", z.object({}), (p) =>
      p
        .read("Events", unboundedOf<number>())
        .pipe(
          windowInto(fixedWindows(minutes(1))),
          map((n: number) => n + 1, "Inc"),
        )
        .write("Out", sinkOf()),
    );
    const text = explain(streaming.buildFromArgs([]).graph, "text");
    expect(text.split("\n")[0]).toBe('pipeline "stream" (graph version 1): unbounded (from Events)');
    expect(text).toMatch(/^ {2}c1 +unbounded +from Events$/m);
  });
});

describe("explain as mermaid", () => {
  const out = explain(graph, "mermaid");

  test("is a top-down flowchart with the composite as a subgraph around its steps", () => {
    expect(out.startsWith("flowchart TD\n")).toBe(true);
    expect(out).toContain(
      'subgraph g0 ["Words<br/>composite"]\n    s2["Split<br/>flatMap (parDo)"]\n    s3["Pair<br/>map (parDo)"]\n  end',
    );
  });

  test("has one node per step and edges labelled by collection id and tag", () => {
    for (const [i] of graph.steps.entries()) expect(out).toMatch(new RegExp(`^ +s${i}[[({]`, "m"));
    expect(out).toContain('s1[("ReadLines<br/>read<br/>text source")]');
    expect(out).toContain('s4(["Window<br/>windowInto<br/>fixed(1m)"])');
    expect(out).toContain('s6{{"Count<br/>sum.perKey (combinePerKey)<br/>builtin sum"}}');
    expect(out).toContain('s1 -->|"c2"| s2');
    expect(out).toContain('s5 -->|"c7 dropped"| s8');
    // Side inputs are dotted.
    expect(out).toContain('s0 -.->|"c1 side stop"| s5');
  });
});

describe("explain as dot", () => {
  const out = explain(graph, "dot");

  test("is a digraph with the composite as a cluster subgraph", () => {
    expect(out.startsWith('digraph "counts" {\n')).toBe(true);
    expect(out.trimEnd().endsWith("}")).toBe(true);
    expect(out).toMatch(/subgraph cluster_0 \{\n {4}label="Words\\ncomposite";\n {4}style="dashed";\n {4}s2 \[/);
    expect(out).toContain('s1 [label="ReadLines\\nread\\ntext source", shape=cylinder];');
  });

  test("has edges labelled by collection id and tag, side inputs dashed", () => {
    expect(out).toContain('s1 -> s2 [label="c2"];');
    expect(out).toContain('s5 -> s8 [label="c7 dropped"];');
    expect(out).toContain('s0 -> s5 [label="c1 side stop", style=dashed];');
  });
});

describe("names that need escaping", () => {
  const tricky = Pipeline.define('say "hi"', z.object({}), (p) =>
    p
      .read('Read "quoted" [x] <y> #1 \\ end', text.lines("in"))
      .apply('Outer "o"', (pc: PCollection<string>) =>
        pc.apply("Inner", (inner: PCollection<string>) => inner.pipe(map((s: string) => s, "Id"))),
      )
      .write("Out", text.write("out")),
  );
  const g = tricky.buildFromArgs([]).graph;

  test("mermaid labels use entity codes, so every label stays one quoted string", () => {
    const out = explain(g, "mermaid");
    expect(out).toContain('s0[("Read #34;quoted#34; [x] #60;y#62; #35;1 \\ end<br/>read<br/>text source")]');
    expect(out).toContain('subgraph g1 ["Outer #34;o#34;<br/>composite"]');
    for (const line of out.split("\n").slice(1)) expect(line.split('"').length % 2, line).toBe(1);
  });

  test("dot strings escape quotes and backslashes", () => {
    const out = explain(g, "dot");
    expect(out.startsWith('digraph "say \\"hi\\"" {')).toBe(true);
    expect(out).toContain('s0 [label="Read \\"quoted\\" [x] <y> #1 \\\\ end\\nread\\ntext source", shape=cylinder];');
    for (const line of out.split("\n")) expect(line.replace(/\\./g, "").split('"').length % 2, line).toBe(1);
  });

  test("nested composites nest in every format", () => {
    expect(explain(g, "text")).toContain(
      '  Outer "o"  composite  c1 -> c2\n    Outer "o"/Inner  composite  c1 -> c2\n      Outer "o"/Inner/Id  map (parDo)  c1 -> c2\n',
    );
    expect(explain(g, "mermaid")).toMatch(
      /subgraph g1 .*\n {4}subgraph g0 \["Inner<br\/>composite"\]\n {6}s1\["Id<br\/>map \(parDo\)"\]\n {4}end\n {2}end/,
    );
    expect(explain(g, "dot")).toMatch(/subgraph cluster_1 \{\n.*\n.*\n {4}subgraph cluster_0 \{\n.*\n.*\n {6}s1 \[/);
  });

  test("the text header quotes the pipeline name as JSON", () => {
    expect(explain(g, "text").split("\n")[0]).toBe('pipeline "say \\"hi\\"" (graph version 1): bounded');
  });
});

test("the formats are text, mermaid and dot, text by default", () => {
  expect(EXPLAIN_FORMATS).toEqual(["text", "mermaid", "dot"]);
  expect(isExplainFormat("dot")).toBe(true);
  expect(isExplainFormat("svg")).toBe(false);
  expect(isExplainFormat("toString")).toBe(false);
  expect(explain(graph)).toBe(explain(graph, "text"));
});
