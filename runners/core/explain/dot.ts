import { type PipelineGraph, type StepNode } from "../../../sdk/index.js";
import { type StepDescription, type StepRole, describeSteps, transformLabel } from "./describe.js";
import { type PlanItem, planEdges, planTree, shortName } from "./layout.js";

/**
 * A DOT double-quoted string. Inside one only `"` and `\` are special (a backslash starts
 * an escape such as `\n`); control characters become spaces. Line breaks are added as `\n`.
 */
export const dotString = (lines: readonly string[]): string =>
  `"${lines
    .filter((l) => l !== "")
    .map((l) => l.replace(/[\p{Cc}]/gu, " ").replace(/["\\]/g, (c) => `\\${c}`))
    .join("\\n")}"`;

/** Node attributes by role: cylinders for I/O, hexagons for grouping, parallelograms for windowing. */
const SHAPES: Record<StepRole, string> = {
  source: "shape=cylinder",
  sink: "shape=cylinder",
  grouping: "shape=hexagon",
  windowing: "shape=parallelogram",
  transform: 'shape=box, style="rounded"',
};

function node(step: StepNode, index: number, d: StepDescription | undefined): string {
  const text = dotString([shortName(step.name, step.parent), transformLabel(step), d?.summary ?? ""]);
  return `s${index} [label=${text}, ${SHAPES[d?.role ?? "transform"]}];`;
}

function items(list: readonly PlanItem[], descriptions: readonly StepDescription[], depth: number): string[] {
  const pad = "  ".repeat(depth);
  return list.flatMap((item): string[] => {
    if (item.type === "step") return [`${pad}${node(item.step, item.index, descriptions[item.index])}`];
    const c = item.composite;
    return [
      `${pad}subgraph cluster_${item.index} {`,
      `${pad}  label=${dotString([shortName(c.name, c.parent), c.transform])};`,
      `${pad}  style="dashed";`,
      ...items(item.items, descriptions, depth + 1),
      `${pad}}`,
    ];
  });
}

/**
 * The plan as a Graphviz `digraph`: one node per step and a `cluster_` subgraph per
 * composite, each named within its parent; edges labelled by collection id (and tag), side inputs dashed.
 */
export function explainDot(graph: PipelineGraph): string {
  const descriptions = describeSteps(graph);
  const edges = planEdges(graph, descriptions).map(
    (e) => `  s${e.from} -> s${e.to} [label=${dotString([e.label])}${e.side ? ", style=dashed" : ""}];`,
  );
  return (
    [
      `digraph ${dotString([graph.pipeline])} {`,
      "  rankdir=TB;",
      '  graph [fontname="Helvetica"];',
      '  node [fontname="Helvetica"];',
      '  edge [fontname="Helvetica", fontsize=10];',
      ...items(planTree(graph), descriptions, 1),
      ...edges,
      "}",
    ].join("\n") + "\n"
  );
}
