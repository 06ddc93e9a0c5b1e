import { statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type PipelineDefinition, isPipelineDefinition } from "../../sdk/index.js";

/** A failure the CLI reports as one message and an exit code, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

let tsxLoader: Promise<unknown> | undefined;

/** Lets `import()` load TypeScript modules; registered once, and only by commands that load one. */
const registerTsx = (): Promise<unknown> => (tsxLoader ??= import("tsx/esm/api").then(({ register }) => register()));

/** A failure inside a user module as one line: esbuild, for one, puts the location on a second line. */
export const oneLine = (e: unknown): string => {
  const text = (e instanceof Error ? e.message : String(e))
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join(" ");
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
};

function describeValue(x: unknown): string {
  if (x === undefined) return "no default export";
  if (x === null) return "null";
  return typeof x === "object" ? "an object that is not a pipeline" : `a ${typeof x}`;
}

/**
 * Imports a pipeline module (TypeScript or JavaScript) and returns its default export.
 * Only `isPipelineDefinition` is trusted: the module may use another copy of beamline
 * than the CLI (source next to a built CLI), so nothing here relies on `instanceof`.
 */
export async function loadPipeline(modulePath: string, cwd: string): Promise<PipelineDefinition> {
  const abs = path.resolve(cwd, modulePath);
  const stat = statSync(abs, { throwIfNoEntry: false });
  if (!stat) throw new CliError(`cannot find pipeline module ${modulePath} (no file at ${abs})`);
  if (!stat.isFile()) throw new CliError(`pipeline module ${modulePath} is not a file (${abs})`);
  await registerTsx();
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (e) {
    throw new CliError(`cannot load pipeline module ${modulePath}: ${oneLine(e)}`);
  }
  if (!isPipelineDefinition(loaded.default))
    throw new CliError(
      `${modulePath} does not export a pipeline as default (found ${describeValue(loaded.default)}): ` +
        `write \`export default Pipeline.define(name, optionsSchema, build)\``,
    );
  return loaded.default;
}

/** Options and validation problems are the user's to fix (exit 2); anything else thrown by the build is a failure. */
export function buildPipeline<T>(module: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    // By name, not instanceof: the module may have built with another copy of the SDK.
    const name = e instanceof Error ? e.name : "";
    if (name === "OptionsError" || name === "PipelineValidationError") throw new CliError((e as Error).message);
    throw new CliError(
      `building the pipeline in ${module} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      1,
    );
  }
}
