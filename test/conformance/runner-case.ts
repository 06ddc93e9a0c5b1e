import { z } from "zod";
import { type BuiltPipeline, Pipeline, type PipelineDefinition, type Root, type Window, canonicalJson } from "../../sdk/index.js";

/**
 * A runner-level conformance case, as data any runner can run: a pipeline module whose
 * outputs go to memory.collect sinks, the arguments to build it with, and what each sink
 * must have collected. The local runner (#4) and the stream runner (#5) run the same list.
 *
 * Each topic file in runner-cases/ is one pipeline module: its default export is a
 * `Pipeline.define` with one option, `case`, naming which of the topic's pipelines to build,
 * so a runner that rebuilds the pipeline in workers imports `module` and builds it with
 * `args`. Expected outputs are worked out by hand from Beam's semantics (`about` says where
 * they come from), never by running a runner.
 */
export interface RunnerCase {
  /** Unique over all cases: `<topic>/<case>`. */
  readonly name: string;
  /** What the case checks, and where its semantics come from. */
  readonly about: string;
  readonly pipeline: PipelineDefinition;
  /** The URL of the module whose default export is `pipeline`. */
  readonly module: string;
  /** Pipeline options, as `buildFromArgs` takes them. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Per memory.collect id, the elements it must hold once the run has finished. */
  readonly outputs: Readonly<Record<string, readonly unknown[]>>;
  /**
   * True: each output must hold exactly these elements in this order (only meaningful where
   * the pipeline keeps one source partition's order through element-wise steps to the sink).
   * Default: compared as multisets, by canonical JSON.
   */
  readonly ordered?: boolean;
}

/** A topic's pipeline module: the build function of the case named by the `case` option. */
export function topicPipeline(topic: string, builds: Readonly<Record<string, (p: Root) => void>>): PipelineDefinition {
  const names = Object.keys(builds);
  return Pipeline.define(`runner-cases/${topic}`, z.object({ case: z.enum(names as [string, ...string[]]) }), (p, options) => {
    const build = builds[options.case];
    if (!build) throw new Error(`internal: topic ${topic} has no case ${options.case}`);
    build(p);
  });
}

/**
 * Elements as compared: canonical JSON parsed back (so only what JSON keeps counts), in
 * collected order when ordered, else sorted by their canonical JSON.
 */
export function comparable(elements: readonly unknown[], ordered = false): unknown[] {
  const json = elements.map((e) => canonicalJson(e));
  if (!ordered) json.sort();
  return json.map((j) => (j === undefined ? undefined : (JSON.parse(j) as unknown)));
}

/** The ids of the memory.collect sinks a built pipeline writes to, in step order. */
export const collectIdsOf = (built: BuiltPipeline): string[] =>
  built.graph.steps.flatMap((s) =>
    s.kind === "write" && s.sink.kind === "memory" ? [String((s.sink.params as { id: unknown }).id)] : [],
  );

/** A window as the cases record it. */
export const windowOf = (w: Window): { start: number; end: number } => ({ start: w.start, end: w.end });
