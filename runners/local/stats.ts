import { type RunObserver, type StageInfo, type StageStats } from "./api.js";

export interface Stats {
  rowsIn(stage: string, n: number): void;
  rowsOut(stage: string, n: number): void;
}

/** Rows in and out of each stage, and its time from first input to the last seen. */
export class StageCounters implements Stats {
  private readonly counts = new Map<string, { rowsIn: number; rowsOut: number; first: number; last: number }>();

  constructor(
    stages: readonly StageInfo[],
    private readonly observer: RunObserver | undefined,
  ) {
    for (const s of stages) this.counts.set(s.id, { rowsIn: 0, rowsOut: 0, first: 0, last: 0 });
  }

  rowsIn(stage: string, n: number): void {
    const c = this.counts.get(stage)!;
    const now = Date.now();
    if (c.first === 0) c.first = now;
    c.last = now;
    c.rowsIn += n;
  }

  rowsOut(stage: string, n: number): void {
    const c = this.counts.get(stage)!;
    c.last = Date.now();
    c.rowsOut += n;
  }

  snapshot(): StageStats[] {
    return [...this.counts].map(([stage, c]) => ({
      stage,
      rowsIn: c.rowsIn,
      rowsOut: c.rowsOut,
      ms: c.first ? c.last - c.first : 0,
    }));
  }

  report(): void {
    this.observer?.progress?.(this.snapshot());
  }
}
