import { pathToFileURL } from "node:url";
import { type BuiltPipeline, type PipelineDefinition, isPipelineDefinition } from "../../../sdk/index.js";

/**
 * A worker's copy of the pipeline: imports the module (TypeScript through tsx when the module is
 * .ts, as on the main thread), builds it with the same options, and checks that the graph has
 * the hash the runner planned with: construction must be deterministic (DESIGN.md).
 */
export async function loadPipeline(module: string, options: unknown, hash: string): Promise<BuiltPipeline> {
  if (module.endsWith(".ts")) await import("tsx/esm/api").then(({ register }) => register());
  const mod = (await import(pathToFileURL(module).href)) as { default?: unknown };
  if (!isPipelineDefinition(mod.default)) throw new Error(`worker: ${module} does not export a pipeline as default`);
  const built = (mod.default as PipelineDefinition).build(options as never);
  if (built.hash !== hash)
    throw new Error(
      `worker: ${module} built a different graph (hash ${built.hash}, the runner has ${hash}): pipeline construction must be deterministic`,
    );
  return built;
}
