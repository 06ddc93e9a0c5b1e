import { describe, expect, test } from "vitest";
import { allCases } from "./cases/index.js";
import { byKeyAndWindow, runCase } from "./driver.js";

// Every semantic case through the shared core directly; the runners run the same cases.
describe("conformance: the shared core", () => {
  test.each(allCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const result = runCase(c);
    expect(result.panes).toEqual(byKeyAndWindow(c.expected));
    expect(result.droppedLate).toBe(c.droppedLate ?? 0);
    if (c.droppedClosed !== undefined) expect(result.droppedClosed).toBe(c.droppedClosed);
  });
});

describe("conformance: restored from a snapshot after any event", () => {
  test.each(allCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const uninterrupted = runCase(c);
    for (let i = 0; i < c.events.length; i++) expect(runCase(c, i), `restored after event ${i}`).toEqual(uninterrupted);
  });
});
