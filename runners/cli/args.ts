import { CliError } from "./load.js";

/** A command's arguments: the module, the CLI's own flags, and the rest for the pipeline's options. */
export interface SplitArgs {
  /** The first argument that is not a flag. */
  readonly module: string | undefined;
  /** The CLI's own flags by name (without `--`); a repeated flag keeps its last value. */
  readonly flags: ReadonlyMap<string, string>;
  /** Everything else, in order: the pipeline's options, which never see the CLI's flags. */
  readonly rest: readonly string[];
}

/**
 * Takes the CLI's own flags out of a command's arguments, as `--name=value` or `--name value`,
 * wherever they are. `own` maps each flag name to the values it expects, for the error when
 * a value is missing.
 */
export function splitArgs(args: readonly string[], own: Readonly<Record<string, string>>): SplitArgs {
  let module: string | undefined;
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : "";
    if (Object.hasOwn(own, name)) {
      const next = args[i + 1];
      if (eq >= 0) flags.set(name, arg.slice(eq + 1));
      else if (next !== undefined && !next.startsWith("--")) flags.set(name, args[++i] as string);
      else throw new CliError(`--${name} needs a value: ${own[name]}`);
    } else if (module === undefined && !arg.startsWith("-")) module = arg;
    else rest.push(arg);
  }
  return { module, flags, rest };
}
