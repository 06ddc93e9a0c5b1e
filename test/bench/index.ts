// `npm run bench`: every benchmark, each printing its figures next to a baseline measured in the same run.
// `npm run bench -- --only=stream` (or core, wordcount, parquet, kafka; comma-separated) runs some of them.
import { cpus } from "node:os";
import { runCoreWindowAgg } from "./core-window-agg.js";
import { runKafkaBench } from "./kafka.js";
import { runLocalParquet } from "./local-parquet.js";
import { runLocalWordcount } from "./local-wordcount.js";
import { runStreamBench } from "./stream.js";

const benches: Record<string, () => string | Promise<string>> = {
  core: runCoreWindowAgg,
  wordcount: runLocalWordcount,
  parquet: runLocalParquet,
  stream: () => runStreamBench(),
  kafka: () => runKafkaBench(),
};

const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const unknown = (only ?? []).filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}: the benchmarks are ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}

const cores = cpus();
console.log(`node ${process.version}, ${cores.length} cores (${cores[0]?.model.trim() ?? "unknown"})`);
for (const [name, run] of Object.entries(benches))
  if (!only || only.includes(name)) {
    console.log("");
    console.log(await run());
  }
