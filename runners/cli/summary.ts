import { type RunSummary, type StageInfo } from "../local/index.js";

const COUNT = new Intl.NumberFormat("en-US");

/** A row count for people: `1,234,567`. */
export const formatCount = (n: number): string => COUNT.format(n);

/** A duration for people: `850 ms`, `12.3 s`, `4m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  // Below 59.95 s, so a duration never shows as "60.0 s".
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** A stage's steps in short form: the last segment of each name, joined by arrows, cut at `max` characters. */
export function shortSteps(steps: readonly string[], max = 40): string {
  const text = steps.map((s) => s.slice(s.lastIndexOf("/") + 1)).join(" → ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * What `beamline run` prints at the end: one line per stage (its steps when the plan is
 * known, rows in → rows out, time), then the total time, late drops, drops after a window closed and dead letters.
 */
export function formatSummary(summary: RunSummary, stages: readonly StageInfo[] = []): string {
  const steps = new Map(stages.map((s) => [s.id, shortSteps(s.steps)]));
  const rows = summary.stages.map((s) => ({
    id: s.stage,
    steps: steps.get(s.stage) ?? "",
    rowsIn: formatCount(s.rowsIn),
    rowsOut: formatCount(s.rowsOut),
    ms: formatDuration(s.ms),
  }));
  const width = (pick: (r: (typeof rows)[number]) => string): number => Math.max(0, ...rows.map((r) => pick(r).length));
  const [id, st, rin, rout, ms] = [
    width((r) => r.id),
    width((r) => r.steps),
    width((r) => r.rowsIn),
    width((r) => r.rowsOut),
    width((r) => r.ms),
  ];
  const lines = rows.map((r) =>
    [
      r.id.padEnd(id),
      ...(st > 0 ? [r.steps.padEnd(st)] : []),
      `${r.rowsIn.padStart(rin)} in → ${r.rowsOut.padStart(rout)} out`,
      r.ms.padStart(ms),
    ].join("  "),
  );
  const total = [
    formatDuration(summary.ms),
    plural(summary.droppedLate, "late element dropped", "late elements dropped"),
    plural(summary.droppedClosed, "element dropped after its window closed", "elements dropped after their window closed"),
    plural(summary.deadLetters, "dead letter", "dead letters"),
  ].join(", ");
  return [...lines, `total: ${total}`].join("\n") + "\n";
}
