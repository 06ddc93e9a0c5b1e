import { z } from "zod";
import { Pipeline } from "../../sdk/index.js";
import { allCases } from "./cases/index.js";
import { applyCase } from "./pipeline-cases.js";

/**
 * Every case of the shared core (#3) as one pipeline module, the case chosen by name: a runner
 * that rebuilds pipelines in workers (the stream runner) imports this file and builds it with
 * `{ case: <name> }`, getting the same graph as caseToPipeline.
 */
export default Pipeline.define(
  "conformance/core-cases",
  z.object({ case: z.string().describe("the name of a case in cases/") }),
  (p, options) => {
    const c = allCases.find((x) => x.name === options.case);
    if (!c) throw new Error(`no conformance case named ${JSON.stringify(options.case)}`);
    applyCase(p, c);
  },
);
