// A piscina thread of the stream runner: runs one worker's share of the job until every step
// on it has finished (job.ts). The pool is started with atomics disabled, since the task keeps
// ports and timers alive for the whole job.
import { loadPipeline } from "../core/exec/load.js";
import { WorkerJob } from "./job.js";
import { type WorkerInit } from "./protocol.js";

export default async function runWorker(init: WorkerInit): Promise<{ worker: number }> {
  const built = await loadPipeline(init.module, init.options, init.hash);
  const job = new WorkerJob(init, built);
  try {
    await job.run();
    await job.drained();
  } finally {
    job.close();
    init.control.close();
  }
  return { worker: init.worker };
}
