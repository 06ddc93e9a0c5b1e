import { type RunnerCase } from "../runner-case.js";
import { cases as asyncMap } from "./async-map.js";
import { cases as combineFn } from "./combine-fn.js";
import { cases as combiners } from "./combiners.js";
import { cases as elementWise } from "./element-wise.js";
import { cases as flatten } from "./flatten.js";
import { cases as joins } from "./joins.js";
import { cases as reshuffle } from "./reshuffle.js";
import { cases as sessions } from "./sessions.js";
import { cases as sideInputs } from "./side-inputs.js";
import { cases as sideOutputs } from "./side-outputs.js";
import { cases as stateful } from "./stateful.js";
import { cases as timestamps } from "./timestamps.js";

/** Every runner-level case, by topic: the local runner (#4) and the stream runner (#5) run all of them. */
export const allRunnerCases: readonly RunnerCase[] = [
  ...elementWise,
  ...sideOutputs,
  ...sideInputs,
  ...flatten,
  ...joins,
  ...combiners,
  ...combineFn,
  ...asyncMap,
  ...stateful,
  ...reshuffle,
  ...timestamps,
  ...sessions,
];
