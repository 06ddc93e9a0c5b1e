import { type ExplainFormat } from "../core/explain.js";
import { dotString } from "../core/explain/dot.js";
import { mermaidText } from "../core/explain/mermaid.js";
import { type StageInfo } from "../local/index.js";

/** The local runner's plan, or why there is none (planLocal threw). */
export type LocalPlan = { readonly stages: readonly StageInfo[] } | { readonly unavailable: string };

const boundary = (s: StageInfo): string => (s.engine === null ? s.boundary : `${s.boundary} (${s.engine})`);

function planText(plan: LocalPlan): string {
  if ("unavailable" in plan) return `local plan: unavailable (${plan.unavailable})\n`;
  const blocks = plan.stages.flatMap((s) => [
    `  ${s.id}  boundary: ${boundary(s)}  inputs: ${s.inputs.length === 0 ? "(none)" : s.inputs.join(", ")}`,
    ...s.steps.map((step) => `    ${step}`),
  ]);
  return [`local plan: ${plan.stages.length} stage${plan.stages.length === 1 ? "" : "s"}`, ...blocks].join("\n") + "\n";
}

/** Stage nodes `p<index>` and the edges between stages, for the diagrams. */
function stageEdges(stages: readonly StageInfo[]): { from: number; to: number }[] {
  const index = new Map(stages.map((s, i) => [s.id, i]));
  return stages.flatMap((s, to) =>
    s.inputs.flatMap((id) => {
      const from = index.get(id);
      return from === undefined ? [] : [{ from, to }];
    }),
  );
}

const stageLines = (s: StageInfo): string[] => [s.id, boundary(s), ...s.steps];

function planMermaid(plan: LocalPlan): string {
  if ("unavailable" in plan) return `%% local plan unavailable: ${plan.unavailable}\n`;
  const label = (lines: readonly string[]): string => `"${lines.map(mermaidText).join("<br/>")}"`;
  return (
    [
      '  subgraph plan ["local plan"]',
      ...plan.stages.map((s, i) => `    p${i}[${label(stageLines(s))}]`),
      "  end",
      ...stageEdges(plan.stages).map((e) => `  p${e.from} ==> p${e.to}`),
    ].join("\n") + "\n"
  );
}

function planDot(plan: LocalPlan): string {
  if ("unavailable" in plan) return `  // local plan unavailable: ${plan.unavailable}\n`;
  return (
    [
      "  subgraph cluster_plan {",
      '    label="local plan";',
      '    style="dotted";',
      ...plan.stages.map((s, i) => `    p${i} [label=${dotString(stageLines(s))}, shape=box];`),
      "  }",
      ...stageEdges(plan.stages).map((e) => `  p${e.from} -> p${e.to} [style=bold];`),
    ].join("\n") + "\n"
  );
}

const ADD_PLAN: Readonly<Record<ExplainFormat, (explained: string, plan: LocalPlan) => string>> = {
  text: (explained, plan) => explained + planText(plan),
  mermaid: (explained, plan) => explained + planMermaid(plan),
  // Inside the digraph: before its closing brace.
  dot: (explained, plan) => explained.replace(/\}\n$/, () => `${planDot(plan)}}\n`),
};

/**
 * Adds the local plan to `explain`'s output: a block per stage in text, a subgraph (Mermaid)
 * or cluster (DOT) of stage nodes in the diagrams, which stay valid when the plan is unavailable.
 */
export const withPlan = (explained: string, plan: LocalPlan, format: ExplainFormat): string => ADD_PLAN[format](explained, plan);
