import { describe, expect, test } from "vitest";
import { ProgressRenderer } from "../../runners/cli/progress.js";
import { STAGES, fakeTerminal } from "./support.js";

// The terminal's text without cursor movements and line clears.
// eslint-disable-next-line no-control-regex
const visible = (s: string): string => s.replace(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]/g, "");

describe("ProgressRenderer", () => {
  test("on a terminal, draws a line per planned stage with its steps, compact counts and rate, and clears them at the end", () => {
    const terminal = fakeTerminal(true);
    const progress = new ProgressRenderer(terminal.stream);
    progress.planned(STAGES);
    progress.progress([
      { stage: "stage-1", rowsIn: 1_234_567, rowsOut: 89_012, ms: 2000 },
      { stage: "stage-2", rowsIn: 42, rowsOut: 7, ms: 0 },
    ]);
    const drawn = visible(terminal.text());
    expect(drawn).toMatch(/stage-1 +ReadLines → Split → Pair +1\.2M in → +89K out +617\.3K rows\/s/);
    expect(drawn).toMatch(/stage-2 +Count → Format → Write +42 in → +7 out +- rows\/s/);
    // Compact counts keep each line within an 80-column terminal.
    // eslint-disable-next-line no-control-regex
    for (const line of terminal.text().split(/\n|\x1B\[\d*[AG]/)) expect(visible(line).length).toBeLessThanOrEqual(80);
    expect(drawn).not.toContain("%");

    const before = terminal.text().length;
    progress.stop();
    // Stopping moves back to the first line and clears everything below it.
    expect(terminal.text().slice(before)).toContain("\x1B[0J");
    progress.stop();
    progress.progress([{ stage: "stage-1", rowsIn: 1, rowsOut: 1, ms: 1 }]);
    expect(visible(terminal.text().slice(before))).not.toContain("stage-1");
  });

  test("a stage the plan did not announce still gets a line", () => {
    const terminal = fakeTerminal(true);
    const progress = new ProgressRenderer(terminal.stream);
    progress.progress([{ stage: "stage-9", rowsIn: 5, rowsOut: 6, ms: 1000 }]);
    progress.stop();
    expect(visible(terminal.text())).toMatch(/stage-9 .*5 in → +6 out +5 rows\/s/);
  });

  test("not on a terminal, writes nothing, but remembers the plan for the summary", () => {
    const terminal = fakeTerminal(false);
    const progress = new ProgressRenderer(terminal.stream);
    progress.planned(STAGES);
    progress.progress([{ stage: "stage-1", rowsIn: 10, rowsOut: 20, ms: 5 }]);
    progress.finished();
    expect(terminal.text()).toBe("");
    expect(progress.stages).toBe(STAGES);
  });

  test("without a stream, writes nothing", () => {
    const progress = new ProgressRenderer(undefined);
    progress.planned(STAGES);
    progress.progress([{ stage: "stage-1", rowsIn: 10, rowsOut: 20, ms: 5 }]);
    progress.stop();
    expect(progress.stages).toBe(STAGES);
  });
});
