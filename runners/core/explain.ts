import { type PipelineGraph } from "../../sdk/index.js";
import { explainDot } from "./explain/dot.js";
import { explainMermaid } from "./explain/mermaid.js";
import { explainText } from "./explain/text.js";

/** How `explain` renders a plan: indented text, a Mermaid flowchart or a Graphviz digraph. */
export type ExplainFormat = "text" | "mermaid" | "dot";

const RENDERERS: Readonly<Record<ExplainFormat, (graph: PipelineGraph) => string>> = {
  text: explainText,
  mermaid: explainMermaid,
  dot: explainDot,
};

export const EXPLAIN_FORMATS = Object.freeze(Object.keys(RENDERERS) as ExplainFormat[]);

export const isExplainFormat = (s: string): s is ExplainFormat => Object.hasOwn(RENDERERS, s);

/**
 * Renders a pipeline graph for people: the steps in order under their composites, with
 * collections, windowing, combiners, state and I/O. It shows the portable graph; runners
 * fuse it into stages when they execute it. The result ends with a newline.
 */
export function explain(graph: PipelineGraph, format: ExplainFormat = "text"): string {
  return RENDERERS[format](graph);
}
