import { type PipelineGraph, type StepNode } from "../../../sdk/index.js";
import { type StepDescription, type StepRole, describeSteps, transformLabel } from "./describe.js";
import { type PlanItem, planEdges, planTree, shortName } from "./layout.js";

/**
 * Text inside a quoted Mermaid label. Mermaid reads `#name;` and `#123;` as entity codes,
 * so quotes, angle brackets, ampersands, backticks and `#` itself become numeric codes;
 * control characters (line breaks) become spaces.
 */
export const mermaidText = (s: string): string =>
  s.replace(/[\p{Cc}]/gu, " ").replace(/[#"<>&`]/g, (c) => `#${c.charCodeAt(0)};`);

const label = (lines: readonly string[]): string =>
  `"${lines
    .filter((l) => l !== "")
    .map(mermaidText)
    .join("<br/>")}"`;

/** Node shapes by role: cylinders for I/O, hexagons for grouping, stadiums for windowing. */
const SHAPES: Record<StepRole, readonly [string, string]> = {
  source: ["[(", ")]"],
  sink: ["[(", ")]"],
  grouping: ["{{", "}}"],
  windowing: ["([", "])"],
  transform: ["[", "]"],
};

function node(step: StepNode, index: number, d: StepDescription | undefined): string {
  const [open, close] = SHAPES[d?.role ?? "transform"];
  return `s${index}${open}${label([shortName(step.name, step.parent), transformLabel(step), d?.summary ?? ""])}${close}`;
}

function items(list: readonly PlanItem[], descriptions: readonly StepDescription[], depth: number): string[] {
  const pad = "  ".repeat(depth);
  return list.flatMap((item): string[] => {
    if (item.type === "step") return [`${pad}${node(item.step, item.index, descriptions[item.index])}`];
    const c = item.composite;
    return [
      `${pad}subgraph g${item.index} [${label([shortName(c.name, c.parent), c.transform])}]`,
      ...items(item.items, descriptions, depth + 1),
      `${pad}end`,
    ];
  });
}

/**
 * The plan as a Mermaid `flowchart TD`: one node per step and a subgraph per composite,
 * each named within its parent; edges labelled by collection id (and tag), side inputs dotted.
 */
export function explainMermaid(graph: PipelineGraph): string {
  const descriptions = describeSteps(graph);
  const edges = planEdges(graph, descriptions).map(
    (e) => `  s${e.from} ${e.side ? "-.->" : "-->"}|${label([e.label])}| s${e.to}`,
  );
  return ["flowchart TD", ...items(planTree(graph), descriptions, 1), ...edges].join("\n") + "\n";
}
