import { type CompositeNode, type PipelineGraph, type StepNode } from "../../../sdk/index.js";
import { type StepDescription } from "./describe.js";

/** A step, or a composite with the steps and composites inside it, in construction order. */
export type PlanItem =
  | { readonly type: "step"; readonly step: StepNode; readonly index: number }
  | { readonly type: "composite"; readonly composite: CompositeNode; readonly index: number; readonly items: PlanItem[] };

/**
 * Nests steps under their composites. A composite sits where its first step is (the
 * graph lists composites after their children); one without steps goes last in its parent.
 */
export function planTree(graph: PipelineGraph): PlanItem[] {
  const composites = new Map(graph.composites.map((composite, index) => [composite.name, { composite, index }]));
  const groups = new Map<string, PlanItem[]>();
  const resolving = new Set<string>();
  const root: PlanItem[] = [];
  const itemsOf = (name: string | null): PlanItem[] => {
    if (name === null) return root;
    const known = groups.get(name);
    if (known) return known;
    const entry = composites.get(name);
    // A parent the graph does not list, or a cycle of parents (only in a hand-made graph): show at top level.
    if (!entry || resolving.has(name)) return root;
    resolving.add(name);
    const parentItems = itemsOf(entry.composite.parent);
    resolving.delete(name);
    const items: PlanItem[] = [];
    groups.set(name, items);
    parentItems.push({ type: "composite", composite: entry.composite, index: entry.index, items });
    return items;
  };
  graph.steps.forEach((step, index) => itemsOf(step.parent).push({ type: "step", step, index }));
  for (const composite of graph.composites) itemsOf(composite.name);
  return root;
}

/** The last segment of a hierarchical name: what a diagram shows inside its composite's box. */
export const shortName = (name: string, parent: string | null): string =>
  parent !== null && name.startsWith(`${parent}/`) ? name.slice(parent.length + 1) : name;

/** A collection flowing from its producer to a consumer. */
export interface PlanEdge {
  readonly from: number;
  readonly to: number;
  /** `c3`, `c3 errors` for a tagged output, `c3 side rates` for a side input. */
  readonly label: string;
  readonly side: boolean;
}

/** One edge per (input collection, consuming step); side inputs are marked so diagrams can dash them. */
export function planEdges(graph: PipelineGraph, descriptions: readonly StepDescription[]): PlanEdge[] {
  const stepIndex = new Map(graph.steps.map((s, i) => [s.name, i]));
  const collections = new Map(graph.collections.map((c) => [c.id, c]));
  const edges: PlanEdge[] = [];
  graph.steps.forEach((step, to) => {
    // A parDo's inputs are its main input, then its side inputs in declaration order.
    const sides = descriptions[to]?.sideInputs ?? [];
    step.inputs.forEach((id, position) => {
      const collection = collections.get(id);
      const from = collection ? stepIndex.get(collection.producer) : undefined;
      if (collection === undefined || from === undefined) return;
      const side = position > 0 ? sides[position - 1] : undefined;
      const tagged = collection.tag === "main" ? id : `${id} ${collection.tag}`;
      const isSide = side !== undefined && side.collection === id;
      edges.push({ from, to, label: isSide ? `${tagged} side ${side.tag}` : tagged, side: isSide });
    });
  });
  return edges;
}
