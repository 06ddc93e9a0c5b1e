import { type ConformanceCase } from "../case.js";
import { cases as accumulation } from "./accumulation.js";
import { cases as emptyPanes } from "./empty-panes.js";
import { cases as lateness } from "./lateness.js";
import { cases as sessions } from "./sessions.js";
import { cases as timestamps } from "./timestamps.js";
import { cases as triggers } from "./triggers.js";
import { cases as watermarks } from "./watermarks.js";
import { cases as windows } from "./windows.js";

/** Every conformance case, by topic: the core driver and each runner run all of them. */
export const allCases: readonly ConformanceCase[] = [
  ...triggers,
  ...windows,
  ...sessions,
  ...lateness,
  ...accumulation,
  ...timestamps,
  ...watermarks,
  ...emptyPanes,
];
