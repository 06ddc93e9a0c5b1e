import { type CollectionNode, type CompositeNode, type PipelineGraph, type StepNode } from "../../../sdk/index.js";
import { type StepDescription, describeSteps, json, transformLabel } from "./describe.js";
import { type PlanItem, planTree } from "./layout.js";

const INDENT = "  ";

/** `c1`, `main=c2, errors=c3`, or `(none)`. */
function outputsLabel(outputs: Readonly<Record<string, string>>): string {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return "(none)";
  if (entries.length === 1 && entries[0]?.[0] === "main") return entries[0][1];
  return entries.map(([tag, id]) => `${tag}=${id}`).join(", ");
}

const inputsLabel = (inputs: readonly string[]): string => (inputs.length === 0 ? "(none)" : inputs.join(", "));

const wiring = (node: StepNode | CompositeNode): string => `${inputsLabel(node.inputs)} -> ${outputsLabel(node.outputs)}`;

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

function collectionLine(c: CollectionNode, idWidth: number): string {
  const from = c.tag === "main" ? c.producer : `${c.producer} (${c.tag})`;
  const schema = c.schema
    ? `; schema ${c.schema.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? "?" : ""}`).join(", ")}`
    : "";
  return `${INDENT}${c.id.padEnd(idWidth)}  ${c.bounded ? "bounded  " : "unbounded"}  from ${from}${schema}`;
}

function header(graph: PipelineGraph): string[] {
  const unbounded = graph.steps.filter((s) => s.kind === "read" && !s.source.bounded).map((s) => s.name);
  const boundedness = unbounded.length === 0 ? "bounded" : `unbounded (from ${unbounded.join(", ")})`;
  const idWidth = Math.max(0, ...graph.collections.map((c) => c.id.length));
  return [
    `pipeline ${JSON.stringify(graph.pipeline)} (graph version ${graph.version}): ${boundedness}`,
    [
      plural(graph.steps.length, "step"),
      plural(graph.composites.length, "composite"),
      plural(graph.collections.length, "collection"),
    ].join(", "),
    "collections:",
    ...graph.collections.map((c) => collectionLine(c, idWidth)),
  ];
}

function items(list: readonly PlanItem[], descriptions: readonly StepDescription[], depth: number): string[] {
  const pad = INDENT.repeat(depth);
  return list.flatMap((item): string[] => {
    if (item.type === "composite") {
      const c = item.composite;
      const params = c.params === null ? [] : [`${pad}${INDENT.repeat(2)}params: ${json(c.params)}`];
      const kind = c.transform === "composite" ? "composite" : `composite ${c.transform}`;
      return [`${pad}${c.name}  ${kind}  ${wiring(c)}`, ...params, ...items(item.items, descriptions, depth + 1)];
    }
    const s = item.step;
    const details = [...(s.params === null ? [] : [`params: ${json(s.params)}`]), ...(descriptions[item.index]?.details ?? [])];
    return [`${pad}${s.name}  ${transformLabel(s)}  ${wiring(s)}`, ...details.map((d) => `${pad}${INDENT.repeat(2)}${d}`)];
  });
}

/**
 * The plan as indented text: a header (name, version, whether each collection is
 * bounded), then the steps in order, nested under their composites, each with its
 * collections and the parameters that decide what it does.
 */
export function explainText(graph: PipelineGraph): string {
  const descriptions = describeSteps(graph);
  return [...header(graph), "steps:", ...items(planTree(graph), descriptions, 1)].join("\n") + "\n";
}
