import { describe, expect, test } from "vitest";
import {
  DEFAULT_WINDOWING,
  GLOBAL_WINDOW,
  type PaneTiming,
  type Trigger,
  type TriggerKind,
  type WindowFn,
  type WindowKind,
  type WindowingStrategy,
  maxTimestamp,
  triggerProblems,
  windowFnProblems,
} from "../../sdk/index.js";
import { type CaseEvent, type ConformanceCase, type ExpectedPane } from "./case.js";
import { allCases } from "./cases/index.js";

// Checks the conformance cases themselves (not the core): that they are well-formed, cover every trigger and
// window kind, and that their expected panes are consistent with the window function and with the structure
// docs/core.md's rules give every pane sequence. Each check collects problems as sentences naming the case.

const strategyOf = (c: ConformanceCase): WindowingStrategy => ({ ...DEFAULT_WINDOWING, ...c.windowing });
type Element = Extract<CaseEvent, { kind: "element" }>;
const elementsOf = (c: ConformanceCase): Element[] => c.events.filter((e): e is Element => e.kind === "element");

/** Runs `check` on every case and collects the problems it reports, prefixed with the case's name. */
function problems(check: (c: ConformanceCase, report: (problem: string) => void) => void): string[] {
  const found: string[] = [];
  for (const c of allCases) check(c, (p) => found.push(`${c.name}: ${p}`));
  return found;
}

const windowKey = (p: ExpectedPane): string => `${p.key} [${p.window.start}, ${p.window.end})`;

/** The panes of each (key, window), in listed (emission) order. */
function byWindow(c: ConformanceCase): Map<string, ExpectedPane[]> {
  const groups = new Map<string, ExpectedPane[]>();
  for (const p of c.expected) {
    const k = windowKey(p);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return groups;
}

function triggerKinds(t: Trigger): TriggerKind[] {
  switch (t.kind) {
    case "afterWatermark":
      return [t.kind, ...(t.early ? triggerKinds(t.early) : []), ...(t.late ? triggerKinds(t.late) : [])];
    case "repeatedly":
      return [t.kind, ...triggerKinds(t.trigger)];
    case "afterEach":
    case "afterAny":
    case "afterAll":
      return [t.kind, ...t.triggers.flatMap(triggerKinds)];
    case "orFinally":
      return [t.kind, ...triggerKinds(t.trigger), ...triggerKinds(t.until)];
    default:
      return [t.kind];
  }
}

// Records, so that a new trigger or window kind fails to compile here until the suite covers it.
const TRIGGER_KINDS: Record<TriggerKind, true> = {
  default: true,
  afterWatermark: true,
  afterProcessingTime: true,
  afterCount: true,
  repeatedly: true,
  afterEach: true,
  afterAny: true,
  afterAll: true,
  orFinally: true,
  never: true,
};
const WINDOW_KINDS: Record<WindowKind, true> = { global: true, fixed: true, sliding: true, sessions: true, calendarDays: true };

const floorMod = (a: number, m: number): number => ((a % m) + m) % m;

/** The local calendar date and time of `t` in `timeZone`. */
function localParts(t: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    midnight: get("hour") === 0 && get("minute") === 0 && get("second") === 0 && floorMod(t, 1000) === 0,
  };
}

/** Why `w` cannot be a window of `fn` holding elements of `key` (undefined when it can). */
function windowProblem(fn: WindowFn, w: ExpectedPane["window"], elements: readonly Element[]): string | undefined {
  const inside = elements.some((e) => e.at >= w.start && e.at < w.end);
  switch (fn.kind) {
    case "global":
      return w.start === GLOBAL_WINDOW.start && w.end === GLOBAL_WINDOW.end ? undefined : "is not the global window";
    case "fixed":
      if (w.end - w.start !== fn.size) return `is not ${fn.size} ms long`;
      if (floorMod(w.start - fn.offset, fn.size) !== 0)
        return `does not start on the grid of size ${fn.size}, offset ${fn.offset}`;
      return inside ? undefined : "holds no element of its key";
    case "sliding":
      if (w.end - w.start !== fn.size) return `is not ${fn.size} ms long`;
      if (floorMod(w.start - fn.offset, fn.period) !== 0) return `does not start every ${fn.period} ms from ${fn.offset}`;
      return inside ? undefined : "holds no element of its key";
    case "sessions":
      if (!elements.some((e) => e.at === w.start)) return "does not start at an element of its key";
      if (!elements.some((e) => e.at + fn.gap === w.end)) return `does not end ${fn.gap} ms after an element of its key`;
      return undefined;
    case "calendarDays": {
      const s = localParts(w.start, fn.timeZone);
      const e = localParts(w.end, fn.timeZone);
      if (!s.midnight || !e.midnight) return `does not run from midnight to midnight in ${fn.timeZone}`;
      const days = (Date.UTC(e.year, e.month - 1, e.day) - Date.UTC(s.year, s.month - 1, s.day)) / 86_400_000;
      if (days !== fn.days) return `spans ${days} calendar days in ${fn.timeZone}, not ${fn.days}`;
      return inside ? undefined : "holds no element of its key";
    }
  }
}

const TIMING_ORDER: Record<PaneTiming, number> = { EARLY: 0, ON_TIME: 1, LATE: 2, UNKNOWN: -1 };

describe("conformance cases: the suite", () => {
  test("has at least 30 cases with unique kebab-case names", () => {
    expect(allCases.length).toBeGreaterThanOrEqual(30);
    const names = allCases.map((c) => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(names.filter((n) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(n))).toEqual([]);
  });

  test("every case says what it shows and which Beam (or Flink) semantics it follows", () => {
    expect(
      problems((c, report) => (/(Beam|Flink|ReduceFnRunner)/.test(c.about) ? undefined : report("about names no source"))),
    ).toEqual([]);
  });

  test("every trigger kind is used at least once", () => {
    const used = new Set(allCases.flatMap((c) => triggerKinds(strategyOf(c).trigger)));
    expect(Object.keys(TRIGGER_KINDS).filter((k) => !used.has(k as TriggerKind))).toEqual([]);
  });

  test("every window kind is used at least once, and calendar days both in UTC and in a zone with DST", () => {
    const fns = allCases.map((c) => c.windowing.windowFn);
    const used = new Set(fns.map((fn) => fn.kind));
    expect(Object.keys(WINDOW_KINDS).filter((k) => !used.has(k as WindowKind))).toEqual([]);
    const zones = fns.flatMap((fn) => (fn.kind === "calendarDays" ? [fn.timeZone] : []));
    expect(zones).toContain("UTC");
    expect(zones.some((z) => z !== "UTC")).toBe(true);
  });

  test("every accumulation mode and timestamp combiner is used, retracting with both a combiner and list", () => {
    const strategies = allCases.map((c) => [c, strategyOf(c)] as const);
    for (const mode of ["discarding", "accumulating", "retracting"] as const)
      expect(strategies.some(([, s]) => s.accumulation === mode)).toBe(true);
    for (const ts of ["endOfWindow", "earliest", "latest"] as const)
      expect(strategies.some(([, s]) => s.timestampCombiner === ts)).toBe(true);
    const retracting = strategies.filter(([, s]) => s.accumulation === "retracting").map(([c]) => c.aggregate);
    expect(retracting).toContain("list");
    expect(retracting.some((a) => a !== "list")).toBe(true);
  });
});

describe("conformance cases: each case", () => {
  test("has a valid windowing strategy", () => {
    expect(
      problems((c, report) => {
        const s = strategyOf(c);
        for (const p of [...windowFnProblems(s.windowFn), ...triggerProblems(s.trigger)]) report(p);
        if (!(Number.isInteger(s.allowedLateness) && s.allowedLateness >= 0)) report("allowed lateness is not a whole ms >= 0");
      }),
    ).toEqual([]);
  });

  test('ends its events with "end", once (rule 10), unless its about says why not', () => {
    expect(
      problems((c, report) => {
        const ends = c.events.filter((e) => e.kind === "end").length;
        const last = c.events[c.events.length - 1];
        if (/without "end"/.test(c.about)) return;
        if (last?.kind !== "end") report('events do not end with "end"');
        if (ends !== 1) report(`has ${ends} "end" events`);
      }),
    ).toEqual([]);
  });

  test('uses keys "a" and "b", valid partitions, and processing time that never goes back', () => {
    expect(
      problems((c, report) => {
        let now = 0;
        for (const e of c.events) {
          if (e.kind === "element") {
            if (e.key !== "a" && e.key !== "b") report(`element key "${e.key}"`);
            if (!Number.isInteger(e.at)) report(`element time ${e.at} is not whole milliseconds`);
            if (e.partition !== undefined && !c.partitions) report("an element names a partition but the case has none");
            if (c.partitions && (e.partition ?? 0) >= c.partitions.count)
              report(`partition ${e.partition} of ${c.partitions.count}`);
          }
          if (e.kind === "processingTime") {
            if (e.to < now) report(`processing time goes back to ${e.to}`);
            now = e.to;
          }
        }
      }),
    ).toEqual([]);
  });

  test("states its drop counts, which are whole and at most the number of elements", () => {
    expect(
      problems((c, report) => {
        const n = elementsOf(c).length;
        if (c.droppedLate === undefined || c.droppedClosed === undefined) report("droppedLate or droppedClosed is not stated");
        const total = (c.droppedLate ?? 0) + (c.droppedClosed ?? 0);
        if (![c.droppedLate ?? 0, c.droppedClosed ?? 0].every((d) => Number.isInteger(d) && d >= 0)) report("bad drop count");
        if (total > n) report(`drops ${total} of ${n} elements`);
      }),
    ).toEqual([]);
  });

  test("lists expected panes grouped by key, then by window start (and end)", () => {
    expect(
      problems((c, report) => {
        c.expected.forEach((p, i) => {
          const q = c.expected[i - 1];
          if (!q) return;
          const order = q.key < p.key ? -1 : q.key > p.key ? 1 : q.window.start - p.window.start || q.window.end - p.window.end;
          if (order > 0) report(`pane ${i} (${windowKey(p)}) is listed after ${windowKey(q)}`);
        });
      }),
    ).toEqual([]);
  });

  test("expects only windows its window function can produce for the key's elements", () => {
    expect(
      problems((c, report) => {
        for (const p of c.expected) {
          const elements = elementsOf(c).filter((e) => e.key === p.key);
          const problem = windowProblem(c.windowing.windowFn, p.window, elements);
          if (problem) report(`window ${windowKey(p)} ${problem}`);
        }
      }),
    ).toEqual([]);
  });

  test("expects values of the aggregate's type; lists sorted and made of the key's elements in the window", () => {
    expect(
      problems((c, report) => {
        for (const p of c.expected) {
          if (c.aggregate !== "list") {
            if (typeof p.value !== "number" && p.value !== null) report(`${windowKey(p)}: ${c.aggregate} value is not a number`);
            continue;
          }
          if (!Array.isArray(p.value)) {
            report(`${windowKey(p)}: list value is not an array`);
            continue;
          }
          const values: readonly (number | string)[] = p.value;
          if (values.some((v, i) => i > 0 && (values[i - 1] as number | string) > v))
            report(`${windowKey(p)}: list is not sorted`);
          const pool = elementsOf(c)
            .filter((e) => e.key === p.key && e.at >= p.window.start && e.at < p.window.end)
            .map((e) => e.value);
          for (const v of values) {
            const i = pool.indexOf(v);
            if (i < 0) report(`${windowKey(p)}: value ${v} is not (or not that often) an element of the window`);
            else pool.splice(i, 1);
          }
        }
      }),
    ).toEqual([]);
  });

  test("expects timestamps the timestamp combiner allows (rule 8)", () => {
    expect(
      problems((c, report) => {
        const combiner = strategyOf(c).timestampCombiner;
        for (const p of c.expected) {
          const max = maxTimestamp(p.window);
          if (combiner === "endOfWindow" && p.timestamp !== max) report(`${windowKey(p)}: endOfWindow timestamp ${p.timestamp}`);
          if (p.timestamp < p.window.start || p.timestamp > max)
            report(`${windowKey(p)}: timestamp ${p.timestamp} outside the window`);
        }
      }),
    ).toEqual([]);
  });

  test("expects, per key and window, pane info in sequence (rule 5)", () => {
    expect(
      problems((c, report) => {
        for (const [w, seq] of byWindow(c)) {
          const panes = seq.filter((p) => !p.retraction);
          let nonSpeculative = 0;
          panes.forEach((p, i) => {
            const at = `${w} pane ${i}`;
            const { index, nonSpeculativeIndex, timing, isFirst, isLast } = p.pane;
            if (index !== i) report(`${at}: index ${index}`);
            if (isFirst !== (i === 0)) report(`${at}: isFirst ${isFirst}`);
            if (isLast && i !== panes.length - 1) report(`${at}: a pane follows the last pane`);
            if (timing === "UNKNOWN") report(`${at}: timing UNKNOWN`);
            const before = panes[i - 1];
            if (before && TIMING_ORDER[before.pane.timing] > TIMING_ORDER[timing])
              report(`${at}: ${timing} after ${before.pane.timing}`);
            if (before && timing === "ON_TIME" && before.pane.timing === "ON_TIME") report(`${at}: a second ON_TIME pane`);
            const expectedNsi = timing === "EARLY" ? -1 : nonSpeculative++;
            if (nonSpeculativeIndex !== expectedNsi)
              report(`${at}: nonSpeculativeIndex ${nonSpeculativeIndex}, not ${expectedNsi}`);
          });
        }
      }),
    ).toEqual([]);
  });

  test("expects the on-time pane to be the last when allowed lateness is 0 (end-of-window timer = GC timer)", () => {
    expect(
      problems((c, report) => {
        if (strategyOf(c).allowedLateness !== 0) return;
        for (const p of c.expected)
          if (p.pane.timing === "ON_TIME" && !p.pane.isLast) report(`${windowKey(p)}: ON_TIME pane not last with lateness 0`);
      }),
    ).toEqual([]);
  });

  test("expects retractions only when retracting: before every pane after the first, the previous result (rule 7)", () => {
    expect(
      problems((c, report) => {
        const retracting = strategyOf(c).accumulation === "retracting";
        for (const [w, seq] of byWindow(c)) {
          let previous: ExpectedPane | undefined;
          seq.forEach((p, i) => {
            if (p.retraction) {
              const next = seq[i + 1];
              if (!retracting) report(`${w}: a retraction in ${strategyOf(c).accumulation} mode`);
              else if (!previous || !next || next.retraction)
                report(`${w}: retraction ${i} retracts nothing or precedes no pane`);
              else {
                expect(p.value, `${c.name}: ${w} retraction ${i} value`).toEqual(previous.value);
                expect(p.pane, `${c.name}: ${w} retraction ${i} pane info`).toEqual(next.pane);
              }
              return;
            }
            if (retracting && previous && !seq[i - 1]?.retraction) report(`${w}: pane ${i} is not preceded by a retraction`);
            previous = p;
          });
        }
      }),
    ).toEqual([]);
  });

  test("expects accumulated lists to keep every value of the previous pane (rule 7)", () => {
    expect(
      problems((c, report) => {
        if (c.aggregate !== "list" || strategyOf(c).accumulation === "discarding") return;
        for (const [w, seq] of byWindow(c)) {
          const panes = seq.filter((p) => !p.retraction);
          panes.forEach((p, i) => {
            const before = panes[i - 1];
            if (!before || !Array.isArray(before.value) || !Array.isArray(p.value)) return;
            const rest: (number | string)[] = [...(p.value as readonly (number | string)[])];
            for (const v of before.value as readonly (number | string)[]) {
              const j = rest.indexOf(v);
              if (j < 0) report(`${w} pane ${i} lost ${v} from the previous pane`);
              else rest.splice(j, 1);
            }
          });
        }
      }),
    ).toEqual([]);
  });
});
