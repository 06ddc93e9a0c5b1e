// `npm run bench`: every benchmark, each printing its figures next to a baseline measured in the same run.
import { cpus } from "node:os";
import { runCoreWindowAgg } from "./core-window-agg.js";
import { runLocalParquet } from "./local-parquet.js";
import { runLocalWordcount } from "./local-wordcount.js";
import { runStreamBench } from "./stream.js";

const cores = cpus();
console.log(`node ${process.version}, ${cores.length} cores (${cores[0]?.model.trim() ?? "unknown"})`);
console.log("");
console.log(runCoreWindowAgg());
console.log("");
console.log(await runLocalWordcount());
console.log("");
console.log(await runLocalParquet());
console.log("");
console.log(await runStreamBench());
