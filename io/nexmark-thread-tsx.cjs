// Starts io/nexmark-thread.ts in a worker thread under tsx: a worker thread's ESM loader does not
// take tsx's hook, its require does (the entry's path comes in workerData.entry).
require(require("node:worker_threads").workerData.entry);
