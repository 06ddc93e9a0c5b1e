import { type BuiltPipeline, type PipelineGraph } from "../../sdk/index.js";
import { type LocalRunOptions, type RunSummary, type StageInfo, planLocal, runLocal } from "../local/index.js";
import { type StreamRunOptions, type StreamRunSummary, runStream } from "../stream/index.js";
import { type ProgressStream } from "./progress.js";

/** What the CLI touches outside itself; the entry point passes the process's, tests pass fakes. */
export interface CliIO {
  /** Where the CLI writes; each call gets whole lines, newlines included. */
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** The terminal `run` draws progress on (process.stderr), only when it is a TTY; absent, no progress. */
  readonly terminal?: ProgressStream;
  /** Environment variables the CLI reads (BEAMLINE_DEBUG); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The local runner's entry points, as `run` and `explain` call them; tests substitute their own. */
export interface LocalRunner {
  readonly planLocal: (graph: PipelineGraph) => readonly StageInfo[];
  readonly runLocal: (pipeline: BuiltPipeline, options?: LocalRunOptions) => Promise<RunSummary>;
  /** The stream runner's (absent in tests that only fake the local runner). */
  readonly runStream?: (pipeline: BuiltPipeline, options: StreamRunOptions) => Promise<StreamRunSummary>;
}

export const LOCAL_RUNNER: LocalRunner = Object.freeze({ planLocal, runLocal, runStream });
