import { ManualClock } from "../../runners/core/clock.js";
import { type PaneOutput, WindowOperator, type WindowOperatorOptions } from "../../runners/core/grouping/window-operator.js";
import { listCombineFn } from "../../runners/core/grouping/list-combine.js";
import { triggerMachines } from "../../runners/core/triggers/index.js";
import { SourceWatermarks } from "../../runners/core/watermarks.js";
import { assignWindows } from "../../runners/core/windows/assign.js";
import {
  type CombineFn,
  DEFAULT_WINDOWING,
  type WindowingStrategy,
  countDistinctFn,
  countFn,
  maxFn,
  meanFn,
  minFn,
  sumFn,
} from "../../sdk/index.js";
import { type CaseEvent, type ConformanceCase, type ExpectedPane } from "./case.js";

type Value = number | string;
type AnyCombine = CombineFn<Value, unknown, unknown>;

/** The combiner each aggregate runs with (a list for "list"), fresh per operator. */
export const COMBINERS: { readonly [K in ConformanceCase["aggregate"]]: () => AnyCombine } = {
  list: () => listCombineFn<Value>() as AnyCombine,
  sum: () => sumFn() as AnyCombine,
  count: () => countFn() as AnyCombine,
  mean: () => meanFn() as AnyCombine,
  min: () => minFn<number>() as unknown as AnyCombine,
  max: () => maxFn<number>() as unknown as AnyCombine,
  countDistinct: () => countDistinctFn<Value>() as unknown as AnyCombine,
};

export interface CaseResult {
  readonly panes: ExpectedPane[];
  readonly droppedLate: number;
  readonly droppedClosed: number;
}

/** The core pieces one case runs through: a source's watermarks (optional), a clock, the operator. */
class Run {
  readonly panes: ExpectedPane[] = [];
  constructor(
    readonly c: ConformanceCase,
    readonly op: WindowOperator<Value, unknown, unknown>,
    readonly clock: ManualClock,
    readonly source: SourceWatermarks | null,
  ) {}

  static start(c: ConformanceCase): Run {
    const clock = new ManualClock(0);
    const run: Run = new Run(c, new WindowOperator(operatorOptions(c, clock, (o) => run.collect(o))), clock, sourceOf(c, clock));
    return run;
  }

  /** The same run, continued from snapshots of every stateful piece (as a restart would). */
  restored(): Run {
    const clock = ManualClock.restore(this.clock.snapshot());
    const source = this.source ? SourceWatermarks.restore(this.source.snapshot(), { clock }) : null;
    const run: Run = new Run(
      this.c,
      WindowOperator.restore(
        operatorOptions(this.c, clock, (o) => run.collect(o)),
        [this.op.snapshot()],
      ),
      clock,
      source,
    );
    run.panes.push(...this.panes);
    return run;
  }

  collect(o: PaneOutput<unknown>): void {
    const value = Array.isArray(o.value) ? [...(o.value as Value[])].sort(compareValues) : (o.value as Value | null);
    this.panes.push({
      key: o.key as string,
      window: { start: o.window.start, end: o.window.end },
      value,
      timestamp: o.timestamp,
      pane: { ...o.pane },
      ...(o.retraction ? { retraction: true } : {}),
    });
  }

  apply(e: CaseEvent): void {
    switch (e.kind) {
      case "element":
        this.op.processElement(e.key, e.value, e.at, assignWindows(strategyOf(this.c).windowFn, e.at));
        this.source?.onEvent(e.partition ?? 0, e.at);
        return this.pollWatermark();
      case "watermark":
        if (!this.source) this.op.advanceWatermark(e.to);
        return;
      case "processingTime":
        this.clock.set(e.to);
        this.pollWatermark();
        return this.op.advanceProcessingTime(e.to);
      case "end":
        if (this.source) for (let p = 0; p < this.source.partitions; p++) this.source.onEnd(p);
        return this.op.end();
    }
  }

  private pollWatermark(): void {
    if (this.source && this.source.poll()) this.op.advanceWatermark(this.source.current());
  }

  result(): CaseResult {
    return { panes: byKeyAndWindow(this.panes), droppedLate: this.op.droppedLate, droppedClosed: this.op.droppedClosed };
  }
}

const strategyOf = (c: ConformanceCase): WindowingStrategy => ({ ...DEFAULT_WINDOWING, ...c.windowing });

function operatorOptions(
  c: ConformanceCase,
  clock: ManualClock,
  emit: (o: PaneOutput<unknown>) => void,
): WindowOperatorOptions<Value, unknown, unknown> {
  return {
    step: `case:${c.name}`,
    strategy: strategyOf(c),
    combineFn: COMBINERS[c.aggregate](),
    triggers: triggerMachines,
    emit,
    clock,
  };
}

function sourceOf(c: ConformanceCase, clock: ManualClock): SourceWatermarks | null {
  if (!c.partitions) return null;
  const { count, maxDelay = 0, idleTimeout = null } = c.partitions;
  return new SourceWatermarks({ partitions: count, maxDelay, idleTimeout, clock });
}

const compareValues = (a: Value, b: Value): number => (a < b ? -1 : a > b ? 1 : 0);

/** Outputs grouped by key, then window start and end, keeping emission order within a window. */
export function byKeyAndWindow(panes: readonly ExpectedPane[]): ExpectedPane[] {
  return panes
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        compareValues(a.p.key, b.p.key) || a.p.window.start - b.p.window.start || a.p.window.end - b.p.window.end || a.i - b.i,
    )
    .map(({ p }) => p);
}

/** Runs a case through the core, uninterrupted, or restored from snapshots after event `restoreAfter`. */
export function runCase(c: ConformanceCase, restoreAfter?: number): CaseResult {
  let run = Run.start(c);
  c.events.forEach((e, i) => {
    run.apply(e);
    if (i === restoreAfter) run = run.restored();
  });
  return run.result();
}
