// One Nexmark query run, in its own process so that its peak memory is its own: called by
// test/bench/nexmark.ts as `tsx test/bench/nexmark-run.ts <module> <runner> <json options>`.
// Prints one JSON line: { seconds, maxRssMiB }.
import { runLocal } from "../../runners/local/index.js";
import { runStream } from "../../runners/stream/index.js";
import { type PipelineDefinition } from "../../sdk/index.js";

const [module, runner, optionsJson] = process.argv.slice(2);
if (!module || (runner !== "local" && runner !== "stream") || !optionsJson) {
  console.error("usage: nexmark-run.ts <module> local|stream <json options>");
  process.exit(2);
}
const definition = (await import(module)).default as PipelineDefinition;
const built = definition.buildFromArgs(JSON.parse(optionsJson) as Record<string, unknown>);
const t0 = performance.now();
const source = { module, options: built.options };
if (runner === "stream") await runStream(built, { parallelism: 2, source });
else await runLocal(built, { parallelism: 2, source });
const seconds = (performance.now() - t0) / 1000;
// maxRSS is in KiB and covers every thread of the process (the stream runner's workers are threads).
console.log(JSON.stringify({ seconds, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
