// The stream runner (issue #5): long-running jobs on piscina worker pools, with exchanges,
// aligned checkpoints, recovery and savepoints. docs/stream-runner.md describes it.
export { type StreamRunOptions, type StreamRunSummary, type StreamStageStats } from "./api.js";
export { runStream } from "./coordinator.js";
