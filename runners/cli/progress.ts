import cliProgress from "cli-progress";
import { type RunObserver, type StageInfo, type StageStats } from "../local/index.js";
import { shortSteps } from "./summary.js";

/** Where progress is drawn: process.stderr, or a stand-in in tests. Drawn only when `isTTY` is true. */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

// Counts, not a bar or a percentage: a stage's total is not known until it ends.
const FORMAT = "{stage}  {steps}  {rowsIn} in → {rowsOut} out  {rate} rows/s";

// Compact counts (`12.6M`) so a line fits an 80-column terminal; the summary has exact ones.
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Rows in per second so far, or `-` before the stage has run for a measurable time. */
const rate = (s: StageStats): string => (s.ms > 0 ? COMPACT.format((s.rowsIn * 1000) / s.ms) : "-");

/** Characters of a line besides the stage id and its steps: the format's text and three counts padded to 6. */
const FIXED_WIDTH = FORMAT.replace(/\{\w+\}/g, "").length + 3 * 6;

/**
 * Draws one line per stage while a run goes on, on a terminal only (a log file gets just
 * the summary); the lines are cleared at the end so the summary replaces them. Remembers
 * the planned stages so the summary can name their steps.
 */
export class ProgressRenderer implements RunObserver {
  readonly #tty: boolean;
  readonly #bars = new Map<string, cliProgress.SingleBar>();
  #multi: cliProgress.MultiBar | undefined;
  #stages: readonly StageInfo[] = [];
  #idWidth = 0;
  #stepsMax = 40;
  #stepsWidth = 0;
  #stopped = false;

  constructor(private readonly stream: ProgressStream | undefined) {
    this.#tty = stream?.isTTY === true;
  }

  /** The stages the runner planned, in plan order; empty until `planned`. */
  get stages(): readonly StageInfo[] {
    return this.#stages;
  }

  planned(stages: readonly StageInfo[]): void {
    this.#stages = stages;
    this.#idWidth = Math.max(0, ...stages.map((s) => s.id.length));
    // The steps get what the terminal's width leaves, within reason.
    this.#stepsMax = Math.min(40, Math.max(12, (this.stream?.columns ?? 80) - this.#idWidth - FIXED_WIDTH - 1));
    this.#stepsWidth = Math.max(0, ...stages.map((s) => shortSteps(s.steps, this.#stepsMax).length));
    for (const s of stages) this.#bar(s.id)?.update(this.#payload(s.id, { stage: s.id, rowsIn: 0, rowsOut: 0, ms: 0 }));
    this.#multi?.update();
  }

  progress(stats: readonly StageStats[]): void {
    for (const s of stats) this.#bar(s.stage)?.update(this.#payload(s.stage, s));
    this.#multi?.update();
  }

  finished(): void {
    this.stop();
  }

  /** Clears the lines and stops redrawing; later reports draw nothing. Safe to call twice. */
  stop(): void {
    this.#stopped = true;
    this.#multi?.stop();
    this.#multi = undefined;
    this.#bars.clear();
  }

  #payload(id: string, s: StageStats): Record<string, string> {
    const steps = shortSteps(this.#stages.find((st) => st.id === id)?.steps ?? [], this.#stepsMax);
    return {
      stage: id.padEnd(this.#idWidth),
      steps: steps.padEnd(this.#stepsWidth),
      rowsIn: COMPACT.format(s.rowsIn).padStart(6),
      rowsOut: COMPACT.format(s.rowsOut).padStart(6),
      rate: rate(s).padStart(6),
    };
  }

  /** The stage's line, created on first use (a stage the plan did not announce gets one too). */
  #bar(id: string): cliProgress.SingleBar | undefined {
    if (!this.#tty || this.#stopped || this.stream === undefined) return undefined;
    this.#multi ??= new cliProgress.MultiBar({
      stream: this.stream,
      format: FORMAT,
      clearOnComplete: true,
      // Cut lines at the terminal's width instead of switching wrapping off, and leave the
      // cursor alone: both would stay changed if the process is killed mid-run.
      linewrap: true,
      hideCursor: false,
      fps: 10,
    });
    let bar = this.#bars.get(id);
    if (bar === undefined) {
      bar = this.#multi.create(0, 0, this.#payload(id, { stage: id, rowsIn: 0, rowsOut: 0, ms: 0 }));
      this.#bars.set(id, bar);
    }
    return bar;
  }
}
